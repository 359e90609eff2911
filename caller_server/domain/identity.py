"""Resident ID number rules (GB 11643-1999), masking and the person key.

The check digit, the number formats and masking have one implementation,
:mod:`drivers.idcard.idrules`, a leaf module of pure standard-library code that
this module re-exports (the one import of ``drivers`` allowed in
``caller_server``; see docs/idcard.md). The kiosk imports this module for
instant feedback on manual entry.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from caller_server.domain.errors import InvalidIdentity
from drivers.idcard import idrules
from drivers.idcard.idrules import check_character, mask_id_number, mask_name

__all__ = [
    "CardType",
    "IdNumber",
    "Sex",
    "age_band",
    "check_character",
    "mask_id_number",
    "mask_name",
    "parse_id_number",
    "person_key",
]


class CardType(StrEnum):
    """Card type byte at offset 248 of the card text; ``mainland`` is a blank there."""

    MAINLAND = "mainland"
    HMT_RESIDENCE = "J"  # 港澳台居民居住证
    FOREIGN_2017 = "I"  # 外国人永久居留身份证 (2017)
    FOREIGN_2023 = "Y"  # 外国人永久居留身份证 (2023)


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "U"


@dataclass(frozen=True)
class IdNumber:
    """A validated identity number. ``str()`` never shows it; use ``.value``."""

    value: str
    card_type: CardType
    birth: date | None
    sex: Sex

    def __repr__(self) -> str:
        return f"IdNumber({mask_id_number(self.value)!r}, {self.card_type.value})"

    __str__ = __repr__

    @property
    def masked(self) -> str:
        return mask_id_number(self.value)

    @property
    def province_code(self) -> str | None:
        """GB/T 2260 province code (first two digits); None for the 2017 foreigner card."""
        return None if self.card_type is CardType.FOREIGN_2017 else self.value[:2]

    def age_on(self, day: date) -> int | None:
        if self.birth is None:
            return None
        years = day.year - self.birth.year
        if (day.month, day.day) < (self.birth.month, self.birth.day):
            years -= 1
        return years


def parse_id_number(
    raw: str, card_type: CardType = CardType.MAINLAND, *, today: date | None = None
) -> IdNumber:
    """Validate an ID number and read birth date and sex from it.

    Raises :class:`InvalidIdentity` naming what is wrong (length, characters,
    check digit, impossible or future birth date).
    """
    try:
        if card_type is CardType.FOREIGN_2017:
            facts = idrules.parse_permit_2017(raw)
        else:
            facts = idrules.parse_gb11643(raw, today=today or date.today())
    except idrules.IdNumberError as exc:
        raise InvalidIdentity(str(exc)) from None
    sex = Sex.UNKNOWN if facts.male is None else Sex.MALE if facts.male else Sex.FEMALE
    return IdNumber(facts.number, card_type, facts.birth, sex)


def person_key(secret: bytes, number: str) -> str:
    """HMAC-SHA256 of the normalised number under the hall secret (hex)."""
    return hmac.new(secret, idrules.normalise(number).encode("utf-8"), hashlib.sha256).hexdigest()


def age_band(age: int | None) -> str:
    """The coarse age band kept for statistics instead of the birth date."""
    if age is None:
        return "unknown"
    for upper, label in ((18, "0-17"), (40, "18-39"), (60, "40-59"), (70, "60-69")):
        if age < upper:
            return label
    return "70+"
