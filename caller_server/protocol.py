"""Message schemas shared by the server, kiosks and output devices (pydantic only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

CardTypeName = Literal["mainland", "J", "I", "Y"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _printable(value: str) -> str:
    """Refuse control and format characters: they would reach screens, tickets and logs."""
    bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co")]
    if bad:
        raise ValueError(f"control characters are not allowed: {''.join(bad)!r}")
    return value


def _clock_time(value: str) -> str:
    """``HH:MM`` that is a real time of day (``25:00`` is refused, not a server error)."""
    time.fromisoformat(value)
    return value


def _iso_day(value: object) -> object:
    """Only ``YYYY-MM-DD``: pydantic would read ``0`` as 1970-01-01."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a day is written YYYY-MM-DD, e.g. 2026-11-27")
    if not isinstance(value, (str, date)):
        raise ValueError("a day is written YYYY-MM-DD, e.g. 2026-11-27")
    return value


Printable = Annotated[str, AfterValidator(_printable)]
IsoDay = Annotated[date, BeforeValidator(_iso_day)]
ClockTime = Annotated[str, Field(pattern=r"^\d\d:\d\d$"), AfterValidator(_clock_time)]


class IdentityIn(Model):
    """Who takes the ticket. The raw number and name never leave the request handler."""

    id_number: str = Field(min_length=1, max_length=32, repr=False)
    name: Printable | None = Field(default=None, max_length=60, repr=False)
    source: Literal["card", "manual", "ssc"] = "manual"
    card_type: CardTypeName = "mainland"
    valid_to: date | None = Field(default=None, description="card expiry; None = 长期")


class IssueRequest(Model):
    category: str = Field(pattern=r"^[A-Z]$")
    identity: IdentityIn | None = None
    kiosk_id: Printable = Field(default="unknown", max_length=64)
    request_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="client idempotency key, one per tap: the same key returns the same ticket",
    )


class MaskedIdentity(Model):
    """As shown: ``410104********1234`` (only in the answer to the request that carried the
    number: it is never stored) and ``张*明`` (kept for the service day)."""

    id_number: str | None = None
    name: str | None = None


class CounterTicket(Model):
    """A ticket as a clerk sees it: no status token, no status URL (the rating right
    stays with the citizen's QR code)."""

    number: str
    category: str
    category_name: str
    status: str
    ahead: int
    eta_minutes: int
    identity: MaskedIdentity | None = None
    priority: str | None = None
    counter: int | None = None
    issued_at: float

    @classmethod
    def of(cls, ticket: TicketOut) -> CounterTicket:
        return cls(**ticket.model_dump(include=set(CounterTicket.model_fields)))


class TicketOut(CounterTicket):
    """A ticket as its holder (kiosk, citizen) sees it, with the status token and URL."""

    status_url: str
    token: str
    rating: int | None = None
    hall_name: str
    outcome: Literal["new", "existing", "reactivated", "status"] = "status"
    due_at: float | None = Field(default=None, description="start of the appointment checked in")


class CallOut(Model):
    counter: int
    ticket: CounterTicket | None
    rule: str | None = None
    reason_zh: str | None = None
    reason_tw: str | None = None
    reason_en: str | None = None
    finished: str | None = Field(default=None, description="number closed by this call")


class QueuedTicket(Model):
    """A waiting ticket in a counter's look-ahead, with the policy's reason."""

    number: str
    category: str
    priority: str | None = None
    waited_minutes: int
    reason_zh: str
    reason_tw: str
    reason_en: str


class ConsoleOut(Model):
    """Everything the clerk console draws for one counter (no status token anywhere)."""

    counter: int
    name: str
    status: Literal["open", "paused", "closed"]
    current: CounterTicket | None = None
    waited_minutes: int | None = Field(None, description="current ticket: issue to call")
    next: list[QueuedTicket]
    waiting: int = Field(description="tickets this counter may call")
    called_today: int
    seq: int


class TransferIn(Model):
    category: str = Field(pattern=r"^[A-Z]$")
    counter: int | None = Field(default=None, ge=1)


