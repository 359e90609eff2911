"""What the services need from storage: one repository and a unit of work.

Two implementations: :mod:`caller_server.store.sql` (SQLite / PostgreSQL) and
:mod:`caller_server.store.fake` (in memory, for unit tests). Both must answer the
same questions the same way; ``tests/integration/test_store_contract.py`` runs
one suite against each.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from caller_server.domain.appointments import Appointment
from caller_server.domain.events import Event, EventKind
from caller_server.domain.hall import Counter
from caller_server.domain.ticket import Ticket


class StoreError(Exception):
    """Base of storage failures (database unreachable, schema out of date …)."""


@dataclass(frozen=True)
class Credential:
    """A user's or a token's role; ``counter`` limits a clerk to one counter."""

    role: str
    counter: int | None
    label: str
    expires_at: float | None = None
    """When a login token ends (POSIX seconds); None for device and kiosk tokens."""


@dataclass(frozen=True)
class UserRecord:
    username: str
    password_hash: str
    role: str
    counter: int | None
    disabled: bool = False


@dataclass(frozen=True)
class TokenRecord:
    """A token as the admin page lists it (never the token itself: only its hash is kept)."""

    id: int
    role: str
    counter: int | None
    label: str
    created_at: float
    revoked: bool
    expires_at: float | None = None


@dataclass
class ReviewCase:
    """A bad review (不满意/非常不满意) followed up by the manager: 回访, 整改, closed."""

    id: int
    ticket_id: int
    number: str
    category: str
    counter: int | None
    level: int
    rated_at: float
    status: str = "open"
    follow_up: str | None = None
    fix: str | None = None
    closed_at: float | None = None
    closed_by: str | None = None


@dataclass(frozen=True)
class DeviceRecord:
    """An output device (counter screen, hall wall, voice announcer) the server knows of."""

    id: str
    role: str
    name: str
    address: str | None
    port: int | None
    paired: bool = False
    last_seen: float | None = None
    key_fp: str | None = None
    """Fingerprint of the public key the device announces (TXT ``pk``)."""
    public_key: str | None = None
    """The device's public key pinned at pairing (base64); None while unpaired."""
    counter: int | None = None
    """The counter a counter screen (or evaluator) belongs to."""
    paired_at: float | None = None
    suspect_fp: str | None = None
    """A key announced under this id that is not the pinned one (可疑设备)."""
    suspect_address: str | None = None
    suspect_at: float | None = None
    offline_at: float | None = None
    """When the device's latest silence was recorded as an offline alert (once)."""


@dataclass(frozen=True)
class Purged:
    """What one retention purge erased."""

    tickets: int
    appointments: int
    day_keys: int
    requests: int = 0
    """Kiosk idempotency keys (they only matter while a tap may be retried)."""


