"""Sending APDUs: the transmit callable and the T=0 fix-ups every profile needs."""

from __future__ import annotations

from collections.abc import Callable

from drivers.idcard.errors import CardRemovedError, ReadFailedError

Transmit = Callable[[bytes], bytes]
"""Sends a C-APDU, returns the R-APDU (data + SW1 SW2)."""

SW_OK = 0x9000


def exchange(transmit: Transmit, apdu: bytes) -> tuple[bytes, int]:
    """Send one APDU with T=0 fix-ups: ``6C xx`` resends with Le = xx, ``61 xx`` fetches more."""
    answer = transmit(apdu)
    if len(answer) >= 2 and answer[-2] == 0x6C and len(apdu) == 5:
        answer = transmit(apdu[:4] + answer[-1:])
    data = b""
    for _ in range(64):
        if len(answer) < 2:
            raise CardRemovedError()
        data += answer[:-2]
        if answer[-2] != 0x61:
            return data, int.from_bytes(answer[-2:], "big")
        answer = transmit(b"\x00\xc0\x00\x00" + answer[-1:])
    raise ReadFailedError(message_en="the card keeps announcing more data (61 xx)")


def checked(transmit: Transmit, apdu: bytes) -> bytes:
    """The answer data; :class:`ReadFailedError` unless the card said ``90 00``."""
    data, sw = exchange(transmit, apdu)
    if sw != SW_OK:
        raise ReadFailedError(message_en=f"the card answered {sw:04X} to {apdu[:4].hex(' ')}")
    return data
