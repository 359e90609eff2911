"""Fake citizens for the simulators, loaded from JSON.

File format::

    {"citizens": [{"label": "child", "card_type": "mainland" | "J" | "I" | "Y",
                   "fields": {<text block fields, see cardtext.LAYOUTS>},
                   "ssc": {"card_number": …, "issued": YYYYMMDD, "expires": YYYYMMDD},
                   "appended_address": "…", "fingerprints": 0 | 1 | 2}]}

``ssc`` is optional and makes the citizen usable as a social security card;
``appended_address`` (optional) is the latest address appended after a move;
``fingerprints`` (default 2) is how many fingerprints the chip holds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from drivers.idcard.card import CardType, IdentityCard
from drivers.idcard.cardtext import build_text_block, parse_text_block
from drivers.idcard.errors import CardDataError, IdCardError
from drivers.idcard.masking import sensitive_text

PHOTO_SIZE = 1024
FINGERPRINT_SIZE = 512
"""Bytes of one fingerprint template on the chip (two: 1,024)."""


@dataclass(frozen=True)
class SocialSecurity:
    card_number: str
    issued: str
    expires: str


@dataclass(frozen=True)
class Citizen:
    """One fake person and the card they carry."""

    label: str
    card_type: CardType
    fields: dict[str, str]
    ssc: SocialSecurity | None = None
    appended_address: str | None = None
    fingerprints: int = 2

    def __repr__(self) -> str:
        return f"Citizen({self.label!r}, {self.card_type.value})"

    def text_block(self) -> bytes:
        return build_text_block(self.card_type, self.fields)

    def photo(self) -> bytes:
        """Deterministic stand-in for the WLT photo."""
        seed = hashlib.sha256(self.label.encode()).digest()
        return (b"WLT-SIM:" + seed * 32)[:PHOTO_SIZE]

    def fingerprint(self) -> bytes:
        """Deterministic stand-in for the fingerprint data (512 bytes a finger)."""
        seed = hashlib.sha256(b"fingerprint:" + self.label.encode()).digest()
        return (seed * 32)[:FINGERPRINT_SIZE] * self.fingerprints

    def card_serial(self) -> bytes:
        """The 8-byte chip serial."""
        return hashlib.sha256(b"serial:" + self.label.encode()).digest()[:8]

    def expected_card(self) -> IdentityCard:
        """The card a SAM reader returns for this citizen (with the appended address)."""
        card = parse_text_block(self.text_block(), self.photo())
        if self.appended_address:
            card = replace(card, appended_address=sensitive_text(self.appended_address))
        return card


def bundled_citizens_path() -> Path:
    return Path(str(resources.files("drivers.idcard").joinpath("citizens.json")))


def load_citizens(path: Path | None = None) -> list[Citizen]:
    """Citizens from ``path`` (default: the bundled fixture set), checked to build."""
    path = path or bundled_citizens_path()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        citizens = [
            Citizen(
                label=str(entry["label"]),
                card_type=CardType(entry["card_type"]),
                fields={str(k): str(v) for k, v in entry["fields"].items()},
                ssc=SocialSecurity(**entry["ssc"]) if "ssc" in entry else None,
                appended_address=entry.get("appended_address"),
                fingerprints=int(entry.get("fingerprints", 2)),
            )
            for entry in document["citizens"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CardDataError(
            f"模拟人员文件无效：{path}", f"the simulated citizens file {path} is not valid: {exc}"
        ) from exc
    for citizen in citizens:
        try:
            citizen.expected_card()
        except IdCardError as exc:
            raise CardDataError(
                f"模拟人员 {citizen.label} 数据无效",
                f"simulated citizen {citizen.label}: {exc.message_en}",
            ) from exc
    if not citizens:
        raise CardDataError(f"模拟人员文件为空：{path}", f"no citizens in {path}")
    return citizens


def find_citizen(citizens: list[Citizen], key: str) -> Citizen:
    """A citizen by label or by index."""
    for citizen in citizens:
        if citizen.label == key:
            return citizen
    if key.isdigit() and int(key) < len(citizens):
        return citizens[int(key)]
    labels = ", ".join(c.label for c in citizens)
    raise CardDataError(f"没有模拟人员 {key}", f"no simulated citizen {key!r} (have: {labels})")