class Repository(ABC):
    # --- numbering
    @abstractmethod
    def next_number(self, category: str, day: str) -> int:
        """Take the next sequence value of ``category`` on ``day`` (1, 2, …)."""

    # --- tickets
    @abstractmethod
    def add_ticket(self, ticket: Ticket) -> int:
        """Insert and return the new id (``ticket.id`` is ignored)."""

    @abstractmethod
    def save_ticket(self, ticket: Ticket) -> None: ...

    @abstractmethod
    def ticket_by_token(self, token: str) -> Ticket | None: ...

    @abstractmethod
    def ticket_by_number(self, number: str, day: str) -> Ticket | None: ...

    @abstractmethod
    def person_tickets(self, person_key: str, day: str) -> list[Ticket]: ...

    @abstractmethod
    def counter_ticket(self, counter: int, day: str) -> Ticket | None:
        """The ticket called or being served at ``counter``."""

    @abstractmethod
    def queue_heads(self, counter: Counter, day: str, now: float) -> list[Ticket]:
        """Enough waiting tickets for the policy to choose exactly as over the whole queue."""

    @abstractmethod
    def ahead(self, ticket: Ticket, now: float) -> int:
        """Waiting tickets of the same category that will be called before ``ticket``."""

    @abstractmethod
    def served_counts(self, counter: int, day: str) -> dict[str, int]: ...

    @abstractmethod
    def recent_service_seconds(self, category: str, limit: int) -> list[float]: ...

    @abstractmethod
    def counter_last_activity(self, day: str) -> dict[int, float]:
        """Each counter's latest call or finish on ``day``."""

    @abstractmethod
    def counter_clerks(self, day: str) -> dict[int, str]:
        """The actor of each counter's latest clerk event on ``day`` (who works there now)."""

    @abstractmethod
    def issued_counts(self, day: str) -> dict[str, int]:
        """Numbers drawn per category on ``day`` (what the daily cap counts)."""

    @abstractmethod
    def active_tickets(self, day: str) -> list[Ticket]:
        """Waiting, called and serving tickets, in arrival order."""

    @abstractmethod
    def waiting_counts(self, day: str) -> dict[str, int]:
        """Waiting tickets per category on ``day``, counted without loading them."""

    @abstractmethod
    def called_tickets(self, day: str) -> list[Ticket]:
        """The tickets called or being served at a counter on ``day``."""

    # --- counters
    @abstractmethod
    def counter_statuses(self) -> dict[int, str]: ...

    @abstractmethod
    def set_counter_status(self, counter: int, status: str, now: float) -> None: ...

    # --- events
    @abstractmethod
    def append(self, event: Event) -> int:
        """Append to the audit log; returns the event's sequence number."""

    @abstractmethod
    def events_since(self, seq: int, limit: int) -> list[Event]: ...

    @abstractmethod
    def events_of_day(self, day: str) -> list[Event]: ...

    @abstractmethod
    def last_seq(self) -> int: ...

    @abstractmethod
    def last_event_with(self, kind: EventKind, key: str) -> Event | None:
        """The latest event of ``kind`` whose data has ``key``."""

    # --- appointments
    @abstractmethod
    def add_appointment(self, appointment: Appointment) -> int: ...

    @abstractmethod
    def save_appointment(self, appointment: Appointment) -> None: ...

    @abstractmethod
    def person_appointments(self, person_key: str, category: str) -> list[Appointment]: ...

    # --- personal data (day keys, retention)
    @abstractmethod
    def sealed_day_key(self, day: str) -> bytes | None: ...

    @abstractmethod
    def add_day_key(self, day: str, sealed: bytes) -> None: ...

    @abstractmethod
    def purge_personal(self, before_day: str, before_at: float) -> Purged:
        """Erase person keys and masked names of days before ``before_day``, person keys of
        appointments before ``before_at``, and those days' keys. Figures are untouched."""

    # --- devices
    @abstractmethod
    def save_device(self, device: DeviceRecord) -> None:
        """Insert or replace the whole record."""

    @abstractmethod
    def devices(self) -> list[DeviceRecord]: ...

    @abstractmethod
    def device(self, device_id: str) -> DeviceRecord | None:
        """One device by id (each push connection and announcement looks one up)."""

    @abstractmethod
    def mark_offline(self, device_id: str, last_seen: float, now: float) -> bool:
        """Note a paired device offline at ``now`` unless it was heard after ``last_seen`` or
        this silence is noted already; True only for the one transaction that noted it."""

    @abstractmethod
    def touch_devices(self, last_seen: dict[str, float]) -> None:
        """Set ``last_seen`` of the devices named (heartbeats, in one batch)."""

    # --- kiosks
    @abstractmethod
    def ticket_by_request(self, request_id: str) -> Ticket | None:
        """The ticket issued for a client idempotency key, if any."""

    @abstractmethod
    def remember_request(self, request_id: str, ticket_id: int, now: float) -> None: ...

    @abstractmethod
    def save_kiosk_health(self, kiosk_id: str, health: dict[str, Any], now: float) -> None: ...

    @abstractmethod
    def kiosk_health(self) -> list[tuple[str, dict[str, Any], float]]:
        """(kiosk id, last report, when) for every kiosk that reported, by id."""

    # --- users and tokens
    @abstractmethod
    def add_user(self, user: UserRecord, now: float) -> None: ...

    @abstractmethod
    def user(self, username: str) -> UserRecord | None: ...

    @abstractmethod
    def add_token(self, token_hash: str, credential: Credential, now: float) -> None: ...

    @abstractmethod
    def token(self, token_hash: str, now: float) -> Credential | None:
        """The token's credential unless it is revoked or expired at ``now``."""

    @abstractmethod
    def revoke_token(self, token_hash: str) -> None: ...

    @abstractmethod
    def users(self) -> list[UserRecord]: ...

    @abstractmethod
    def set_user_disabled(self, username: str, disabled: bool) -> None: ...

    @abstractmethod
    def set_password_hash(self, username: str, password_hash: str) -> None: ...

    @abstractmethod
    def tokens(self) -> list[TokenRecord]: ...

    @abstractmethod
    def revoke_token_id(self, token_id: int) -> None: ...

    @abstractmethod
    def revoke_label(self, label: str) -> None:
        """Revoke every token with this label (a user's sessions)."""

    # --- bad-review cases and the wall's notice
    @abstractmethod
    def add_case(self, case: ReviewCase) -> None:
        """Open a case for a ticket (``case.id`` is ignored)."""

    @abstractmethod
    def cases(self) -> list[ReviewCase]:
        """Every case, newest first."""

    @abstractmethod
    def save_case(self, case: ReviewCase) -> None: ...

    @abstractmethod
    def notice(self) -> str: ...

    @abstractmethod
    def set_notice(self, text: str, now: float) -> None: ...

    @abstractmethod
    def appointments_between(self, start: float, end: float) -> list[Appointment]: ...


class UnitOfWork(ABC):
    """One transaction. ``with uow: …; uow.commit()``; leaving without commit rolls back."""

    repo: Repository

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...
