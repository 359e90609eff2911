"""Record files read with ISO 7816-4 READ RECORD (the social security card's EF05/EF06).

``00 B2 P1 P2 Le``: with P2 = ``04`` P1 is a record number (1, 2, 3 … in file
order); with P2 = ``00`` P1 is a record identifier (the first byte of a
tag-length-value record) and the card returns the first record carrying it.
Cards differ in what they support and in the order of their records, so each
field is read by its record number when the profile knows it and by its
identifier otherwise, and a mode that fails (``6A 83`` record not found,
``6A 81``/``6A 86``/``6B 00`` addressing not supported, or a record with the
wrong tag) hands over to the other mode, which is then tried first for the rest
of the file. The Le sent is the exact record size when the profile knows the
value length (tag + length + value), else ``00`` and the ``6C xx`` fix-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from drivers.idcard.apdu import SW_OK, Transmit, checked, exchange
from drivers.idcard.errors import CardDataError, ReadFailedError

logger = logging.getLogger(__name__)

BY_NUMBER = 0x04
BY_IDENTIFIER = 0x00
_OTHER_MODE_SW = frozenset({0x6A83, 0x6A81, 0x6A86, 0x6B00})

DECODERS: dict[str, Callable[[bytes], str]] = {
    "ascii": lambda raw: raw.decode("ascii"),
    "gb18030": lambda raw: raw.decode("gb18030"),
    "bcd": lambda raw: raw.hex(),
}


@dataclass(frozen=True)
class RecordField:
    tag: int
    """Record identifier: the first byte of the TLV record."""
    field: str
    encoding: str
    number: int | None = None
    """Record number within the file (1-based), when known."""
    length: int | None = None
    """Length of the value, when known: Le = length + 2."""


@dataclass(frozen=True)
class RecordFile:
    select: bytes
    records: tuple[RecordField, ...]


def read_record_apdu(p1: int, mode: int, length: int | None) -> bytes:
    return bytes([0x00, 0xB2, p1, mode, 0 if length is None else length + 2])


def _value(data: bytes, record: RecordField) -> bytes | None:
    """The TLV value when ``data`` is the record asked for, else None."""
    if len(data) >= 2 and data[0] == record.tag and data[1] == len(data) - 2:
        return data[2:]
    return None


def _read_one(transmit: Transmit, record: RecordField, modes: list[int]) -> bytes:
    for mode in list(modes):
        if mode == BY_NUMBER and record.number is None:
            continue
        p1 = record.number if mode == BY_NUMBER else record.tag
        assert p1 is not None
        apdu = read_record_apdu(p1, mode, record.length)
        data, sw = exchange(transmit, apdu)
        value = _value(data, record) if sw == SW_OK else None
        if value is not None:
            return value
        if sw != SW_OK and sw not in _OTHER_MODE_SW:
            raise ReadFailedError(message_en=f"the card answered {sw:04X} to {apdu.hex(' ')}")
        logger.debug("READ RECORD %s gave %04X, trying the other mode", apdu.hex(" "), sw)
        modes.remove(mode)
        modes.append(mode)
    raise CardDataError(message_en=f"no record {record.tag:02X} ({record.field}) on the card")


def read_files(transmit: Transmit, files: tuple[RecordFile, ...]) -> dict[str, str]:
    """Select each file and read its fields; raw text values, padding stripped."""
    fields: dict[str, str] = {}
    for file in files:
        checked(transmit, file.select)
        modes = [BY_NUMBER, BY_IDENTIFIER]
        for record in file.records:
            raw = _read_one(transmit, record, modes)
            try:
                fields[record.field] = DECODERS[record.encoding](raw).strip(" \x00")
            except UnicodeDecodeError:
                raise CardDataError(message_en=f"record {record.tag:02X} is not text") from None
    return fields
