"""The kiosk's words: Simplified Chinese in the code, zh-TW and English from Qt translation files.

Each text has a key (the view model and the screens use keys) and its zh-CN source below, marked
with ``QT_TRANSLATE_NOOP`` so that ``pyside6-lupdate`` finds it. The translations are Qt Linguist
sources, ``assets/i18n/kiosk_zh_TW.ts`` and ``kiosk_en.ts``, compiled to the ``.qm`` files next
to them by ``make i18n`` (``pyside6-lupdate`` then ``pyside6-lrelease``); docs/kiosk.md says how
to add a text. Every citizen may pick a language, so each language has its own
:class:`QTranslator` and :func:`msg` asks it directly instead of installing one translator for
the whole application.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import cast

from PySide6 import QtCore
from PySide6.QtCore import QTranslator

from kiosk.config import KioskConfigError

log = logging.getLogger(__name__)

QT_TRANSLATE_NOOP = cast(Callable[[str, str], str], QtCore.QT_TRANSLATE_NOOP)
"""Qt's marker (returns its text; typed ``object`` by PySide), named so lupdate finds the calls."""

LANGS = ("zh-CN", "zh-TW", "en")
DEFAULT_LANG = "zh-CN"
LANG_NAMES = {"zh-CN": "简体中文", "zh-TW": "繁體中文", "en": "English"}
CONTEXT = "kiosk"
"""The Qt translation context of every kiosk text."""

MESSAGES: dict[str, str] = {
    "attract_title": QT_TRANSLATE_NOOP("kiosk", "请将身份证放在感应区"),
    "attract_hint": QT_TRANSLATE_NOOP("kiosk", "感应区在屏幕下方，放上即可，无需插入"),
    "open_now": QT_TRANSLATE_NOOP("kiosk", "正在办理的业务"),
    "waiting_eta": QT_TRANSLATE_NOOP("kiosk", "{n} 人等候 · 约 {m} 分钟"),
    "elderly_on": QT_TRANSLATE_NOOP("kiosk", "长辈模式"),
    "elderly_off": QT_TRANSLATE_NOOP("kiosk", "标准模式"),
    "no_id": QT_TRANSLATE_NOOP("kiosk", "无证取号"),
    "choose_title": QT_TRANSLATE_NOOP("kiosk", "请选择您要办理的业务"),
    "closed": QT_TRANSLATE_NOOP("kiosk", "已停止取号"),
    "full": QT_TRANSLATE_NOOP("kiosk", "今日号已取完"),
    "issuing": QT_TRANSLATE_NOOP("kiosk", "正在取号，请稍候"),
    "retrying": QT_TRANSLATE_NOOP("kiosk", "网络不通，正在重试（第 {n} 次）"),
    "taken_title": QT_TRANSLATE_NOOP("kiosk", "请取走您的号票"),
    "printing": QT_TRANSLATE_NOOP("kiosk", "正在打印号票"),
    "ahead": QT_TRANSLATE_NOOP("kiosk", "前面还有 {n} 人"),
    "eta": QT_TRANSLATE_NOOP("kiosk", "预计等待 {n} 分钟"),
    "qr_hint": QT_TRANSLATE_NOOP("kiosk", "扫码查看排队进度"),
    "priority_elderly": QT_TRANSLATE_NOOP("kiosk", "您可优先办理（长者优先）"),
    "priority_appointment": QT_TRANSLATE_NOOP("kiosk", "您的预约已签到，将优先叫号"),
    "existing": QT_TRANSLATE_NOOP("kiosk", "您已取过号，这是您的号票"),
    "reactivated": QT_TRANSLATE_NOOP("kiosk", "您的号已恢复排队"),
    "reprint": QT_TRANSLATE_NOOP("kiosk", "重新打印"),
    "print_failed": QT_TRANSLATE_NOOP("kiosk", "号票未能打印，请拍下本屏幕"),
    "printing_paused": QT_TRANSLATE_NOOP("kiosk", "暂停打印：请记下屏幕上的号码"),
    "reader_fault": QT_TRANSLATE_NOOP(
        "kiosk", "读卡器故障，请联系工作人员；无需身份证的业务仍可取号"
    ),
    "card_expired": QT_TRANSLATE_NOOP("kiosk", "您的证件已过期，请到人工窗口办理"),
    "card_invalid": QT_TRANSLATE_NOOP("kiosk", "无法识别这张证件，请换一张证件或联系工作人员"),
    "card_pulled": QT_TRANSLATE_NOOP("kiosk", "读卡中断，请将证件放稳，再放一次"),
    "server_down": QT_TRANSLATE_NOOP("kiosk", "暂时无法连接服务器，请稍后再试或联系工作人员"),
    "category_closed": QT_TRANSLATE_NOOP("kiosk", "该业务现在已停止取号"),
    "category_full": QT_TRANSLATE_NOOP("kiosk", "该业务今日号已取完"),
    "over_limit": QT_TRANSLATE_NOOP("kiosk", "今日取号已满，这是您的号票"),
    "identity_required": QT_TRANSLATE_NOOP("kiosk", "该业务需要身份证，请将身份证放在感应区"),
    "refused": QT_TRANSLATE_NOOP("kiosk", "无法取号，请联系工作人员"),
    "home": QT_TRANSLATE_NOOP("kiosk", "返回首页"),
    "extend": QT_TRANSLATE_NOOP("kiosk", "还需要时间"),
    "countdown": QT_TRANSLATE_NOOP("kiosk", "{n} 秒后返回首页"),
    "countdown_spoken": QT_TRANSLATE_NOOP(
        "kiosk", "还有 {n} 秒返回首页，需要更多时间请点“还需要时间”"
    ),
    "guide_number": QT_TRANSLATE_NOOP(
        "kiosk", "您的号码是 {number}，前面还有 {n} 人，请取走您的号票"
    ),
    "identity": QT_TRANSLATE_NOOP("kiosk", "证件"),
    "admin_title": QT_TRANSLATE_NOOP("kiosk", "管理设置"),
    "admin_pin": QT_TRANSLATE_NOOP("kiosk", "请输入管理密码"),
    "admin_token": QT_TRANSLATE_NOOP("kiosk", "自助机令牌"),
    "admin_save": QT_TRANSLATE_NOOP("kiosk", "保存"),
    "admin_wrong_pin": QT_TRANSLATE_NOOP("kiosk", "密码错误"),
    "admin_saved": QT_TRANSLATE_NOOP("kiosk", "已保存"),
    "more_below": QT_TRANSLATE_NOOP("kiosk", "↑ 向上滑动，查看更多业务"),
    "reader_down_title": QT_TRANSLATE_NOOP("kiosk", "读卡器暂时无法使用"),
    "reader_down_hint": QT_TRANSLATE_NOOP(
        "kiosk", "无需身份证的业务，请点下方「无证取号」；其他业务请找工作人员"
    ),
    "appointment_at": QT_TRANSLATE_NOOP("kiosk", "您预约了 {time} {category}，已签到，将优先叫号"),
    "manual": QT_TRANSLATE_NOOP("kiosk", "手工输入证件号"),
    "keypad_title": QT_TRANSLATE_NOOP("kiosk", "请输入 18 位身份证号码"),
    "entry_short": QT_TRANSLATE_NOOP("kiosk", "还需输入 {n} 位"),
    "entry_valid": QT_TRANSLATE_NOOP("kiosk", "✓ 号码校验正确，请点「确定」"),
    "entry_invalid": QT_TRANSLATE_NOOP("kiosk", "✗ 号码有误，请核对后修改"),
    "ok": QT_TRANSLATE_NOOP("kiosk", "确定"),
    "delete": QT_TRANSLATE_NOOP("kiosk", "删除"),
}
"""Key → zh-CN source text; ``{name}`` fields are filled in by :func:`msg`."""


