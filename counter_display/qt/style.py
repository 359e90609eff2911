"""Sizes derived from the window height, so one layout serves 1366×768 up to 3840×2160."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

FONT_FAMILIES = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC"]
BACKGROUND = "#0b1f3a"
NUMBER = "#ffd54a"
TEXT = "#ffffff"
MUTED = "#9fb3c8"
PAUSED = "#ff8a80"


def font(pixels: float, bold: bool = False) -> QFont:
    available = set(QFontDatabase.families())
    family = next((f for f in FONT_FAMILIES if f in available), "")
    result = QFont(family) if family else QFont()
    result.setPixelSize(max(8, round(pixels)))
    result.setBold(bold)
    return result
