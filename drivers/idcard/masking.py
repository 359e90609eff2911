"""Masking of personal data for logs, screens and diagnostics.

ID numbers keep the first 6 and last 4 characters (``410104********1234``);
names keep the first character (``张*``, ``张*明``) or, from four characters on,
the first two (``欧阳**``).
"""

from __future__ import annotations


def mask_id_number(number: str) -> str:
    if len(number) > 10:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    if len(number) > 4:
        return "*" * (len(number) - 4) + number[-4:]
    return "*" * len(number)


def mask_name(name: str) -> str:
    size = len(name)
    if size <= 1:
        return "*" * size
    if size == 2:
        return name[0] + "*"
    if size == 3:
        return name[0] + "*" + name[2]
    return name[:2] + "*" * (size - 2)


def mask_text(text: str, keep: int = 6) -> str:
    """Free text such as an address: the first ``keep`` characters, then stars."""
    if len(text) <= keep:
        return text[:1] + "*" * (len(text) - 1) if text else ""
    return text[:keep] + "*" * 4


class Sensitive:
    """A personal value whose ``str``/``repr``/``format`` are masked.

    ``reveal()`` is the one way to the raw value, so an f-string or a log line
    built from a card can never leak it by accident.
    """

    __slots__ = ("_masked", "_value")

    def __init__(self, value: str, masked: str) -> None:
        self._value = value
        self._masked = masked

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return self._masked

    def __str__(self) -> str:
        return self._masked

    def __repr__(self) -> str:
        return f"Sensitive({self._masked!r})"

    def __format__(self, spec: str) -> str:
        return format(self._masked, spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sensitive) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def sensitive_name(name: str) -> Sensitive:
    return Sensitive(name, mask_name(name))


def sensitive_id_number(number: str) -> Sensitive:
    return Sensitive(number, mask_id_number(number))


def sensitive_text(text: str) -> Sensitive:
    return Sensitive(text, mask_text(text))