class TranslationsMissing(KioskConfigError):
    """A compiled ``.qm`` file is not where the kiosk looks for it."""


def assets_dir() -> Path:
    """The assets directory (``YIHAO_ASSETS`` overrides the one next to the code)."""
    override = os.environ.get("YIHAO_ASSETS")
    return Path(override) if override else Path(__file__).resolve().parents[1] / "assets"


def qm_path(lang: str) -> Path:
    """The compiled translation of ``lang`` (``kiosk_zh_TW.qm``, ``kiosk_en.qm``)."""
    return assets_dir() / "i18n" / f"kiosk_{lang.replace('-', '_')}.qm"


@cache
def translator(lang: str) -> QTranslator | None:
    """The loaded translator of ``lang``; None for zh-CN, the language of the sources."""
    if lang == DEFAULT_LANG:
        return None
    qt = QTranslator()
    path = qm_path(lang)
    if not qt.load(str(path)):
        raise TranslationsMissing(
            f"界面翻译文件缺失或无法读取：{path}（请运行 make i18n） / "
            f"translation file missing or unreadable: {path} (run `make i18n`)"
        )
    return qt


def check_translations() -> None:
    """Load every language now: a broken install fails at start, not in front of a citizen."""
    for lang in LANGS:
        translator(lang)


def msg(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` with ``values`` filled in."""
    source = MESSAGES[key]
    qt = translator(lang if lang in LANGS else DEFAULT_LANG)
    text = qt.translate(CONTEXT, source) if qt is not None else source
    if not text:
        log.warning("no %s translation of %r", lang, key)
        text = source
    return text.format(**values) if values else text
