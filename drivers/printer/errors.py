"""The one exception family of the printer driver.

Every error carries a message for the citizen in Chinese (``message_zh``) and
English (``message_en``) so the kiosk can show it as is, plus a technical
``detail`` for the log.
"""

from __future__ import annotations

_ASK_STAFF_ZH = "请联系工作人员"
_ASK_STAFF_EN = "please ask staff"


class PrinterError(Exception):
    """Base of every printer failure; a failed print always raises one of these."""

    message_zh = f"打印机故障，{_ASK_STAFF_ZH}"
    message_en = f"printer fault, {_ASK_STAFF_EN}"

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(detail or self.message_en)

    def __str__(self) -> str:
        return f"{self.message_en}: {self.detail}" if self.detail else self.message_en


class PrinterConnectionError(PrinterError):
    """The transport could not be opened, written or read (cable, network, permissions)."""

    message_zh = f"打印机连接失败，{_ASK_STAFF_ZH}"
    message_en = f"cannot reach the printer, {_ASK_STAFF_EN}"


class PrinterConfigError(PrinterError):
    """A printer spec or option is not valid."""

    message_zh = f"打印机配置错误，{_ASK_STAFF_ZH}"
    message_en = f"the printer is not configured correctly, {_ASK_STAFF_EN}"


class PrinterDependencyError(PrinterError, ImportError):
    """A library or program needed by this printer is not installed.

    Also an ImportError, so code treating printing as optional can catch it as one.
    """

    message_zh = f"打印组件未安装，{_ASK_STAFF_ZH}"
    message_en = f"printing support is not installed, {_ASK_STAFF_EN}"


class FontNotFoundError(PrinterError):
    """No font with Chinese glyphs was found for raster printing or the preview."""

    message_zh = f"缺少中文字体，{_ASK_STAFF_ZH}"
    message_en = f"no Chinese font is installed, {_ASK_STAFF_EN}"


def missing_library(package: str, extra: str = "kiosk", hint: str = "") -> PrinterDependencyError:
    """The error for a missing library or program, naming what to install."""
    how = hint or f"pip install 'yihao[{extra}]'"
    return PrinterDependencyError(f"{package} is not installed: {how}")
