"""Where the voice clips and the chime live: ``YIHAO_ASSETS`` or the repository's ``assets/``."""

from __future__ import annotations

import os
from pathlib import Path

ASSETS_ENV = "YIHAO_ASSETS"
CHIME = Path("sounds") / "chime.wav"


def assets_dir() -> Path:
    """The assets directory (``YIHAO_ASSETS`` overrides the one next to the code)."""
    override = os.environ.get(ASSETS_ENV)
    return Path(override) if override else Path(__file__).resolve().parents[2] / "assets"


def clips_dir(lang: str) -> Path:
    """The recorded clips of ``lang``: ``assets/voice/<lang>/``."""
    return assets_dir() / "voice" / lang


def chime_path() -> Path:
    """The default chime played before each call."""
    return assets_dir() / CHIME
