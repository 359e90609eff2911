"""Who is at the kiosk: the issue request's identity from a card, and typed ID numbers.

Uses the pure ID-number rules of ``caller_server.domain.identity`` for instant feedback.
"""

from __future__ import annotations

from datetime import date

from caller_server.domain.errors import InvalidIdentity
from caller_server.domain.identity import parse_id_number
from caller_server.protocol import IdentityIn
from drivers.idcard import CardType, IdentityCard, Source

ID_LENGTH = 18


def entry_state(entry: str, today: date) -> str:
    """Live feedback on a typed ID number: ``short``, ``valid`` or ``invalid``."""
    if len(entry) < ID_LENGTH:
        return "invalid" if "X" in entry else "short"  # X is only ever the check character
    try:
        parse_id_number(entry, today=today)
    except InvalidIdentity:
        return "invalid"
    return "valid"


def identity_of(card: IdentityCard) -> IdentityIn:
    """The issue request's identity; raw values, kept only for the request."""
    card_type = "mainland" if card.card_type is CardType.SOCIAL_SECURITY else card.card_type.value
    return IdentityIn(
        id_number=card.id_number.reveal(),
        name=card.name.reveal(),
        source="ssc" if card.source is Source.SSC else "card",
        card_type=card_type,  # type: ignore[arg-type]
        valid_to=card.valid_to,
    )