class CallNumberIn(Model):
    """特呼: call this waiting number now (e.g. the citizen standing at the counter)."""

    number: str = Field(pattern=r"^[A-Z]\d{3,4}$")


class FinishIn(Model):
    outcome: Literal["done", "back_office", "needs_more", "consult"] = "done"
    matter: str | None = Field(default=None, max_length=64, description="事项 from the hall list")


class PauseIn(Model):
    reason: Literal["lunch", "meeting", "fault", "other"] = "other"


class RatingIn(Model):
    level: int = Field(ge=1, le=5)


class BookingIn(Model):
    identity: IdentityIn
    category: str = Field(pattern=r"^[A-Z]$")
    day: date
    start: ClockTime
    end: ClockTime
    reference: Printable = Field(default="", max_length=64)


class BookingOut(Model):
    id: int
    category: str
    slot_start: float
    slot_end: float
    identity: MaskedIdentity


class LoginIn(Model):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256, repr=False)


class TokenInfo(Model):
    """A token as listed for an admin: what it is for, never the token."""

    id: int
    role: str
    counter: int | None = None
    label: str
    created_at: float
    revoked: bool
    expires_at: float | None = None


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
    full: bool = False
    """The daily cap is reached (今日号已取完)."""
    eta_minutes: int = 0
    """Estimated wait of a ticket taken now."""


class CounterState(Model):
    number: int
    name: str
    status: Literal["open", "paused", "closed"]
    categories: list[str]
    current: TicketBrief | None = None
    clerk: str | None = None
    """Who acted at the counter last today (a clerk's user name or token label)."""
    name_tw: str = ""
    """The name in Traditional Chinese, where the hall gives one (else the screen draws its own)."""
    name_en: str = ""
    """The name in English, where the hall gives one (else the screen draws its own)."""


class AlertOut(Model):
    kind: Literal[
        "long_wait",
        "idle_counter",
        "device_offline",
        "device_suspect",
        "printer_fault",
        "reader_fault",
    ]
    message_zh: str
    message_en: str
    number: str | None = None
    counter: int | None = None
    minutes: int
    device: str | None = None
    """The kiosk an alert is about (printer_fault, reader_fault, a kiosk's device_offline)."""
    since: float | None = None
    """When the condition began, where the same condition may come back the same day."""


class QueueSnapshot(Model):
    seq: int
    day: str
    hall: str
    hall_tw: str = ""
    hall_en: str = ""
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
    detail_tw: str = ""
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
    health: KioskHealthIn | None = None
    """Role ``kiosk``: its last health report (a kiosk is trusted by its token, not paired)."""
    detail: str | None = None
    """Role ``kiosk``: its problems in words (读卡器故障 reader fault …), or 正常 ok."""


class PairIn(Model):
    pin: str = Field(pattern=r"^\d{4,8}$", description="the PIN the device shows")
    counter: int | None = Field(default=None, ge=1, description="a counter screen's counter")


class KioskHealthIn(Model):
    """What a kiosk reports every 30 s."""

    reader: Literal["ok", "fault", "none"]
    printer: Printable = Field(
        max_length=32, description="ok, paper_near_end, paper_out, offline …"
    )
    paper_near_end: StrictBool = False
    printing_paused: StrictBool = False
    version: Printable = Field(max_length=32)


class KioskOut(KioskHealthIn):
    id: str
    last_seen: float
    online: bool
    fault_since: float | None = None
    """When the printer's current fault (or paper near end) was first reported."""
    reader_since: float | None = None
    """When the card reader's current fault was first reported."""


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
    hall_tw: str = ""
    hall_en: str = ""


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
    detail_tw: str = ""
    detail_en: str = ""


class DeviceUp(Model):
    """Device → server: authentication, acknowledgements, heartbeats, a citizen's rating."""

    type: Literal["auth", "ack", "ping", "rating"]
    id: str | None = None
    signature: str | None = None
    seq: int | None = None
    number: str | None = None
    level: int | None = Field(default=None, ge=1, le=5)
