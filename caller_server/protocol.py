"""Message schemas shared by the server, kiosks and output devices (pydantic only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CardTypeName = Literal["mainland", "J", "I", "Y"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IdentityIn(Model):
    """Who takes the ticket. The raw number and name never leave the request handler."""

    id_number: str = Field(min_length=1, max_length=32, repr=False)
    name: str | None = Field(default=None, max_length=60, repr=False)
    source: Literal["card", "manual", "ssc"] = "manual"
    card_type: CardTypeName = "mainland"
    valid_to: date | None = Field(default=None, description="card expiry; None = 长期")


class IssueRequest(Model):
    category: str = Field(pattern=r"^[A-Z]$")
    identity: IdentityIn | None = None
    kiosk_id: str = Field(default="unknown", max_length=64)


class MaskedIdentity(Model):
    id_number: str
    name: str | None = None


class TicketOut(Model):
    number: str
    category: str
    category_name: str
    status: str
    ahead: int
    eta_minutes: int
    status_url: str
    token: str
    identity: MaskedIdentity | None = None
    priority: str | None = None
    counter: int | None = None
    rating: int | None = None
    issued_at: float
    hall_name: str
    outcome: Literal["new", "existing", "reactivated", "status"] = "status"


class CallOut(Model):
    counter: int
    ticket: TicketOut | None
    rule: str | None = None
    reason_zh: str | None = None
    reason_en: str | None = None
    finished: str | None = Field(default=None, description="number closed by this call")


class TransferIn(Model):
    category: str = Field(pattern=r"^[A-Z]$")
    counter: int | None = Field(default=None, ge=1)


class RatingIn(Model):
    level: int = Field(ge=1, le=5)


class BookingIn(Model):
    identity: IdentityIn
    category: str = Field(pattern=r"^[A-Z]$")
    day: date
    start: str = Field(pattern=r"^\d\d:\d\d$")
    end: str = Field(pattern=r"^\d\d:\d\d$")
    reference: str = Field(default="", max_length=64)


class BookingOut(Model):
    id: int
    category: str
    slot_start: float
    slot_end: float
    identity: MaskedIdentity


class LoginIn(Model):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256, repr=False)


class TokenOut(Model):
    token: str
    role: str
    counter: int | None = None


class TicketBrief(Model):
    number: str
    category: str
    status: str
    priority: str | None = None
    counter: int | None = None
    arrival_at: float
    called_at: float | None = None


class CategoryQueue(Model):
    code: str
    name: str
    name_tw: str
    name_en: str
    waiting: int
    open: bool
    id_required: bool


class CounterState(Model):
    number: int
    name: str
    status: Literal["open", "paused", "closed"]
    categories: list[str]
    current: TicketBrief | None = None


class AlertOut(Model):
    kind: Literal["long_wait", "idle_counter", "device_offline", "device_suspect"]
    message_zh: str
    message_en: str
    number: str | None = None
    counter: int | None = None
    minutes: int


class QueueSnapshot(Model):
    seq: int
    day: str
    hall: str
    at: float
    categories: list[CategoryQueue]
    counters: list[CounterState]
    waiting: list[TicketBrief]
    alerts: list[AlertOut] = Field(default_factory=list)


class EventOut(Model):
    seq: int
    kind: str
    at: float
    number: str | None = None
    category: str | None = None
    counter: int | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class StreamMessage(Model):
    """One message of ``WS /api/v1/events``: an event, or a snapshot for a client too far behind."""

    type: Literal["event", "snapshot"]
    event: EventOut | None = None
    snapshot: QueueSnapshot | None = None


class Problem(Model):
    """RFC 9457 problem details, with a stable ``code`` and Chinese + English text."""

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str
    detail_en: str
    ticket: TicketOut | None = None
    errors: list[dict[str, Any]] | None = None


class DeviceOut(Model):
    id: str
    role: str
    name: str
    address: str | None = None
    port: int | None = None
    paired: bool = False
    last_seen: float | None = None
    online: bool = False
    status: Literal["unpaired", "online", "offline", "suspect"] = "unpaired"
    status_zh: str = "未配对"
    counter: int | None = None
    key_fp: str | None = None
    suspect_address: str | None = None


class PairIn(Model):
    pin: str = Field(pattern=r"^\d{4,8}$", description="the PIN the device shows")
    counter: int | None = Field(default=None, ge=1, description="a counter screen's counter")


# --- output devices (counter screens, hall wall, voice announcers) ---------------------------
# Pairing and push wire formats; the PIN proof below is stdlib only so both ends share it.

DeviceRole = Literal["counter", "wall", "voice"]
PAIR_SCRYPT_N = 2**14
"""scrypt cost of the pairing key: every PIN guess from a recorded exchange costs this much."""


def fingerprint(data: bytes) -> str:
    """SHA-256 of a public key (raw) or a certificate (DER), lowercase hex."""
    return hashlib.sha256(data).hexdigest()


class PairHello(Model):
    """Server → device, first step: no PIN-dependent value crosses the LAN yet."""

    server_id: str
    server_url: str
    server_fp: str = Field(description="SHA-256 of the server's TLS certificate (DER)")
    server_nonce: str = Field(min_length=32, max_length=64)


class PairHelloReply(Model):
    device_id: str
    public_key: str = Field(description="the device's Ed25519 public key, raw, base64")
    device_nonce: str = Field(min_length=32, max_length=64)
    counter: int | None = Field(default=None, description="the counter it was started for")


class PairConfirm(Model):
    """Server → device: proof that the manager typed the right PIN (checked first)."""

    server_nonce: str
    server_proof: str


class PairConfirmReply(Model):
    device_proof: str


def pairing_key(pin: str, hello: PairHello, reply: PairHelloReply) -> bytes:
    """Key both ends derive from the PIN and the whole transcript (nonces, both key prints).

    scrypt makes each offline guess from a recorded exchange expensive; the transcript binds
    the proofs to these two keys, so a relay that swaps a key makes both proofs fail.
    """
    device_fp = fingerprint(base64.b64decode(reply.public_key))
    salt = "|".join(
        (
            "yihao-pair-v1",
            hello.server_id,
            hello.server_fp,
            hello.server_nonce,
            reply.device_id,
            device_fp,
            reply.device_nonce,
        )
    ).encode()
    return hashlib.scrypt(pin.encode(), salt=salt, n=PAIR_SCRYPT_N, r=8, p=1, dklen=32)


def pairing_proof(key: bytes, side: Literal["server", "device"]) -> str:
    return hmac.new(key, f"yihao-pair-v1 {side}".encode(), hashlib.sha256).hexdigest()


def push_challenge_text(server_id: str, device_id: str, nonce: str) -> bytes:
    """What a device signs with its key to open its push connection."""
    return f"yihao-push-v1|{server_id}|{device_id}|{nonce}".encode()


class DeviceRegistration(Model):
    """``POST /api/v1/devices/register``: a device announcing itself where multicast is blocked."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    role: DeviceRole
    name: str = Field(min_length=1, max_length=128)
    pk: str = Field(pattern=r"^[0-9a-f]{64}$", description="fingerprint of its public key")
    port: int = Field(ge=1, le=65535)
    v: Literal["1"] = "1"


class NoticeIn(Model):
    text: str = Field(max_length=200, description="the wall's ticker; empty clears it")


class DisplayState(Model):
    """What devices draw: counters, waiting per category, the last calls, the notice."""

    seq: int
    day: str
    hall: str
    categories: list[CategoryQueue]
    counters: list[CounterState]
    recent: list[EventOut] = Field(default_factory=list, description="last 8 calls, newest first")
    notice: str = ""


class DeviceDown(Model):
    """Server → device over the push connection. ``seq`` counts this connection's messages."""

    type: Literal["challenge", "snapshot", "update", "pong", "rated"]
    seq: int = 0
    sent_at: float = 0.0
    nonce: str | None = None
    server_id: str | None = None
    device: DeviceOut | None = None
    state: DisplayState | None = None
    events: list[EventOut] = Field(default_factory=list)
    ok: bool | None = None
    number: str | None = None
    detail: str | None = None


class DeviceUp(Model):
    """Device → server: authentication, acknowledgements, heartbeats, a citizen's rating."""

    type: Literal["auth", "ack", "ping", "rating"]
    id: str | None = None
    signature: str | None = None
    seq: int | None = None
    number: str | None = None
    level: int | None = Field(default=None, ge=1, le=5)
