"""Traditional Chinese (zh-TW) for every message written in Simplified Chinese.

Messages are written once, in Simplified Chinese and English, where they arise (domain
errors, the call policy's reasons, alerts); the Traditional Chinese one is derived here,
the same way for all of them: OpenCC's ``s2tw`` (characters and Taiwan variants, no
phrase swaps that would turn 窗口 into 視窗), after the hall words of docs GLOSSARY
that Taiwan says differently (身份证 → 身分證, 打印机 → 印表機, 网络 → 網路 …).
"""

from __future__ import annotations

import functools
import threading

import opencc

HALL_WORDS = (
    ("身份证", "身分證"),
    ("打印机", "印表機"),
    ("打印", "列印"),
    ("网络", "網路"),
    ("信息", "資訊"),
    ("用户", "使用者"),
    ("数据库", "資料庫"),
    ("服务器", "伺服器"),
    ("磁盘", "磁碟"),
    ("默认", "預設"),
)
"""Words replaced before the character conversion (longest first where they overlap)."""

_lock = threading.Lock()
_converter: opencc.OpenCC | None = None


def _convert(text: str) -> str:
    global _converter
    with _lock:  # one converter, built on first use and shared by every thread
        if _converter is None:
            _converter = opencc.OpenCC("s2tw")
        return str(_converter.convert(text))


@functools.lru_cache(maxsize=4096)
def traditional(simplified: str) -> str:
    """``simplified`` in Traditional Chinese as written in Taiwan."""
    for cn, tw in HALL_WORDS:
        simplified = simplified.replace(cn, tw)
    return _convert(simplified)
