"""Virtual cards for vsmartcard's ``vpcd`` reader driver inside ``pcscd``.

``vpcd`` listens on TCP 35963 (reader ``Virtual PCD 00 00``; 35964 is
``… 00 01``). A virtual card connects there; each message is a 2-byte
big-endian length and a payload. One-byte payloads are control messages
(0 power off, 1 power on, 2 reset, 4 send the ATR); longer ones are C-APDUs to
answer with an R-APDU. Connecting is inserting the card, closing is removing it.

The cards here are written from the documents in HARDWARE.md, independently of
the driver's profiles, so the profiles are tested against them.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
from typing import Protocol

from drivers.idcard.sim.citizens import Citizen

logger = logging.getLogger(__name__)

VPCD_PORT = 35963
SW_OK = b"\x90\x00"
SW_WRONG_P1P2 = b"\x6a\x86"
SW_FILE_NOT_FOUND = b"\x6a\x82"
SW_RECORD_NOT_FOUND = b"\x6a\x83"
SW_FUNCTION_NOT_SUPPORTED = b"\x6a\x81"
SW_NO_CURRENT_EF = b"\x69\x86"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_CLA_NOT_SUPPORTED = b"\x6e\x00"

_GET_ATR = 4


class VirtualCard(Protocol):
    atr: bytes

    def apdu(self, command: bytes) -> bytes:
        """The R-APDU (data + SW1 SW2) for a C-APDU."""


class SamReaderCard:
    """What a reader with a built-in SAM shows over PC/SC (the ``FF B0`` family).

    ATR bytes 13–14 are ``90 00``. The SAM's 1,284-byte read answer (header
    ``01 00 04 00``, 256 text bytes, 1,024 photo bytes) is paged out by
    ``FF B0 0n 00 00``: page ``n`` is the 256 bytes from offset ``256 × n``
    (page 5: the last 4), except page 0, which is ``first_page`` bytes long
    (256, or 260 = header + the whole text). ``status_words=False`` is a
    reader that sends the data without ``90 00``.
    """

    atr = bytes.fromhex("3B8B8001" + "00" * 9 + "9000" + "9A")
    PAGE = 256

    def __init__(
        self, citizen: Citizen, *, first_page: int = 256, status_words: bool = True
    ) -> None:
        self._buffer = b"\x01\x00\x04\x00" + citizen.text_block() + citizen.photo()
        self._first_page = first_page
        self._status = SW_OK if status_words else b""
        self.pages: list[int] = []
        """Pages asked for (for tests)."""

    def apdu(self, command: bytes) -> bytes:
        if command[0] != 0xFF:
            return SW_CLA_NOT_SUPPORTED
        if command[1] != 0xB0:
            return SW_INS_NOT_SUPPORTED
        page = command[2]
        start = page * self.PAGE
        if start >= len(self._buffer) or command[3]:
            return SW_WRONG_P1P2
        self.pages.append(page)
        size = self._first_page if page == 0 else self.PAGE
        return self._buffer[start : start + size] + self._status


class BareIdCard:
    """An ID card on a plain contactless reader: only its serial is readable."""

    atr = bytes.fromhex("3B888001D10386050080800058")

    def __init__(self, serial: bytes) -> None:
        self._serial = serial

    def apdu(self, command: bytes) -> bytes:
        if command == bytes.fromhex("0036000008"):
            return self._serial + SW_OK
        return SW_INS_NOT_SUPPORTED


class ForeignTypeBCard:
    """A German-eID-like ISO 14443 Type B card: the same ATR pattern as the resident
    ID card, but it answers ``6D 00`` to ``00 36`` and only knows its own application."""

    atr = bytes.fromhex("3B888001000000000000000009")
    AID = bytes.fromhex("E80704007F00070302")

    def apdu(self, command: bytes) -> bytes:
        if command[:2] == b"\x00\xa4":
            return SW_OK if command[5:] == self.AID else SW_FILE_NOT_FOUND
        return SW_INS_NOT_SUPPORTED


def _bcd(digits: str) -> bytes:
    return bytes.fromhex(digits)


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


EF06_ORDER = (0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D)


class SocialSecurityCard:
    """A 社会保障卡 with the SSSE application and its free files EF05/EF06.

    READ RECORD follows ISO 7816-4: P2 bits 1-3 = ``100`` read record number
    P1 (1-based, file order), ``000``/``001`` the first/last record whose
    identifier (first byte) is P1; P2 bits 4-8 a short file identifier (5 =
    EF05, 6 = EF06) or 0 for the current file. A record that is not there
    answers ``6A 83``. EF05's records are 01…07, so there record numbers equal
    the tags; EF06's are ``ef06_order`` (08…0D by default), so record 1 is the
    ID number. ``by_identifier=False`` is a card that only supports record
    numbers (``6A 81`` otherwise). Behaves like a T=0 card: SELECT of the
    application answers ``61 xx`` (FCI waiting for GET RESPONSE) and READ
    RECORD with a wrong Le answers ``6C xx``.
    """

    atr = bytes.fromhex("3B6C00000A0A0A0A0A0A0A0A0A0A0A0A")
    AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
    FCI = bytes.fromhex("6F0F840D") + b"sx1.sh.social"

    def __init__(
        self,
        citizen: Citizen,
        *,
        ef06_order: tuple[int, ...] = EF06_ORDER,
        by_identifier: bool = True,
    ) -> None:
        if citizen.ssc is None:
            raise ValueError(f"{citizen!r} has no social security data")
        f = citizen.fields
        ef06 = {
            0x08: f["id_number"].encode("ascii"),
            0x09: f["name"].encode("gb18030").ljust(30, b"\x00"),
            0x0A: f["sex"].encode("ascii"),
            0x0B: _bcd(f["nation"]),
            0x0C: _bcd(f["id_number"][:6]),
            0x0D: _bcd(f["birth"]),
        }
        self._files = {
            0xEF05: [
                _tlv(0x01, citizen.card_serial() * 2),
                _tlv(0x02, b"\x01"),
                _tlv(0x03, b"3.00"),
                _tlv(0x04, b"\x00" * 12),
                _tlv(0x05, _bcd(citizen.ssc.issued)),
                _tlv(0x06, _bcd(citizen.ssc.expires)),
                _tlv(0x07, citizen.ssc.card_number.encode("ascii")),
            ],
            0xEF06: [_tlv(tag, ef06[tag]) for tag in ef06_order],
        }
        self._by_identifier = by_identifier
        self._in_app = False
        self._ef: int | None = None
        self.reads: list[bytes] = []
        """Every READ RECORD received (for tests)."""

    def apdu(self, command: bytes) -> bytes:
        cla, ins, p1, p2 = command[:4]
        if cla != 0x00:
            return SW_CLA_NOT_SUPPORTED
        if ins == 0xA4:
            return self._select(p1, command[5 : 5 + command[4]] if len(command) > 5 else b"")
        if ins == 0xC0:
            return self.FCI + SW_OK
        if ins == 0xB2:
            self.reads.append(command)
            return self._read_record(p1, p2, command[4] if len(command) == 5 else 0)
        return SW_INS_NOT_SUPPORTED

    def _select(self, p1: int, data: bytes) -> bytes:
        if p1 == 0x04:
            self._in_app, self._ef = data == self.AID, None
            return bytes([0x61, len(self.FCI)]) if self._in_app else SW_FILE_NOT_FOUND
        if p1 == 0x02 and self._in_app and int.from_bytes(data, "big") in self._files:
            self._ef = int.from_bytes(data, "big")
            return SW_OK
        return SW_FILE_NOT_FOUND

    def _read_record(self, p1: int, p2: int, le: int) -> bytes:
        sfi, method = p2 >> 3, p2 & 0x07
        ef = self._ef if sfi == 0 else 0xEF00 | sfi
        if ef is None:
            return SW_NO_CURRENT_EF
        records = self._files.get(ef) if self._in_app else None
        if records is None:
            return SW_FILE_NOT_FOUND
        if method == 0x04 and p1:
            found = records[p1 - 1] if p1 <= len(records) else None
        elif method in (0x00, 0x01) and self._by_identifier:
            matches = [record for record in records if record[0] == p1]
            found = (matches[0] if method == 0x00 else matches[-1]) if matches else None
        else:
            return SW_FUNCTION_NOT_SUPPORTED
        if found is None:
            return SW_RECORD_NOT_FOUND
        if le != len(found):
            return bytes([0x6C, len(found)])
        return found + SW_OK


class VpcdClient:
    """Inserts a virtual card into a vpcd reader and removes it again."""

    def __init__(self, host: str = "127.0.0.1", port: int = VPCD_PORT) -> None:
        self.host = host
        self.port = port
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.apdus = 0
        """C-APDUs answered for the card inserted last."""

    def insert(self, card: VirtualCard, *, pull_after: int | None = None) -> None:
        """Put ``card`` on the reader; ``pull_after=n`` removes it when APDU n arrives."""
        self.remove()
        sock = socket.create_connection((self.host, self.port), timeout=5)
        sock.settimeout(None)
        self._socket, self.apdus = sock, 0
        self._thread = threading.Thread(
            target=self._serve, args=(sock, card, pull_after), name="idcard-vpcd", daemon=True
        )
        self._thread.start()

    def remove(self) -> None:
        sock, self._socket = self._socket, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _serve(self, sock: socket.socket, card: VirtualCard, pull_after: int | None) -> None:
        try:
            while True:
                (size,) = struct.unpack(">H", _recv_exactly(sock, 2))
                payload = _recv_exactly(sock, size)
                if size == 1:
                    if payload[0] == _GET_ATR:
                        sock.sendall(struct.pack(">H", len(card.atr)) + card.atr)
                    continue
                self.apdus += 1
                if pull_after is not None and self.apdus >= pull_after:
                    logger.info("simulated fault: card pulled at APDU %d", self.apdus)
                    sock.close()
                    return
                answer = card.apdu(payload)
                sock.sendall(struct.pack(">H", len(answer)) + answer)
        except (OSError, EOFError):
            logger.debug("virtual card connection closed")


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data
