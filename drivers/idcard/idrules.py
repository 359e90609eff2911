"""The one implementation of the ID number rules (GB 11643-1999) and of masking.

A leaf module: it imports only the standard library and nothing else of
``drivers``, so ``caller_server.domain.identity`` can re-export it without
pulling in any hardware code (see docs/idcard.md, "One set of identity rules").

Numbers. 18 characters on mainland cards, on ``J`` cards (港澳台居民居住证,
area 81/82/83) and on ``Y`` cards (2023 foreigner permanent residence, leading
9): 6-digit area code, 8-digit birth date, 3-digit sequence (odd for men) and a
check character over the first 17. ``I`` cards (2017 permanent residence)
carry 3 letters (nationality) and 12 digits, without a check character.

Masking, decided once per kind of value (the shown parts are what a clerk
needs to tell two people apart, never enough to rebuild the value):

=====================================  ===================  =====================
value                                  rule                 example
=====================================  ===================  =====================
18-char number (mainland, J, Y)        first 6 + last 4     ``410104********1234``
15-char permit number (I card)         first 6 + last 4     ``USA110*****1201``
short numbers (passport, HK/Macau      last 4, at least 4   ``*****5678``
pass, social security card number)     hidden, else all
Chinese name                           GLOSSARY rule        ``张*``, ``张*明``, ``欧阳**``
Latin-script name (I/Y English name)   first letter of      ``L* X*******``
                                       every word
=====================================  ===================  =====================
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_GB11643 = re.compile(r"^\d{17}[\dX]$")
_PERMIT_2017 = re.compile(r"^[A-Z]{3}\d{12}$")
LONG_NUMBER = 11
"""From this length on a number keeps its first 6 and last 4 characters."""
SHOWN_TAIL = 4


class IdNumberError(ValueError):
    """An ID number breaks a rule; the message names which one (English)."""


def normalise(raw: str) -> str:
    """NFKC, upper case, without spaces: a Chinese input method types full-width digits
    (``４１０１…``) and a full-width space, and a lower-case ``x`` is typed often."""
    return unicodedata.normalize("NFKC", raw).strip().upper().replace(" ", "")


def check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError("the first 17 characters of an ID number must be digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


@dataclass(frozen=True, slots=True)
class IdNumberFacts:
    """What a valid number tells without any lookup; ``birth``/``male`` are None for I cards."""

    number: str
    birth: date | None
    male: bool | None


def parse_gb11643(raw: str, *, today: date | None = None) -> IdNumberFacts:
    """Validate an 18-character number; raises :class:`IdNumberError` saying why not.

    ``today`` (optional) also refuses a birth date in the future.
    """
    number = normalise(raw)
    if len(number) != 18:
        raise IdNumberError(f"an ID number has 18 characters, this one has {len(number)}")
    if not _GB11643.match(number):
        raise IdNumberError("only digits, and X as the last character, are allowed")
    if check_character(number[:17]) != number[17]:
        raise IdNumberError("the check digit does not match")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("the birth date inside the number does not exist") from None
    if today is not None and birth > today:
        raise IdNumberError("the birth date is in the future")
    return IdNumberFacts(number, birth, int(number[16]) % 2 == 1)


def parse_permit_2017(raw: str) -> IdNumberFacts:
    """Validate a 2017 permanent residence number (3 letters + 12 digits)."""
    number = normalise(raw)
    if not _PERMIT_2017.match(number):
        raise IdNumberError("a 2017 permanent residence number is 3 letters and 12 digits")
    return IdNumberFacts(number, None, None)


def is_valid_id_number(raw: str) -> bool:
    try:
        parse_gb11643(raw)
    except IdNumberError:
        return False
    return True


def mask_id_number(number: str) -> str:
    """Any document number, by the table in the module docstring."""
    size = len(number)
    if size >= LONG_NUMBER:
        return number[:6] + "*" * (size - 10) + number[-SHOWN_TAIL:]
    if size >= 2 * SHOWN_TAIL:
        return "*" * (size - SHOWN_TAIL) + number[-SHOWN_TAIL:]
    return "*" * size


def _mask_word(word: str) -> str:
    return word[0] + "*" * (len(word) - 1)


def mask_name(name: str) -> str:
    """A Chinese name by the GLOSSARY rule, a Latin-script name word by word."""
    name = name.strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(_mask_word(word) for word in name.split())
    size = len(name)
    if size == 1:
        return "*"
    if size == 2:
        return name[0] + "*"
    if size == 3:
        return name[0] + "*" + name[2]
    return name[:2] + "*" * (size - 2)
