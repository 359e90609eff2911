"""``python -m kiosk``: the same as ``yihao-kiosk``."""

import sys

from kiosk.cli import main

sys.exit(main())
