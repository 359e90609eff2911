"""The 256-byte text block of a resident ID card (UCS-2 little-endian, space padded).

One layout table per card type, read by :func:`parse_text_block` and written by
:func:`build_text_block` (the simulator's side). Offsets and sizes are bytes.
The character at offset 248 tells the card type: space for mainland cards,
``J``, ``I`` or ``Y`` for the residence and permanent-residence cards.
"""

from __future__ import annotations

from collections.abc import Mapping

from drivers.idcard.card import CardType, IdentityCard, Source, card_from_fields
from drivers.idcard.errors import CardDataError, UnsupportedCardError

TEXT_SIZE = 256
TYPE_OFFSET = 248

Segment = tuple[int, int]
"""(offset, size) in bytes."""

_MAINLAND: dict[str, tuple[Segment, ...]] = {
    "name": ((0, 30),),
    "sex": ((30, 2),),
    "nation": ((32, 4),),
    "birth": ((36, 16),),
    "address": ((52, 70),),
    "id_number": ((122, 36),),
    "authority": ((158, 30),),
    "valid_from": ((188, 16),),
    "valid_to": ((204, 16),),
}

LAYOUTS: dict[CardType, dict[str, tuple[Segment, ...]]] = {
    CardType.MAINLAND: _MAINLAND,
    CardType.HMT_RESIDENCE: {
        **_MAINLAND,
        "document_number": ((220, 18),),
        "issue_count": ((238, 4),),
    },
    CardType.FOREIGN_2017: {
        "english_name": ((0, 120),),
        "sex": ((120, 2),),
        "id_number": ((122, 30),),
        "nationality": ((152, 6),),
        "name": ((158, 30),),
        "valid_from": ((188, 16),),
        "valid_to": ((204, 16),),
        "birth": ((220, 16),),
        "card_version": ((236, 4),),
        "authority": ((240, 8),),
    },
    CardType.FOREIGN_2023: {
        "name": ((0, 30),),
        "sex": ((30, 2),),
        "issue_count": ((32, 4),),
        "birth": ((36, 16),),
        "english_name": ((52, 70), (220, 22)),
        "id_number": ((122, 36),),
        "valid_from": ((188, 16),),
        "valid_to": ((204, 16),),
        "nationality": ((242, 6),),
        "old_card_link": ((250, 6),),
    },
}

_TYPE_LETTERS = {
    " ": CardType.MAINLAND,
    "J": CardType.HMT_RESIDENCE,
    "I": CardType.FOREIGN_2017,
    "Y": CardType.FOREIGN_2023,
}
_LETTERS = {card_type: letter for letter, card_type in _TYPE_LETTERS.items()}
_PAD = " \x00"


def _decode(raw: bytes, field: str) -> str:
    try:
        return raw.decode("utf-16-le")
    except UnicodeDecodeError:
        raise CardDataError(message_en=f"the {field} field is not valid UCS-2 text") from None


def _card_type_of(block: bytes) -> CardType:
    letter = _decode(block[TYPE_OFFSET : TYPE_OFFSET + 2], "card type").strip("\x00") or " "
    try:
        return _TYPE_LETTERS[letter]
    except KeyError:
        raise UnsupportedCardError(message_en=f"unknown card type letter {letter!r}") from None


def text_fields(block: bytes) -> tuple[CardType, dict[str, str]]:
    """Split a text block into its raw (unpadded) fields."""
    if len(block) != TEXT_SIZE:
        raise CardDataError(message_en=f"the text block has {len(block)} bytes, not {TEXT_SIZE}")
    card_type = _card_type_of(block)
    fields = {
        name: "".join(_decode(block[start : start + size], name) for start, size in segments)
        for name, segments in LAYOUTS[card_type].items()
    }
    return card_type, {name: value.strip(_PAD) for name, value in fields.items()}


def parse_text_block(
    block: bytes, photo: bytes = b"", source: Source = Source.CARD
) -> IdentityCard:
    card_type, fields = text_fields(block)
    return card_from_fields(fields, card_type, source, photo)


def build_text_block(card_type: CardType, fields: Mapping[str, str]) -> bytes:
    """Lay raw fields out as a card would (used by the simulator and tests)."""
    layout = LAYOUTS[card_type]
    unknown = set(fields) - set(layout)
    if unknown:
        raise CardDataError(message_en=f"{card_type.value} cards have no {sorted(unknown)} field")
    block = bytearray(" ".encode("utf-16-le") * (TEXT_SIZE // 2))
    block[TYPE_OFFSET : TYPE_OFFSET + 2] = _LETTERS[card_type].encode("utf-16-le")
    for name, value in fields.items():
        data = value.encode("utf-16-le")
        for start, size in layout[name]:
            chunk, data = data[:size], data[size:]
            block[start : start + len(chunk)] = chunk
        if data:
            raise CardDataError(message_en=f"the {name} value does not fit its field")
    return bytes(block)


APPENDED_ADDRESS_SIZE = 70
"""The appended address (追加住址): 70 bytes of UCS-2 text like the address field."""


def parse_appended_address(data: bytes) -> str:
    """The address text; empty when the module sent only padding."""
    if len(data) != APPENDED_ADDRESS_SIZE:
        raise CardDataError(
            message_en=f"the appended address has {len(data)} bytes, not {APPENDED_ADDRESS_SIZE}"
        )
    return _decode(data, "appended address").strip(_PAD)


def build_appended_address(address: str) -> bytes:
    data = address.encode("utf-16-le")
    if len(data) > APPENDED_ADDRESS_SIZE:
        raise CardDataError(message_en="the appended address does not fit its field")
    return data + " ".encode("utf-16-le") * ((APPENDED_ADDRESS_SIZE - len(data)) // 2)
