"""Resident ID number rules (GB 11643-1999), masking and the person key.

Pure standard library: the kiosk imports this for instant feedback on manual entry.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from caller_server.domain.errors import InvalidIdentity

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_GB11643 = re.compile(r"^\d{17}[\dX]$")
# 2017 foreigner permanent residence card: three letters (nationality) + 12 digits.
_PERMIT_2017 = re.compile(r"^[A-Z]{3}\d{12}$")


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


def check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def _birth(number: str) -> date:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidIdentity("the birth date inside the number does not exist") from exc


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
    check digit, impossible birth date).
    """
    number = raw.strip().upper().replace(" ", "")
    if card_type is CardType.FOREIGN_2017:
        if not _PERMIT_2017.match(number):
            raise InvalidIdentity("a 2017 permanent residence number is 3 letters and 12 digits")
        return IdNumber(number, card_type, None, Sex.UNKNOWN)
    if len(number) != 18:
        raise InvalidIdentity(f"an ID number has 18 characters, this one has {len(number)}")
    if not _GB11643.match(number):
        raise InvalidIdentity("only digits, and X as the last character, are allowed")
    if check_character(number[:17]) != number[17]:
        raise InvalidIdentity("the check digit does not match")
    birth = _birth(number)
    if birth > (today or date.today()):
        raise InvalidIdentity("the birth date is in the future")
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return IdNumber(number, card_type, birth, sex)


def mask_id_number(number: str) -> str:
    """``410104********1234``: the first six and the last four characters."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """``张*明``; two characters ``张*``; four ``欧阳**``; Latin names ``J*** S****``."""
    name = name.strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    if len(name) == 3:
        return name[0] + "*" + name[2]
    return name[:2] + "*" * (len(name) - 2)


def person_key(secret: bytes, number: str) -> str:
    """HMAC-SHA256 of the normalised number under the hall secret (hex)."""
    return hmac.new(secret, number.strip().upper().encode("ascii"), hashlib.sha256).hexdigest()


def age_band(age: int | None) -> str:
    """The coarse age band kept for statistics instead of the birth date."""
    if age is None:
        return "unknown"
    for upper, label in ((18, "0-17"), (40, "18-39"), (60, "40-59"), (70, "60-69")):
        if age < upper:
            return label
    return "70+"
