"""The identity read from a card: :class:`IdentityCard`.

Personal values (name, ID number, address, document numbers) are
:class:`~drivers.idcard.masking.Sensitive`: ``repr``/``str`` of a card and of
those values show only masked forms; ``.reveal()`` gives the raw value to the
code that needs it. The photo stays opaque bytes and is never written anywhere.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from drivers.idcard.errors import CardDataError
from drivers.idcard.idrules import parse_gb11643
from drivers.idcard.masking import Sensitive, sensitive_id_number, sensitive_name, sensitive_text
from drivers.idcard.nations import nation_name

logger = logging.getLogger(__name__)

LONG_TERM = "长期"


class CardType(enum.StrEnum):
    MAINLAND = "mainland"
    """居民身份证."""
    HMT_RESIDENCE = "J"
    """港澳台居民居住证."""
    FOREIGN_2017 = "I"
    """外国人永久居留身份证 (2017)."""
    FOREIGN_2023 = "Y"
    """外国人永久居留身份证 (2023)."""
    SOCIAL_SECURITY = "social_security"
    """社会保障卡 (read over a contact reader)."""


class Source(enum.StrEnum):
    CARD = "card"
    SSC = "ssc"


class Sex(enum.StrEnum):
    UNKNOWN = "unknown"
    MALE = "male"
    FEMALE = "female"
    UNSPECIFIED = "unspecified"

    @classmethod
    def from_code(cls, code: str) -> Sex:
        """GB/T 2261.1 code: 0 unknown, 1 male, 2 female, 9 unspecified."""
        try:
            return _SEX_CODES[code.strip()]
        except KeyError:
            raise CardDataError(
                message_en=f"sex code {code.strip()!r} is not 0, 1, 2 or 9"
            ) from None

    @property
    def label_zh(self) -> str:
        return {"male": "男", "female": "女", "unknown": "未知", "unspecified": "未说明"}[
            self.value
        ]


_SEX_CODES = {"0": Sex.UNKNOWN, "1": Sex.MALE, "2": Sex.FEMALE, "9": Sex.UNSPECIFIED}

_CHECKED_NUMBERS = {CardType.MAINLAND, CardType.HMT_RESIDENCE, CardType.FOREIGN_2023}


@dataclass(frozen=True)
class IdentityCard:
    """Who is standing at the reader."""

    card_type: CardType
    source: Source
    name: Sensitive
    sex: Sex
    id_number: Sensitive
    nation: str | None
    valid_to: date | None
    """None for 长期 (no end date)."""
    birth: date = field(repr=False)
    valid_from: date | None = field(repr=False)
    address: Sensitive = field(repr=False)
    authority: str = field(repr=False)
    nation_code: str | None = field(default=None, repr=False)
    english_name: Sensitive | None = field(default=None, repr=False)
    nationality: str | None = field(default=None, repr=False)
    """ISO 3166 alpha-3 code on I and Y cards."""
    document_number: Sensitive | None = field(default=None, repr=False)
    """Pass number on J cards, card number on social security cards."""
    issue_count: str | None = field(default=None, repr=False)
    """签发次数 (J) or 换证次数 (Y)."""
    card_version: str | None = field(default=None, repr=False)
    old_card_link: str | None = field(default=None, repr=False)
    appended_address: Sensitive | None = field(default=None, repr=False)
    """The latest address appended to the card after a move (追加住址), when there is one."""
    photo: bytes = field(default=b"", repr=False, compare=False)
    """WLT photo, opaque; decodable only with licensed vendor libraries."""
    fingerprint: bytes = field(default=b"", repr=False, compare=False)
    """Fingerprint data, only when a reader was told to keep it; opaque, never stored."""

    @property
    def current_address(self) -> Sensitive:
        """The appended address when the card has one, else the printed address."""
        return self.appended_address or self.address

    def age_on(self, day: date) -> int:
        years = day.year - self.birth.year
        return years - ((day.month, day.day) < (self.birth.month, self.birth.day))

    def is_expired(self, day: date) -> bool:
        return self.valid_to is not None and day > self.valid_to

    def to_dict(self, *, unmask: bool = False) -> dict[str, str | None]:
        """The diagnostic view; personal fields are masked unless ``unmask``."""

        def show(value: Sensitive) -> str:
            return value.reveal() if unmask else value.masked

        return {
            "name": show(self.name),
            "sex": self.sex.value,
            "nation": self.nation,
            "birth": self.birth.isoformat() if unmask else f"{self.birth.year}-**-**",
            "address": show(self.address),
            "appended_address": show(self.appended_address) if self.appended_address else None,
            "id_number": show(self.id_number),
            "authority": self.authority,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "card_type": self.card_type.value,
            "source": self.source.value,
        }


def _date(fields: Mapping[str, str], key: str) -> date:
    text = fields.get(key, "").strip()
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise CardDataError(message_en=f"the {key} field is not a YYYYMMDD date")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise CardDataError(message_en=f"the {key} field is not a real date") from None


def _optional_date(fields: Mapping[str, str], key: str) -> date | None:
    return _date(fields, key) if fields.get(key, "").strip() else None


def _optional(fields: Mapping[str, str], key: str) -> str | None:
    return fields.get(key, "").strip() or None


def card_from_fields(
    fields: Mapping[str, str], card_type: CardType, source: Source, photo: bytes = b""
) -> IdentityCard:
    """Build a card from the raw text fields of any layout.

    Keys: ``name sex nation birth address id_number authority valid_from
    valid_to`` and, where the card has them, ``english_name nationality
    document_number issue_count card_version old_card_link``.
    """
    english = _optional(fields, "english_name")
    name = _optional(fields, "name") or english
    if not name:
        raise CardDataError(message_en="the card carries no name")
    id_number = fields.get("id_number", "").strip().upper()
    if not id_number:
        raise CardDataError(message_en="the card carries no ID number")
    if card_type in _CHECKED_NUMBERS:
        try:
            parse_gb11643(id_number)
        except ValueError as exc:
            raise CardDataError(message_en=f"the ID number is not valid: {exc}") from None
    valid_to_text = fields.get("valid_to", "").strip()
    nation_code = _optional(fields, "nation")
    nation = nation_name(nation_code) if nation_code else None
    if nation_code and nation is None:
        logger.warning("unknown nation code %r on a %s card", nation_code, card_type.value)
    document = _optional(fields, "document_number")
    return IdentityCard(
        card_type=card_type,
        source=source,
        name=sensitive_name(name),
        sex=Sex.from_code(fields.get("sex", "")),
        id_number=sensitive_id_number(id_number),
        nation=nation,
        nation_code=nation_code,
        birth=_date(fields, "birth"),
        address=sensitive_text(fields.get("address", "").strip()),
        authority=fields.get("authority", "").strip(),
        valid_from=_optional_date(fields, "valid_from"),
        valid_to=None if valid_to_text == LONG_TERM else _date(fields, "valid_to"),
        english_name=sensitive_name(english) if english else None,
        nationality=_optional(fields, "nationality"),
        document_number=sensitive_id_number(document) if document else None,
        issue_count=_optional(fields, "issue_count"),
        card_version=_optional(fields, "card_version"),
        old_card_link=_optional(fields, "old_card_link"),
        photo=photo,
    )
