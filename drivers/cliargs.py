"""Argument types shared by the drivers' command lines: bad values fail at parse time.

argparse turns the ``ArgumentTypeError`` into a one-line usage error and exit status 2,
instead of a traceback once the work has started.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def output_file(value: str) -> Path:
    """A file to write, whose directory must already exist."""
    path = Path(value)
    parent = path.parent
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a directory; give a file name")
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"directory {parent} does not exist; create it first")
    return path


def positive_int(value: str) -> int:
    """A whole number from 1 up (counter numbers, repeats)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return number
