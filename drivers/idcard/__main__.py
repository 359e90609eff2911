"""``python -m drivers.idcard`` — see :mod:`drivers.idcard.cli`."""

import sys

from drivers.idcard.cli import main

sys.exit(main())
