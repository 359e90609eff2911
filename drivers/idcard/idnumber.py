"""Citizen ID number rules (GB 11643-1999).

18 characters: 6-digit area code, 8-digit birth date, 3-digit sequence (odd for
men, even for women) and a check character computed from the first 17.
The same rules hold for the numbers on ``J`` (港澳台居民居住证, area 81/82/83)
and ``Y`` (2023 foreigner permanent residence, leading 9) cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def check_character(first17: str) -> str:
    """The check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("the first 17 characters of an ID number must be digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


@dataclass(frozen=True, slots=True)
class IdNumberFacts:
    """What an ID number tells without any lookup."""

    area_code: str
    birth: date
    male: bool


def parse_id_number(number: str) -> IdNumberFacts:
    """Validate an 18-character ID number and read its facts.

    Raises ``ValueError`` with an English reason when the number is not valid.
    """
    number = number.upper()
    if len(number) != 18:
        raise ValueError("an ID number has 18 characters")
    if check_character(number[:17]) != number[17]:
        raise ValueError("the check character does not match")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValueError("the birth date inside the number is not a date") from exc
    return IdNumberFacts(area_code=number[:6], birth=birth, male=int(number[16]) % 2 == 1)


def is_valid_id_number(number: str) -> bool:
    try:
        parse_id_number(number)
    except ValueError:
        return False
    return True
