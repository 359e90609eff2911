"""``python -m counter_display``: the same as ``yihao-display``."""

import sys

from counter_display.cli import main

sys.exit(main())
