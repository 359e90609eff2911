"""The package's one exception family, with Chinese and English messages.

Two branches tell a caller what to do next:

* :class:`ReaderError` — the reader itself is in trouble (unplugged, silent, SAM
  not authorized, library missing): close it and open it again later.
* everything else — this tap went wrong (no card, select or read failed, bad
  checksum on the wire, card pulled away): ask the citizen to place the card again.
"""

from __future__ import annotations


class IdCardError(Exception):
    """Base of every error raised by :mod:`drivers.idcard`."""

    message_zh: str = "身份证读卡错误"
    message_en: str = "ID card reader error"
    status: int | None = None
    """SW3 of the SAM answer behind this error, when there is one."""

    def __init__(self, message_zh: str | None = None, message_en: str | None = None) -> None:
        if message_zh is not None:
            self.message_zh = message_zh
        if message_en is not None:
            self.message_en = message_en
        super().__init__(f"{self.message_zh} / {self.message_en}")


class ReaderError(IdCardError):
    """The reader cannot work until it is opened again."""

    message_zh = "读卡器故障"
    message_en = "the card reader is not working"


class ReaderUnavailableError(ReaderError):
    message_zh = "读卡器未连接或无法打开"
    message_en = "the card reader is not connected or cannot be opened"


class ReaderTimeoutError(ReaderError):
    message_zh = "读卡器无响应"
    message_en = "the card reader did not answer in time"


class ModuleTimeoutError(ReaderTimeoutError):
    """The module answered with the vendor "timeout" frame (``AA AA AA 96 69 00 05 05 05 05 …``)."""

    message_zh = "读卡模块超时"
    message_en = "the SAM module reports a timeout"


class MissingDependencyError(ReaderError):
    """A hardware library is not installed; the message names the extra."""

    def __init__(self, library: str, extra: str) -> None:
        hint = f"pip install 'yihao[{extra}]'"
        super().__init__(
            f"缺少 {library} 库，请安装：{hint}",
            f"the {library} library is not installed: {hint}",
        )


class SamError(ReaderError):
    """The SAM module answered with a status that blocks every read."""

    message_zh = "安全模块(SAM)故障"
    message_en = "the SAM module reports a fault"


class SamNotAuthorizedError(SamError):
    message_zh = "安全模块(SAM)未授权"
    message_en = "the SAM module is not authorized"


class FrameError(IdCardError):
    """A frame on the wire is malformed."""

    message_zh = "通讯数据格式错误"
    message_en = "malformed frame on the wire"


class ChecksumError(FrameError):
    message_zh = "通讯校验和错误，请重新放卡"
    message_en = "checksum error on the wire, please place the card again"


class LengthError(FrameError):
    message_zh = "通讯数据长度错误"
    message_en = "length error on the wire"


class CardError(IdCardError):
    """This tap failed; the citizen should place the card again."""

    message_zh = "读卡失败，请重新放卡"
    message_en = "the card could not be read, please place it again"


class NoCardError(CardError):
    message_zh = "未检测到身份证，请将身份证放在感应区"
    message_en = "no card: place your ID card on the reader"


class SelectFailedError(CardError):
    message_zh = "选卡失败，请重新放卡"
    message_en = "the card could not be selected, please place it again"


class ReadFailedError(CardError):
    message_zh = "读卡失败，请重新放卡"
    message_en = "reading the card failed, please place it again"


class CardRemovedError(CardError):
    message_zh = "读卡过程中卡片被移开，请重新放卡并保持不动"
    message_en = "the card was taken away during the read, place it again and hold it still"


class UnsupportedCardError(CardError):
    message_zh = "无法识别的卡片"
    message_en = "this card is not a supported ID or social security card"


class UnreadableCardError(CardError):
    """A plain contactless reader sees an ID card but has no SAM to read it."""

    def __init__(self, serial: str | None) -> None:
        suffix_zh = f"（卡片序列号 {serial}）" if serial else ""
        suffix_en = f" (card serial {serial})" if serial else ""
        super().__init__(
            "此读卡器检测到身份证，但没有安全模块(SAM)，无法读取证件信息" + suffix_zh,
            "this reader sees an ID card but has no SAM module and cannot read it" + suffix_en,
        )
        self.serial = serial


class CardDataError(CardError):
    message_zh = "卡片数据无效"
    message_en = "the card data is not valid"


class ProfileError(IdCardError):
    """A reader profile file is not valid."""

    message_zh = "读卡器配置文件无效"
    message_en = "the reader profile is not valid"
