"""What the screens say, in the three hall languages: key → (zh-CN, zh-TW, English).

The words live in ``texts.toml`` next to this module, one table per text (easy to review and to
translate). The view models (:mod:`counter_display.views`) pick a language's words here; the Qt
screens only draw what the view models give. Hall, category and counter names come from the
server in all three languages; the manager's notice is free text and is shown as typed. The
voice role speaks Mandarin whatever the language (``drivers.voice``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from counter_display.errors import DisplayError

LANGS = ("zh-CN", "zh-TW", "en")
DEFAULT_LANG = "zh-CN"

TEXTS_FILE = Path(__file__).with_name("texts.toml")


def load_texts(path: Path = TEXTS_FILE) -> dict[str, tuple[str, str, str]]:
    """key → (zh-CN, zh-TW, English) from ``texts.toml``; a text lacking a language is refused."""
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    texts = {}
    for key, words in table.items():
        missing = [lang for lang in LANGS if not words.get(lang)]
        if missing:
            raise DisplayError(f"{path.name}: [{key}] has no {', '.join(missing)} text")
        zh_cn, zh_tw, en = (str(words[lang]) for lang in LANGS)
        texts[key] = (zh_cn, zh_tw, en)
    return texts


TEXTS = load_texts()
"""Every text the screens show: key → (zh-CN, zh-TW, English)."""


def text(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` (zh-CN for an unknown language), with ``values`` filled in."""
    words = TEXTS[key]
    chosen = words[LANGS.index(lang)] if lang in LANGS else words[0]
    return chosen.format(**values) if values else chosen


def parse_lang(value: str) -> str:
    """``zh-CN``, ``zh-TW`` or ``en`` from what a user typed (any case, ``_`` for ``-``).

    Raises ValueError with a message in Chinese and English for anything else.
    """
    wanted = value.strip().replace("_", "-").lower()
    found = next((lang for lang in LANGS if lang.lower() == wanted), None)
    if found is None:
        raise ValueError(
            f"不支持的语言 {value!r}，可选 zh-CN、zh-TW、en；"
            f"unsupported language {value!r}: use zh-CN, zh-TW or en"
        )
    return found
