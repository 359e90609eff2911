"""The GA/T 467 read answer paged out of a reader's built-in SAM (``FF B0 0n 00 00``).

The SAM's answer to "read text + photo" is one buffer: a 4-byte header (text
length, photo length, big-endian), 256 text bytes and 1,024 photo bytes, 1,284
bytes in all. Readers page it out through a pseudo-APDU, page ``n`` from offset
``256 × n``, in one of two ways told apart by the length of page 0:

* 256-byte pages: page 0 is bytes 0–255 (header + text 0–251), page 1 starts
  with text 252–255, …, page 5 holds the last 4 bytes;
* a 260-byte page 0 (header + the whole text); pages 1–5 as above, so page 1
  repeats 4 bytes already read (the bytes of page 0 win).

The public code for these readers never checks a status word, and readers are
not known to send one, so an answer is recognised by its length alone: the
data, optionally followed by ``90 00``. Anything else is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.idcard.apdu import SW_OK, Transmit
from drivers.idcard.errors import CardDataError, CardRemovedError, ReadFailedError

HEADER_SIZE = 4
FIRST_PAGE_SIZES = (256, 260)
TEXT_SIZE = 256


@dataclass(frozen=True)
class PagedAnswer:
    text: bytes
    photo: bytes
    first_page: int
    """Length of page 0 as this reader sent it (256 or 260)."""


def _page_data(answer: bytes, sizes: tuple[int, ...], apdu: bytes) -> bytes:
    """The data of one page: exactly one of ``sizes`` long, with or without ``90 00``."""
    if not answer:
        raise CardRemovedError()
    if len(answer) in sizes:
        return answer
    if len(answer) - 2 in sizes and int.from_bytes(answer[-2:], "big") == SW_OK:
        return answer[:-2]
    if len(answer) == 2:
        raise ReadFailedError(
            message_en=f"the reader answered {answer.hex().upper()} to {apdu.hex(' ')}"
        )
    raise ReadFailedError(
        message_en=f"{len(answer)}-byte answer to {apdu.hex(' ')}, expected {sizes} bytes"
    )


def read_pages(transmit: Transmit, page_apdu: str, page_size: int) -> PagedAnswer:
    """Read the whole buffer; ``page_apdu`` is a hex template with ``{page:02X}``."""

    def page(number: int, sizes: tuple[int, ...]) -> bytes:
        apdu = bytes.fromhex(page_apdu.format(page=number))
        return _page_data(transmit(apdu), sizes, apdu)

    buffer = bytearray(page(0, FIRST_PAGE_SIZES))
    first_page = len(buffer)
    text_len = int.from_bytes(buffer[0:2], "big")
    photo_len = int.from_bytes(buffer[2:4], "big")
    if text_len != TEXT_SIZE:
        raise CardDataError(message_en=f"the reader announces {text_len} text bytes, not 256")
    total = HEADER_SIZE + text_len + photo_len
    number = 1
    while len(buffer) < total:
        start = number * page_size
        data = page(number, (min(page_size, total - start),))
        buffer += data[len(buffer) - start :]
        number += 1
    text_end = HEADER_SIZE + text_len
    return PagedAnswer(bytes(buffer[HEADER_SIZE:text_end]), bytes(buffer[text_end:]), first_page)
