"""The kiosk's words in zh-CN (default), zh-TW and English, from ``assets/kiosk/strings.toml``."""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

LANGS = ("zh-CN", "zh-TW", "en")
DEFAULT_LANG = "zh-CN"
LANG_NAMES = {"zh-CN": "简体中文", "zh-TW": "繁體中文", "en": "English"}


def assets_dir() -> Path:
    """The assets directory (``YIHAO_ASSETS`` overrides the one next to the code)."""
    override = os.environ.get("YIHAO_ASSETS")
    return Path(override) if override else Path(__file__).resolve().parents[1] / "assets"


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, str]]:
    """Every string, key → language → text; checked complete when loaded."""
    path = assets_dir() / "kiosk" / "strings.toml"
    with path.open("rb") as f:
        data = tomllib.load(f)
    for key, texts in data.items():
        missing = [lang for lang in LANGS if not texts.get(lang)]
        if missing:
            raise ValueError(f"{path}: [{key}] has no text for {', '.join(missing)}")
    return data


def tr(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` with ``values`` filled in."""
    text = table()[key][lang if lang in LANGS else DEFAULT_LANG]
    return text.format(**values) if values else text
