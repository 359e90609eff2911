"""In-memory repository and unit of work for unit tests (Cosmic Python's fake).

It answers from the whole queue with the pure domain functions, so comparing it
with the SQL repository also checks the SQL shortcuts (heads only, counts).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from caller_server.domain.appointments import Appointment
from caller_server.domain.estimate import people_ahead
from caller_server.domain.events import Event, EventKind
from caller_server.domain.hall import Counter
from caller_server.domain.policy import Candidate
from caller_server.domain.ticket import Status, Ticket, service_day
from caller_server.store.repository import (
    Credential,
    DeviceRecord,
    Purged,
    Repository,
    ReviewCase,
    TokenRecord,
    UnitOfWork,
    UserRecord,
)


@dataclass
class FakeDatabase:
    """The state behind fake units of work; copied on begin, swapped in on commit."""

    sequences: dict[tuple[str, str], int] = field(default_factory=dict)
    tickets: dict[int, Ticket] = field(default_factory=dict)
    counters: dict[int, str] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    appointments: dict[int, Appointment] = field(default_factory=dict)
    users: dict[str, UserRecord] = field(default_factory=dict)
    tokens: dict[str, TokenRecord] = field(default_factory=dict)
    devices: dict[str, DeviceRecord] = field(default_factory=dict)
    day_keys: dict[str, bytes] = field(default_factory=dict)
    cases: dict[int, ReviewCase] = field(default_factory=dict)
    notice: str = ""
    requests: dict[str, tuple[int, float]] = field(default_factory=dict)
    kiosks: dict[str, tuple[dict[str, Any], float]] = field(default_factory=dict)


class FakeRepository(Repository):
    def __init__(self, db: FakeDatabase, tz: ZoneInfo) -> None:
        self.db = db
        self.tz = tz

    def next_number(self, category: str, day: str) -> int:
        value = self.db.sequences.get((category, day), 0) + 1
        self.db.sequences[(category, day)] = value
        return value

    def add_ticket(self, ticket: Ticket) -> int:
        new_id = max(self.db.tickets, default=0) + 1
        self.db.tickets[new_id] = replace(ticket, id=new_id)
        return new_id

    def save_ticket(self, ticket: Ticket) -> None:
        self.db.tickets[ticket.id] = replace(ticket)

    def _find(self, **match: object) -> list[Ticket]:
        found = [
            t for t in self.db.tickets.values() if all(getattr(t, k) == v for k, v in match.items())
        ]
        return [replace(t) for t in sorted(found, key=lambda t: (t.arrival_at, t.id))]

    def ticket_by_token(self, token: str) -> Ticket | None:
        return next(iter(self._find(token=token)), None)

    def ticket_by_number(self, number: str, day: str) -> Ticket | None:
        return next(iter(self._find(number=number, service_day=day)), None)

    def person_tickets(self, person_key: str, day: str) -> list[Ticket]:
        found = self._find(person_key=person_key, service_day=day)
        return sorted(found, key=lambda t: t.issued_at)

    def counter_ticket(self, counter: int, day: str) -> Ticket | None:
        return next(
            (
                t
                for t in self._find(counter=counter, service_day=day)
                if t.status in (Status.CALLED, Status.SERVING)
            ),
            None,
        )

    def queue_heads(self, counter: Counter, day: str, now: float) -> list[Ticket]:
        return self._find(service_day=day, status=Status.WAITING)

    def ahead(self, ticket: Ticket, now: float) -> int:
        waiting = self._find(service_day=ticket.service_day, status=Status.WAITING)
        return people_ahead(Candidate.of(ticket), [Candidate.of(t) for t in waiting], now)

    def served_counts(self, counter: int, day: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for t in self._find(counter=counter, service_day=day):
            counts[t.category] = counts.get(t.category, 0) + 1
        return counts

    def recent_service_seconds(self, category: str, limit: int) -> list[float]:
        done = [t for t in self._find(category=category, status=Status.DONE)]
        done.sort(key=lambda t: t.finished_at or 0, reverse=True)
        return [(t.finished_at or 0) - (t.started_at or 0) for t in done[:limit]]

    def counter_last_activity(self, day: str) -> dict[int, float]:
        last: dict[int, float] = {}
        for t in self._find(service_day=day):
            moments = [m for m in (t.called_at, t.finished_at) if m is not None]
            if t.counter is not None and moments:
                last[t.counter] = max(last.get(t.counter, 0.0), *moments)
        return last

    def counter_clerks(self, day: str) -> dict[int, str]:
        return {
            e.counter: e.actor
            for e in self.events_of_day(day)
            if e.counter is not None and e.actor.startswith("clerk:")
        }

    def issued_counts(self, day: str) -> dict[str, int]:
        return {c: n for (c, d), n in self.db.sequences.items() if d == day}

    def active_tickets(self, day: str) -> list[Ticket]:
        return [t for t in self._find(service_day=day) if t.active]

    def waiting_counts(self, day: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for ticket in self._find(service_day=day, status=Status.WAITING):
            counts[ticket.category] = counts.get(ticket.category, 0) + 1
        return counts

    def called_tickets(self, day: str) -> list[Ticket]:
        return [
            t for t in self._find(service_day=day) if t.status in (Status.CALLED, Status.SERVING)
        ]

    def counter_statuses(self) -> dict[int, str]:
        return dict(self.db.counters)

    def set_counter_status(self, counter: int, status: str, now: float) -> None:
        self.db.counters[counter] = status

    def append(self, event: Event) -> int:
        seq = len(self.db.events) + 1
        self.db.events.append(replace(event, seq=seq))
        return seq

    def events_since(self, seq: int, limit: int) -> list[Event]:
        return self.db.events[seq : seq + limit]

    def last_event_with(self, kind: EventKind, key: str) -> Event | None:
        return next((e for e in reversed(self.db.events) if e.kind is kind and key in e.data), None)

    def events_of_day(self, day: str) -> list[Event]:
        return [e for e in self.db.events if service_day(e.at, self.tz) == day]

    def last_seq(self) -> int:
        return len(self.db.events)

    def add_appointment(self, appointment: Appointment) -> int:
        new_id = max(self.db.appointments, default=0) + 1
        self.db.appointments[new_id] = replace(appointment, id=new_id)
        return new_id

    def save_appointment(self, appointment: Appointment) -> None:
        self.db.appointments[appointment.id] = replace(appointment)

    def person_appointments(self, person_key: str, category: str) -> list[Appointment]:
        found = [
            replace(a)
            for a in self.db.appointments.values()
            if a.person_key == person_key and a.category == category
        ]
        return sorted(found, key=lambda a: a.slot_start)

    def sealed_day_key(self, day: str) -> bytes | None:
        return self.db.day_keys.get(day)

    def add_day_key(self, day: str, sealed: bytes) -> None:
        self.db.day_keys[day] = sealed

    def purge_personal(self, before_day: str, before_at: float) -> Purged:
        tickets = [
            t
            for t in self.db.tickets.values()
            if t.service_day < before_day and (t.person_key or t.masked_name)
        ]
        for ticket in tickets:
            ticket.person_key = ticket.masked_name = None
        booked = [
            a
            for a in self.db.appointments.values()
            if a.slot_start < before_at and a.person_key is not None
        ]
        for appointment in booked:
            appointment.person_key = None
        days = [day for day in self.db.day_keys if day < before_day]
        for day in days:
            del self.db.day_keys[day]
        taps = [key for key, (_, at) in self.db.requests.items() if at < before_at]
        for key in taps:
            del self.db.requests[key]
        return Purged(len(tickets), len(booked), len(days), len(taps))

    def save_device(self, device: DeviceRecord) -> None:
        self.db.devices[device.id] = device

    def devices(self) -> list[DeviceRecord]:
        return sorted(self.db.devices.values(), key=lambda d: d.id)

    def device(self, device_id: str) -> DeviceRecord | None:
        return self.db.devices.get(device_id)

    def mark_offline(self, device_id: str, last_seen: float, now: float) -> bool:
        d = self.db.devices.get(device_id)
        if d is None or not d.paired or d.last_seen != last_seen:
            return False
        if d.offline_at is not None and d.offline_at >= last_seen:
            return False
        self.db.devices[device_id] = replace(d, offline_at=now)
        return True

    def touch_devices(self, last_seen: dict[str, float]) -> None:
        for device_id, at in last_seen.items():
            if device_id in self.db.devices:
                self.db.devices[device_id] = replace(self.db.devices[device_id], last_seen=at)

    def ticket_by_request(self, request_id: str) -> Ticket | None:
        known = self.db.requests.get(request_id)
        return None if known is None else replace(self.db.tickets[known[0]])

    def remember_request(self, request_id: str, ticket_id: int, now: float) -> None:
        if request_id in self.db.requests:
            raise ValueError(f"request {request_id} is known already")
        self.db.requests[request_id] = (ticket_id, now)

    def save_kiosk_health(self, kiosk_id: str, health: dict[str, Any], now: float) -> None:
        self.db.kiosks[kiosk_id] = (dict(health), now)

    def kiosk_health(self) -> list[tuple[str, dict[str, Any], float]]:
        return [(k, dict(h), seen) for k, (h, seen) in sorted(self.db.kiosks.items())]

    def add_user(self, user: UserRecord, now: float) -> None:
        self.db.users[user.username] = user

    def user(self, username: str) -> UserRecord | None:
        return self.db.users.get(username)

    def add_token(self, token_hash: str, credential: Credential, now: float) -> None:
        new_id = len(self.db.tokens) + 1
        c = credential
        self.db.tokens[token_hash] = TokenRecord(
            new_id, c.role, c.counter, c.label, now, False, c.expires_at
        )

    def token(self, token_hash: str, now: float) -> Credential | None:
        k = self.db.tokens.get(token_hash)
        if k is None or k.revoked or (k.expires_at is not None and k.expires_at <= now):
            return None
        return Credential(k.role, k.counter, k.label, k.expires_at)

    def _revoke(self, match: Callable[[TokenRecord], bool]) -> None:
        for key, k in self.db.tokens.items():
            if match(k):
                self.db.tokens[key] = replace(k, revoked=True)

    def revoke_token(self, token_hash: str) -> None:
        self._revoke(lambda k: k is self.db.tokens.get(token_hash))

    def users(self) -> list[UserRecord]:
        return sorted(self.db.users.values(), key=lambda u: u.username)

    def set_user_disabled(self, username: str, disabled: bool) -> None:
        self.db.users[username] = replace(self.db.users[username], disabled=disabled)

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self.db.users[username] = replace(self.db.users[username], password_hash=password_hash)

    def tokens(self) -> list[TokenRecord]:
        return sorted(self.db.tokens.values(), key=lambda k: k.id)

    def revoke_token_id(self, token_id: int) -> None:
        self._revoke(lambda k: k.id == token_id)

    def revoke_label(self, label: str) -> None:
        self._revoke(lambda k: k.label == label)

    def add_case(self, case: ReviewCase) -> None:
        if any(c.ticket_id == case.ticket_id for c in self.db.cases.values()):
            return
        new_id = max(self.db.cases, default=0) + 1
        self.db.cases[new_id] = replace(case, id=new_id)

    def cases(self) -> list[ReviewCase]:
        return sorted(self.db.cases.values(), key=lambda c: -c.rated_at)

    def save_case(self, case: ReviewCase) -> None:
        self.db.cases[case.id] = replace(case)

    def notice(self) -> str:
        return self.db.notice

    def set_notice(self, text: str, now: float) -> None:
        self.db.notice = text

    def appointments_between(self, start: float, end: float) -> list[Appointment]:
        found = [a for a in self.db.appointments.values() if start <= a.slot_start < end]
        return sorted((replace(a) for a in found), key=lambda a: (a.slot_start, a.id))


class FakeUnitOfWork(UnitOfWork):
    """Works on a copy of the database; commit swaps the copy in."""

    def __init__(self, holder: FakeStore) -> None:
        self._holder = holder
        self.repo = FakeRepository(copy.deepcopy(holder.db), holder.tz)
        self.committed = False

    def commit(self) -> None:
        assert isinstance(self.repo, FakeRepository)
        self._holder.db = self.repo.db
        self.committed = True

    def rollback(self) -> None:
        """Nothing to undo: the copy is dropped."""


@dataclass
class FakeStore:
    tz: ZoneInfo
    db: FakeDatabase = field(default_factory=FakeDatabase)

    def unit(self, *, write: bool) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)
