"""Personal values that mask themselves in logs, screens and diagnostics.

The masking rules for numbers and names live in :mod:`drivers.idcard.idrules`
(shared with the server); free text such as an address is masked here.
"""

from __future__ import annotations

from drivers.idcard.idrules import mask_id_number, mask_name


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
