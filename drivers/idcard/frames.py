"""GA/T 467 "SAM" frame codec.

Frame: ``AA AA AA 96 69 | LEN_HI LEN_LO | body | CHK``. LEN counts body + CHK;
CHK is the XOR of every byte from LEN_HI to the byte before CHK. A request body
is ``CMD PARA [data]``; a response body is ``SW1 SW2 SW3 [data]`` with
SW1 = SW2 = 00 and SW3 the status.

:class:`FrameDecoder` is incremental: feed it whatever the wire delivered, take
complete frames out. Bytes before a preamble and preambles followed by an
impossible length are skipped (resynchronisation). Errors are always
:class:`~drivers.idcard.errors.IdCardError` subclasses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from drivers.idcard.errors import (
    CardDataError,
    ChecksumError,
    FrameError,
    IdCardError,
    LengthError,
    ModuleTimeoutError,
    NoCardError,
    ReadFailedError,
    SamError,
    SamNotAuthorizedError,
    SelectFailedError,
    UnsupportedCardError,
)

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_SIZE = len(PREAMBLE) + 2
MIN_LENGTH = 3
"""Smallest LEN: a request ``CMD PARA`` + CHK."""
MAX_LENGTH = 4096
"""Largest LEN accepted; the biggest real answer (text + photo + fingerprint) is 2,314."""
TIMEOUT_MARK = b"\x05\x05\x05"
"""Start of the body of the vendor "timeout" frame ``AA AA AA 96 69 00 05 05 05 05 …``:
vendor code matches that prefix only, so neither SW1 SW2 = 00 00 nor the checksum hold."""


class Command(enum.Enum):
    """SAM commands as ``(CMD, PARA)``."""

    RESET = (0x10, 0xFF)
    STATUS = (0x11, 0xFF)
    SAM_ID = (0x12, 0xFF)
    FIND = (0x20, 0x01)
    SELECT = (0x20, 0x02)
    READ = (0x30, 0x01)
    READ_WITH_FINGERPRINT = (0x30, 0x10)
    READ_NEW_ADDRESS = (0x30, 0x03)
    """The latest appended address (追加住址), ``SDT_ReadNewAppMsg`` in vendor SDKs."""


class Status(enum.IntEnum):
    """SW3 values that mean success."""

    OK = 0x90
    FOUND = 0x9F


_STATUS_ERRORS: dict[int, tuple[type[IdCardError], str, str]] = {
    0x10: (ChecksumError, "SAM 收到的数据校验和错", "the SAM received a frame with a bad checksum"),
    0x11: (LengthError, "SAM 收到的数据长度错", "the SAM received a frame with a bad length"),
    0x21: (SamError, "SAM 不支持此命令", "the SAM does not know this command"),
    0x23: (SamNotAuthorizedError, "越权操作", "operation not permitted by the SAM"),
    0x24: (SamError, "SAM 无法识别的错误", "unrecognised SAM error"),
    0x31: (
        ReadFailedError,
        "卡认证 SAM 失败，请重新放卡",
        "the card rejected the SAM, place it again",
    ),
    0x32: (
        ReadFailedError,
        "SAM 认证卡失败，请重新放卡",
        "the SAM rejected the card, place it again",
    ),
    0x33: (CardDataError, "证卡信息验证错误", "the card information failed verification"),
    0x40: (UnsupportedCardError, "无法识别的卡类型", "unknown card type"),
    0x41: (ReadFailedError, "读卡操作失败，请重新放卡", "reading the card failed, place it again"),
    0x47: (
        ReadFailedError,
        "取随机数失败，请重新放卡",
        "the card gave no random number, place it again",
    ),
    0x60: (SamError, "SAM 自检失败", "the SAM self-test failed"),
    0x66: (SamNotAuthorizedError, "SAM 未经授权", "the SAM is not authorized"),
    0x80: (NoCardError, "未找到身份证", "no card found"),
    0x81: (SelectFailedError, "选卡失败，请重新放卡", "selecting the card failed, place it again"),
    0x91: (ReadFailedError, "证卡中无此项内容", "the card has no such content"),
}


def error_for_status(status: int) -> IdCardError:
    """The typed error for a failing SW3 status."""
    cls, zh, en = _STATUS_ERRORS.get(status, (SamError, "SAM 未知状态", "unknown SAM status"))
    error = cls(f"{zh} (0x{status:02X})", f"{en} (0x{status:02X})")
    error.status = status
    return error


def xor_checksum(data: bytes) -> int:
    """XOR of all bytes, folded as one big integer (fast for 1 KiB frames)."""
    value = int.from_bytes(data, "little")
    size = len(data)
    while size > 1:
        half = (size + 1) // 2
        value = (value & ((1 << (8 * half)) - 1)) ^ (value >> (8 * half))
        size = half
    return value


def build_frame(body: bytes) -> bytes:
    """Wrap a body in preamble, length and checksum."""
    length = len(body) + 1
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise LengthError(message_en=f"frame body of {len(body)} bytes cannot be sent")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes([xor_checksum(head + body)])


def build_request(command: Command, data: bytes = b"") -> bytes:
    return build_frame(bytes(command.value) + data)


def build_response(status: int, data: bytes = b"") -> bytes:
    return build_frame(bytes([0, 0, status]) + data)


@dataclass(frozen=True, slots=True)
class Request:
    cmd: int
    para: int
    data: bytes

    @classmethod
    def parse(cls, body: bytes) -> Request:
        if len(body) < 2:
            raise FrameError(message_en="request body shorter than CMD PARA")
        return cls(body[0], body[1], body[2:])

    def command(self) -> Command | None:
        try:
            return Command((self.cmd, self.para))
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    data: bytes

    @classmethod
    def parse(cls, body: bytes) -> Response:
        """Raises ModuleTimeoutError for the vendor timeout frame, FrameError if malformed."""
        if body.startswith(TIMEOUT_MARK):
            raise ModuleTimeoutError()
        if len(body) < 3:
            raise FrameError(message_en="response body shorter than SW1 SW2 SW3")
        if body[0] or body[1]:
            raise FrameError(message_en=f"SW1 SW2 are {body[0]:02X} {body[1]:02X}, not 00 00")
        return cls(body[2], body[3:])

    @property
    def ok(self) -> bool:
        return self.status in (Status.OK, Status.FOUND)

    def raise_for_status(self) -> Response:
        if not self.ok:
            raise error_for_status(self.status)
        return self


def split_read_payload(data: bytes, parts: int = 2) -> tuple[bytes, ...]:
    """``LEN_1 … LEN_n part_1 … part_n`` (2-byte big-endian lengths) → the parts.

    ``parts`` = 2 for the read answer (text, photo), 3 for the read with
    fingerprint (text, photo, fingerprint).
    """
    head = 2 * parts
    if len(data) < head:
        raise LengthError(message_en="read answer shorter than its length fields")
    lengths = [int.from_bytes(data[i : i + 2], "big") for i in range(0, head, 2)]
    if head + sum(lengths) != len(data):
        announced = "+".join(str(length) for length in lengths)
        raise LengthError(
            message_en=f"read answer: {announced} bytes announced, {len(data) - head} sent"
        )
    result, offset = [], head
    for length in lengths:
        result.append(data[offset : offset + length])
        offset += length
    return tuple(result)


class FrameDecoder:
    """Incremental frame splitter with resynchronisation on garbage."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.skipped = 0
        """Garbage bytes dropped so far (for diagnostics)."""

    def feed(self, data: bytes) -> None:
        self._buf += data

    def wanted(self) -> int:
        """How many more bytes the next frame needs at least (≥ 1)."""
        if len(self._buf) >= HEADER_SIZE and self._buf.startswith(PREAMBLE):
            length = int.from_bytes(self._buf[5:7], "big")
            return max(1, HEADER_SIZE + length - len(self._buf))
        return max(1, HEADER_SIZE - len(self._buf))

    def _drop(self, count: int) -> None:
        del self._buf[:count]
        self.skipped += count

    def next_body(self) -> bytes | None:
        """The body of the next complete frame, or None until more bytes arrive.

        Raises :class:`ChecksumError` for a complete frame whose CHK is wrong;
        that frame is consumed, so decoding can go on afterwards.
        """
        buf = self._buf
        while True:
            start = buf.find(PREAMBLE)
            if start < 0:
                self._drop(max(0, len(buf) - (len(PREAMBLE) - 1)))
                return None
            if start:
                self._drop(start)
            if len(buf) < HEADER_SIZE:
                return None
            length = int.from_bytes(buf[5:7], "big")
            if not MIN_LENGTH <= length <= MAX_LENGTH:
                self._drop(1)
                continue
            end = HEADER_SIZE + length
            if len(buf) < end:
                return None
            frame = bytes(buf[:end])
            del buf[:end]
            if frame[HEADER_SIZE:].startswith(TIMEOUT_MARK):
                return frame[HEADER_SIZE:-1]
            if xor_checksum(frame[5:-1]) != frame[-1]:
                raise ChecksumError()
            return frame[HEADER_SIZE:-1]
