"""Sizes and colours of the two modes, as one Qt style sheet.

The numbers follow MIIT's 《移动互联网应用(App)适老化通用设计规范》 converted to the kiosk's panel
(see docs/kiosk.md): on a 21.5″ 1080×1920 panel (≈ 102 dpi) 18 pt is 25 px, 30 pt is 42 px
and 15 mm is 60 px. Standard mode already meets them; 长辈模式 goes well beyond.
"""

from __future__ import annotations

from dataclasses import dataclass

INK = "#10243e"
"""Text: dark navy on the light background (contrast ≈ 15:1)."""
PAPER = "#f4f7fb"
ACCENT = "#0b4f9c"
"""Primary buttons: white on this blue (≈ 8:1)."""
MUTED_BG = "#dde3ea"
MUTED_INK = "#3a4654"
"""Disabled categories: still ≈ 7:1, and always with the reason in words."""
ALERT = "#9b1c1c"
"""Error accents: white on this red (≈ 8:1), never colour alone (an icon and words)."""
LINE_HEIGHT = 140
"""Line height of wrapped text in percent (MIIT: ≥ 1.3)."""


@dataclass(frozen=True)
class Scale:
    body: int
    """Body text, px."""
    title: int
    number: int
    """The ticket number."""
    target: int
    """Minimum height of a touch target, px."""
    gap: int


STANDARD = Scale(body=36, title=60, number=160, target=110, gap=24)
ELDERLY = Scale(body=48, title=76, number=180, target=140, gap=28)


def scale(elderly: bool) -> Scale:
    return ELDERLY if elderly else STANDARD


def style_sheet(elderly: bool, landscape: bool = False) -> str:
    """The style of one mode; landscape (1080 px high) prints the ticket number smaller."""
    s = scale(elderly)
    number = s.number * 3 // 4 if landscape else s.number
    return f"""
    QWidget#kiosk {{ background: {PAPER}; }}
    QLabel {{ color: {INK}; font-size: {s.body}px; background: transparent; }}
    QLabel[role="title"] {{ font-size: {s.title}px; font-weight: bold; }}
    QLabel[role="number"] {{ font-size: {number}px; font-weight: bold; }}
    QLabel[role="hall"] {{ font-size: {s.body}px; font-weight: bold; }}
    QLabel[role="hero"] {{ font-size: {s.title + 8}px; font-weight: bold; }}
    QLabel[role="arrow"] {{ font-size: {s.title * 3 // 2}px; font-weight: bold; color: {ACCENT}; }}
    QLabel[role="lead"] {{ font-size: {(s.body + s.title) // 2}px; font-weight: bold; }}
    QLabel[role="banner"] {{
        color: #ffffff; background: {ALERT}; padding: {s.gap // 2}px; font-size: {s.body}px;
    }}
    QLabel[role="icon"] {{
        color: #ffffff; background: {ALERT}; font-size: {s.title}px; font-weight: bold;
        min-width: {s.target}px; min-height: {s.target}px; border-radius: {s.target // 2}px;
    }}
    QPushButton {{
        color: #ffffff; background: {ACCENT}; font-size: {s.body}px; font-weight: bold;
        min-height: {s.target}px; min-width: {s.target}px; padding: 0 {s.gap}px;
        border: none; border-radius: 12px;
    }}
    QPushButton[role="category"] {{ padding: 0 {s.gap}px; }}
    QPushButton[role="category"] QLabel {{ color: #ffffff; }}
    QPushButton[role="category"] QLabel[role="title"] {{ font-size: {s.title}px; }}
    QPushButton[role="category"] QLabel[role="lead"] {{ font-size: {(s.body + s.title) // 2}px; }}
    QPushButton[role="category"] QLabel[muted="true"] {{ color: {MUTED_INK}; }}
    QPushButton:disabled {{ color: {MUTED_INK}; background: {MUTED_BG}; }}
    QPushButton[role="hall"] {{ background: transparent; }}
    QPushButton[role="secondary"] {{
        color: {INK}; background: #ffffff; border: 3px solid {INK};
    }}
    QPushButton[role="secondary"]:checked {{ border: 6px solid {ACCENT}; }}
    """
