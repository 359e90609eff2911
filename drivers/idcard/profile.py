"""PC/SC reader profiles: how a reader family exposes card data, as data.

A profile is a JSON file (see ``profiles/``) with an ATR pattern and the APDUs
to send. Three kinds exist:

* ``text_block`` — the reader's SAM pages out the GA/T 467 read answer (header,
  text block, photo) through a pseudo-APDU ``page_apdu`` (see
  :mod:`drivers.idcard.pages`); ``page_size`` is the size of pages 1 on;
  are text or photo;
* ``records`` — an application with record files read as tag-length-value
  (the social security card);
* ``unreadable`` — the card is recognised but cannot be read on this reader;
  the driver reports it clearly, with its serial. An ATR is no proof of the
  card type (other ISO 14443 Type B cards, the German eID among them, share
  the resident ID card's ``3B 88 80 01 …``), so the card must first answer
  ``serial_apdu`` with exactly ``serial_length`` bytes and ``90 00``; a card
  that does not is not this profile's card.

``priority`` orders the profiles tried for an ATR (lower first); a ``records``
profile whose application is missing on the card lets the next one try.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from drivers.idcard.apdu import SW_OK, Transmit, exchange
from drivers.idcard.card import CardType, IdentityCard, Source, card_from_fields
from drivers.idcard.cardtext import parse_text_block
from drivers.idcard.errors import ProfileError, UnreadableCardError
from drivers.idcard.pages import read_pages
from drivers.idcard.records import DECODERS, RecordField, RecordFile, read_files

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    kind: Literal["text_block", "records", "unreadable"]
    priority: int
    atr: re.Pattern[str]
    source: Source
    card_type: CardType | None = None
    page_apdu: str = ""
    page_size: int = 256
    application: bytes = b""
    files: tuple[RecordFile, ...] = ()
    serial_apdu: bytes = b""
    serial_length: int = 8

    def matches(self, atr: bytes) -> bool:
        return self.atr.search(atr.hex(" ").upper()) is not None


def _hex(text: str) -> bytes:
    return bytes.fromhex(text)


def _optional_int(value: object) -> int | None:
    return None if value is None else int(str(value), 0)


def _record_field(data: dict[str, Any]) -> RecordField:
    return RecordField(
        tag=int(str(data["tag"]), 16),
        field=str(data["field"]),
        encoding=str(data["encoding"]),
        number=_optional_int(data.get("record")),
        length=_optional_int(data.get("length")),
    )


def profile_from_dict(data: dict[str, Any]) -> Profile:
    """Build and check a profile; raises :class:`ProfileError`."""
    try:
        kind = data["kind"]
        profile = Profile(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            kind=kind,
            priority=int(data.get("priority", 50)),
            atr=re.compile(data["atr"]),
            source=Source(data.get("source", "card")),
            card_type=CardType(data["card_type"]) if "card_type" in data else None,
            page_apdu=str(data.get("page_apdu", "")),
            page_size=int(data.get("page_size", 256)),
            application=_hex(data.get("application", "")),
            files=tuple(
                RecordFile(
                    _hex(f["select"]),
                    tuple(_record_field(r) for r in f["records"]),
                )
                for f in data.get("files", ())
            ),
            serial_apdu=_hex(data.get("serial_apdu", "")),
            serial_length=int(data.get("serial_length", 8)),
        )
        complete = {
            "text_block": bool(profile.page_apdu) and profile.page_size > 0,
            "records": bool(profile.application and profile.files and profile.card_type)
            and all(r.encoding in DECODERS for f in profile.files for r in f.records),
            "unreadable": profile.serial_length > 0,
        }
        if kind == "text_block":
            bytes.fromhex(profile.page_apdu.format(page=0))
        if not complete[kind]:
            raise ValueError(f"incomplete {kind} profile")
    except (KeyError, ValueError, TypeError, IndexError, re.error) as exc:
        name = data.get("name", "?") if isinstance(data, dict) else "?"
        raise ProfileError(f"读卡器配置 {name} 无效", f"reader profile {name!r}: {exc}") from exc
    return profile


def load_profiles(extra: Iterable[Path] = ()) -> list[Profile]:
    """The built-in profiles plus ``extra`` files, in priority order."""
    texts = [
        entry.read_text(encoding="utf-8")
        for entry in resources.files("drivers.idcard.profiles").iterdir()
        if entry.name.endswith(".json")
    ]
    try:
        texts += [path.read_text(encoding="utf-8") for path in extra]
        profiles = [profile_from_dict(json.loads(text)) for text in texts]
    except (OSError, ValueError) as exc:
        raise ProfileError(message_en=f"cannot load a reader profile: {exc}") from exc
    return sorted(profiles, key=lambda p: (p.priority, p.name))


def _text_block(profile: Profile, transmit: Transmit) -> IdentityCard:
    answer = read_pages(transmit, profile.page_apdu, profile.page_size)
    logger.debug("FF B0 reader: page 0 has %d bytes", answer.first_page)
    return parse_text_block(answer.text, answer.photo, profile.source)


def _records(profile: Profile, transmit: Transmit) -> IdentityCard | None:
    if exchange(transmit, profile.application)[1] != SW_OK:
        return None
    fields = read_files(transmit, profile.files)
    assert profile.card_type is not None
    return card_from_fields(fields, profile.card_type, profile.source)


def _unreadable(profile: Profile, transmit: Transmit) -> None:
    """Raises :class:`UnreadableCardError` for this profile's card; None for another card."""
    if not profile.serial_apdu:
        raise UnreadableCardError(None)
    data, sw = exchange(transmit, profile.serial_apdu)
    if sw != SW_OK or len(data) != profile.serial_length:
        logger.debug("%s: the card answered %04X with %d bytes", profile.name, sw, len(data))
        return None
    raise UnreadableCardError(data.hex().upper())


_RUNNERS: dict[str, Callable[[Profile, Transmit], IdentityCard | None]] = {
    "text_block": _text_block,
    "records": _records,
    "unreadable": _unreadable,
}


def run_profile(profile: Profile, transmit: Transmit) -> IdentityCard | None:
    """Read the card with ``profile``; None when the card is not of this profile."""
    return _RUNNERS[profile.kind](profile, transmit)
