"""In-memory repository and unit of work for unit tests (Cosmic Python's fake).

It answers from the whole queue with the pure domain functions, so comparing it
with the SQL repository also checks the SQL shortcuts (heads only, counts).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from caller_server.domain.appointments import Appointment
from caller_server.domain.estimate import people_ahead
from caller_server.domain.events import Event
from caller_server.domain.hall import Counter
from caller_server.domain.policy import Candidate
from caller_server.domain.ticket import Status, Ticket, service_day
from caller_server.store.repository import (
    Credential,
    DeviceRecord,
    Repository,
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
    tokens: dict[str, Credential] = field(default_factory=dict)
    devices: dict[str, DeviceRecord] = field(default_factory=dict)


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

    def active_tickets(self, day: str) -> list[Ticket]:
        return [t for t in self._find(service_day=day) if t.active]

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

    def save_device(self, device: DeviceRecord) -> None:
        self.db.devices[device.id] = device

    def devices(self) -> list[DeviceRecord]:
        return sorted(self.db.devices.values(), key=lambda d: d.id)

    def touch_devices(self, last_seen: dict[str, float]) -> None:
        for device_id, at in last_seen.items():
            if device_id in self.db.devices:
                self.db.devices[device_id] = replace(self.db.devices[device_id], last_seen=at)

    def add_user(self, user: UserRecord, now: float) -> None:
        self.db.users[user.username] = user

    def user(self, username: str) -> UserRecord | None:
        return self.db.users.get(username)

    def add_token(self, token_hash: str, credential: Credential, now: float) -> None:
        self.db.tokens[token_hash] = credential

    def token(self, token_hash: str) -> Credential | None:
        return self.db.tokens.get(token_hash)


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
