"""The repository and unit of work on SQLAlchemy Core (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    Engine,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement, ColumnElement

from caller_server.domain.appointments import Appointment, AppointmentStatus
from caller_server.domain.events import Event, EventKind
from caller_server.domain.hall import Counter
from caller_server.domain.ticket import ACTIVE, Priority, Status, Ticket, service_day
from caller_server.store import tables as t
from caller_server.store.engine import WRITE, is_sqlite
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

_TICKET_FIELDS = [f.name for f in fields(Ticket)]


def _ticket(row: Mapping[str, Any]) -> Ticket:
    values = {name: row[name] for name in _TICKET_FIELDS}
    values["status"] = Status(values["status"])
    values["priority"] = Priority(values["priority"]) if values["priority"] else None
    return Ticket(**values)


def _ticket_values(ticket: Ticket) -> dict[str, Any]:
    values = {name: getattr(ticket, name) for name in _TICKET_FIELDS if name != "id"}
    values["status"] = ticket.status.value
    values["priority"] = ticket.priority.value if ticket.priority else None
    return values


def _event(row: RowMapping) -> Event:
    return Event(
        kind=EventKind(row["kind"]),
        at=row["at"],
        actor=row["actor"],
        ticket_id=row["ticket_id"],
        number=row["number"],
        category=row["category"],
        counter=row["counter"],
        data=row["data"],
        seq=row["seq"],
    )


def _bp(name: str) -> BindParameter[Any]:
    return bindparam(f"p_{name}")


def _status_in(*statuses: Status) -> ColumnElement[bool]:
    """``status = a OR status = b``: plain binds, no expanding ``IN`` to render per call."""
    return or_(*(_tk.status == s.value for s in statuses))


_tk = t.tickets.c
_WAITING = and_(_tk.service_day == _bp("day"), _tk.status == Status.WAITING.value)
_PRIORITY_NOW = and_(_tk.priority.is_not(None), or_(_tk.due_at.is_(None), _tk.due_at <= _bp("now")))
# Queue order by (arrival_at, id), written as ranges on arrival_at so indexes can seek.
_EARLIER = and_(
    _tk.arrival_at <= _bp("arrival"), or_(_tk.arrival_at < _bp("arrival"), _tk.id < _bp("id"))
)
_LATER = and_(
    _tk.arrival_at >= _bp("arrival"), or_(_tk.arrival_at > _bp("arrival"), _tk.id > _bp("id"))
)


class _Q:
    """Statements built once: SQLAlchemy then skips construction on every call."""

    next_number = (
        update(t.number_sequences)
        .where(
            t.number_sequences.c.category == _bp("category"),
            t.number_sequences.c.service_day == _bp("day"),
        )
        .values(last_number=t.number_sequences.c.last_number + 1)
        .returning(t.number_sequences.c.last_number)
    )
    first_number = insert(t.number_sequences)
    add_ticket = insert(t.tickets).returning(_tk.id)
    save_ticket = update(t.tickets).where(_tk.id == _bp("id"))
    by_token = select(t.tickets).where(_tk.token == _bp("token"))
    by_number = select(t.tickets).where(_tk.number == _bp("number"), _tk.service_day == _bp("day"))
    by_person = (
        select(t.tickets)
        .where(_tk.person_key == _bp("person"), _tk.service_day == _bp("day"))
        .order_by(_tk.issued_at)
    )
    at_counter = select(t.tickets).where(
        _tk.service_day == _bp("day"),
        _tk.counter == _bp("counter"),
        _status_in(Status.CALLED, Status.SERVING),
    )
    _count = select(func.count()).select_from(t.tickets)
    _same_queue = and_(_WAITING, _tk.category == _bp("category"))
    # A priority ticket waits for earlier priority tickets; a regular one for everyone
    # earlier plus priority tickets that came later: two index range counts.
    ahead_of_priority = _count.where(_same_queue, _PRIORITY_NOW, _EARLIER)
    ahead_of_regular = select(
        _count.where(_same_queue, _EARLIER).scalar_subquery()
        + _count.where(_same_queue, _PRIORITY_NOW, _LATER).scalar_subquery()
    )
    served = (
        select(_tk.category, func.count())
        .where(_tk.service_day == _bp("day"), _tk.counter == _bp("counter"))
        .group_by(_tk.category)
    )
    recent = (
        select(_tk.finished_at - _tk.started_at)
        .where(_tk.category == _bp("category"), _tk.status == Status.DONE.value)
        .order_by(_tk.finished_at.desc())
        .limit(_bp("limit"))
    )
    counter_statuses = select(t.counters.c.number, t.counters.c.status)
    last_activity = (
        select(_tk.counter, func.max(func.coalesce(_tk.finished_at, _tk.called_at)))
        .where(_tk.service_day == _bp("day"), _tk.counter.is_not(None))
        .group_by(_tk.counter)
    )
    counter_actors = select(t.events.c.counter, t.events.c.actor).where(
        t.events.c.seq.in_(
            select(func.max(t.events.c.seq))
            .where(
                t.events.c.service_day == _bp("day"),
                t.events.c.counter.is_not(None),
                t.events.c.actor.like("clerk:%"),
            )
            .group_by(t.events.c.counter)
        )
    )
    issued_counts = select(t.number_sequences.c.category, t.number_sequences.c.last_number).where(
        t.number_sequences.c.service_day == _bp("day")
    )
    last_seq = select(func.max(t.events.c.seq))  # bare max(): SQLite answers from the index
    append = insert(t.events)
    appointments = (
        select(t.appointments)
        .where(
            t.appointments.c.person_key == _bp("person"),
            t.appointments.c.category == _bp("category"),
        )
        .order_by(t.appointments.c.slot_start)
    )
    active = (
        select(t.tickets)
        .where(_tk.service_day == _bp("day"), _status_in(*sorted(ACTIVE)))
        .order_by(_tk.arrival_at, _tk.id)
    )
    touch_device = update(t.devices).where(t.devices.c.id == _bp("id")).values(last_seen=_bp("at"))
    waiting_counts = select(_tk.category, func.count()).where(_WAITING).group_by(_tk.category)
    called = select(t.tickets).where(
        _tk.service_day == _bp("day"), _status_in(Status.CALLED, Status.SERVING)
    )


@lru_cache(maxsize=64)
def _heads(counter: int, codes: tuple[str, ...]) -> Select[Any]:
    """Per counter: the head of each group the policy may pick from, in one statement."""
    arrival = (_tk.arrival_at, _tk.id)
    # Ordering the priority group by an expression keeps SQLite from walking the whole
    # category queue in arrival order (ix_tickets_queue) to find a rare priority ticket:
    # it seeks ix_tickets_priority and sorts the few rows found.
    arrival_of_few = (_tk.arrival_at + literal_column("0"), _tk.id)
    heads = [select(t.tickets).where(_WAITING, _tk.target_counter == counter).order_by(*arrival)]
    for code in codes:
        mine = and_(_WAITING, _tk.category == code, _tk.target_counter.is_(None))
        heads.append(select(t.tickets).where(mine).order_by(*arrival))
        heads.append(select(t.tickets).where(mine, _PRIORITY_NOW).order_by(*arrival_of_few))
    return union_all(*[h.limit(1).subquery().select() for h in heads])  # type: ignore[return-value]


@dataclass
class _EventCursor:
    """The last event sequence number written in this transaction (None: not read yet).

    Shared by the savepoints of one group commit, so only the first use case of a
    batch reads ``max(seq)``.
    """

    seq: int | None = None


_SQLITE = sqlite_dialect.dialect()


@lru_cache(maxsize=256)
def _sqlite_sql(
    stmt: Executable, keys: tuple[str, ...]
) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """SQL text, parameter order and constant parameters of a prebuilt statement on SQLite."""
    compiled = cast(
        SQLCompiler,
        cast(ClauseElement, stmt).compile(
            dialect=_SQLITE,
            column_keys=list(keys),
        ),
    )
    constants = {name: b.effective_value for name, b in compiled.binds.items() if not b.required}
    return compiled.string, tuple(compiled.positiontup or ()), constants


class SqlRepository(Repository):
    """Hot statements on SQLite go straight to the driver's cursor with SQL compiled once:
    SQLAlchemy's execution path costs ~25 µs a statement, the driver ~7 µs."""

    def __init__(self, conn: Connection, tz: ZoneInfo, cursor: _EventCursor) -> None:
        self.conn = conn
        self._tz = tz
        self._events = cursor
        sqlite = conn.dialect.name == "sqlite"
        self._driver: Any = conn.connection.dbapi_connection if sqlite else None

    def _execute(self, stmt: Executable, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
        """Run to completion; the column names and every row (empty for plain DML)."""
        if self._driver is None:
            result = self.conn.execute(stmt, params)
            if not result.returns_rows:
                return [], []
            return list(result.keys()), list(result.fetchall())
        sql, order, constants = _sqlite_sql(stmt, tuple(sorted(params)))
        cursor = self._driver.cursor()
        try:
            cursor.execute(sql, [params[n] if n in params else constants[n] for n in order])
            names = [d[0] for d in cursor.description or ()]
            return names, cursor.fetchall()
        finally:
            cursor.close()

    def _run(self, stmt: Executable, params: dict[str, Any]) -> list[Any]:
        return self._execute(stmt, params)[1]

    def _first(self, stmt: Executable, params: dict[str, Any]) -> Any:
        rows = self._run(stmt, params)
        return rows[0] if rows else None

    def _mappings(self, stmt: Executable, params: dict[str, Any]) -> list[dict[str, Any]]:
        names, rows = self._execute(stmt, params)
        return [dict(zip(names, row, strict=True)) for row in rows]

    # --- numbering
    def next_number(self, category: str, day: str) -> int:
        row = self._first(_Q.next_number, {"p_category": category, "p_day": day})
        if row is not None:
            return int(row[0])
        self._run(_Q.first_number, {"category": category, "service_day": day, "last_number": 1})
        return 1

    # --- tickets
    def add_ticket(self, ticket: Ticket) -> int:
        return int(self._first(_Q.add_ticket, _ticket_values(ticket))[0])

    def save_ticket(self, ticket: Ticket) -> None:
        self._run(_Q.save_ticket, {"p_id": ticket.id, **_ticket_values(ticket)})

    def _one(self, query: Select[Any], **params: object) -> Ticket | None:
        rows = self._mappings(query, {f"p_{k}": v for k, v in params.items()})
        return _ticket(rows[0]) if rows else None

    def ticket_by_token(self, token: str) -> Ticket | None:
        return self._one(_Q.by_token, token=token)

    def ticket_by_number(self, number: str, day: str) -> Ticket | None:
        return self._one(_Q.by_number, number=number, day=day)

    def person_tickets(self, person_key: str, day: str) -> list[Ticket]:
        rows = self._mappings(_Q.by_person, {"p_person": person_key, "p_day": day})
        return [_ticket(r) for r in rows]

    def counter_ticket(self, counter: int, day: str) -> Ticket | None:
        return self._one(_Q.at_counter, day=day, counter=counter)

    def queue_heads(self, counter: Counter, day: str, now: float) -> list[Ticket]:
        rows = self._mappings(_heads(counter.number, counter.codes), {"p_day": day, "p_now": now})
        return [_ticket(r) for r in rows]

    def ahead(self, ticket: Ticket, now: float) -> int:
        mine_prio = ticket.priority is not None and (ticket.due_at is None or ticket.due_at <= now)
        query = _Q.ahead_of_priority if mine_prio else _Q.ahead_of_regular
        params = {
            "p_day": ticket.service_day,
            "p_category": ticket.category,
            "p_id": ticket.id,
            "p_now": now,
            "p_arrival": ticket.arrival_at,
        }
        return int(self._first(query, params)[0])

    def served_counts(self, counter: int, day: str) -> dict[str, int]:
        rows = self._run(_Q.served, {"p_day": day, "p_counter": counter})
        return {str(code): int(n) for code, n in rows}

    def recent_service_seconds(self, category: str, limit: int) -> list[float]:
        rows = self._run(_Q.recent, {"p_category": category, "p_limit": limit})
        return [float(r[0]) for r in rows]

    def counter_last_activity(self, day: str) -> dict[int, float]:
        rows = self._run(_Q.last_activity, {"p_day": day})
        return {int(counter): float(at) for counter, at in rows if at is not None}

    def counter_clerks(self, day: str) -> dict[int, str]:
        rows = self._run(_Q.counter_actors, {"p_day": day})
        return {int(counter): str(actor) for counter, actor in rows}

    def issued_counts(self, day: str) -> dict[str, int]:
        rows = self._run(_Q.issued_counts, {"p_day": day})
        return {str(category): int(n) for category, n in rows}

    def active_tickets(self, day: str) -> list[Ticket]:
        return [_ticket(r) for r in self._mappings(_Q.active, {"p_day": day})]

    def waiting_counts(self, day: str) -> dict[str, int]:
        rows = self._run(_Q.waiting_counts, {"p_day": day})
        return {str(category): int(n) for category, n in rows}

    def called_tickets(self, day: str) -> list[Ticket]:
        return [_ticket(r) for r in self._mappings(_Q.called, {"p_day": day})]

    # --- counters
    def counter_statuses(self) -> dict[int, str]:
        rows = self._run(_Q.counter_statuses, {})
        return {int(n): str(s) for n, s in rows}

    def set_counter_status(self, counter: int, status: str, now: float) -> None:
        c = t.counters.c
        done = self.conn.execute(
            update(t.counters).where(c.number == counter).values(status=status, changed_at=now)
        )
        if done.rowcount == 0:
            self.conn.execute(
                insert(t.counters).values(number=counter, status=status, changed_at=now)
            )

    # --- events
    def last_seq(self) -> int:
        return int(self._first(_Q.last_seq, {})[0] or 0)

    def append(self, event: Event) -> int:
        seq = (self.last_seq() if self._events.seq is None else self._events.seq) + 1
        self._events.seq = seq
        self._run(
            _Q.append,
            {
                "seq": seq,
                "at": event.at,
                "service_day": service_day(event.at, self._tz),
                "actor": event.actor,
                "kind": event.kind.value,
                "ticket_id": event.ticket_id,
                "number": event.number,
                "category": event.category,
                "counter": event.counter,
                # The driver path has no JSON type processor: serialise here.
                "data": event.data if self._driver is None else json.dumps(event.data),
            },
        )
        return seq

    def events_since(self, seq: int, limit: int) -> list[Event]:
        ev = t.events.c
        rows = self.conn.execute(
            select(t.events).where(ev.seq > seq).order_by(ev.seq).limit(limit)
        ).mappings()
        return [_event(r) for r in rows]

    def last_event_with(self, kind: EventKind, key: str) -> Event | None:
        ev = t.events.c
        rows = self.conn.execute(
            select(t.events).where(ev.kind == kind.value).order_by(ev.seq.desc())
        ).mappings()
        return next((e for e in map(_event, rows) if key in e.data), None)

    def events_of_day(self, day: str) -> list[Event]:
        ev = t.events.c
        rows = self.conn.execute(
            select(t.events).where(ev.service_day == day).order_by(ev.seq)
        ).mappings()
        return [_event(r) for r in rows]

    # --- appointments
    def add_appointment(self, appointment: Appointment) -> int:
        values = asdict(appointment)
        del values["id"]
        values["status"] = appointment.status.value
        result = self.conn.execute(
            insert(t.appointments).values(**values).returning(t.appointments.c.id)
        )
        return int(result.scalar_one())

    def save_appointment(self, appointment: Appointment) -> None:
        a = t.appointments.c
        self.conn.execute(
            update(t.appointments)
            .where(a.id == appointment.id)
            .values(status=appointment.status.value, ticket_id=appointment.ticket_id)
        )

    def person_appointments(self, person_key: str, category: str) -> list[Appointment]:
        rows = self._mappings(_Q.appointments, {"p_person": person_key, "p_category": category})
        return [_appointment(r) for r in rows]

    # --- personal data
    def sealed_day_key(self, day: str) -> bytes | None:
        k = t.day_keys.c
        row = self.conn.execute(select(k.sealed).where(k.service_day == day)).first()
        return bytes(row[0]) if row else None

    def add_day_key(self, day: str, sealed: bytes) -> None:
        self.conn.execute(insert(t.day_keys).values(service_day=day, sealed=sealed))

    def purge_personal(self, before_day: str, before_at: float) -> Purged:
        old = and_(
            _tk.service_day < before_day,
            or_(_tk.person_key.is_not(None), _tk.masked_name.is_not(None)),
        )
        tickets = self.conn.execute(
            update(t.tickets).where(old).values(person_key=None, masked_name=None)
        )
        a = t.appointments.c
        booked = self.conn.execute(
            update(t.appointments)
            .where(a.slot_start < before_at, a.person_key.is_not(None))
            .values(person_key=None)
        )
        keys = self.conn.execute(delete(t.day_keys).where(t.day_keys.c.service_day < before_day))
        requests = self.conn.execute(
            delete(t.issue_requests).where(t.issue_requests.c.created_at < before_at)
        )
        return Purged(tickets.rowcount, booked.rowcount, keys.rowcount, requests.rowcount)

    # --- devices
    def save_device(self, device: DeviceRecord) -> None:
        values = asdict(device)
        done = self.conn.execute(
            update(t.devices).where(t.devices.c.id == device.id).values(**values)
        )
        if done.rowcount == 0:
            self.conn.execute(insert(t.devices).values(**values))

    def devices(self) -> list[DeviceRecord]:
        rows = self.conn.execute(select(t.devices).order_by(t.devices.c.id)).mappings()
        return [DeviceRecord(**dict(r)) for r in rows]

    def device(self, device_id: str) -> DeviceRecord | None:
        query = select(t.devices).where(t.devices.c.id == device_id)
        row = self.conn.execute(query).mappings().first()
        return DeviceRecord(**dict(row)) if row is not None else None

    def mark_offline(self, device_id: str, last_seen: float, now: float) -> bool:
        d = t.devices.c
        silent = and_(
            d.id == device_id,
            d.paired.is_(True),
            d.last_seen == last_seen,
            or_(d.offline_at.is_(None), d.offline_at < d.last_seen),
        )
        done = self.conn.execute(update(t.devices).where(silent).values(offline_at=now))
        return done.rowcount == 1

    def touch_devices(self, last_seen: dict[str, float]) -> None:
        if not last_seen:
            return
        # One executemany: with a thousand devices, a statement each held the writer ~50 ms.
        rows = [{"p_id": device_id, "p_at": at} for device_id, at in last_seen.items()]
        self.conn.execute(_Q.touch_device, rows)

    # --- kiosks
    def ticket_by_request(self, request_id: str) -> Ticket | None:
        r = t.issue_requests.c
        query = select(t.tickets).join(t.issue_requests, r.ticket_id == t.tickets.c.id)
        row = self.conn.execute(query.where(r.request_id == request_id)).mappings().first()
        return _ticket(dict(row)) if row is not None else None

    def remember_request(self, request_id: str, ticket_id: int, now: float) -> None:
        values = {"request_id": request_id, "ticket_id": ticket_id, "created_at": now}
        self.conn.execute(insert(t.issue_requests).values(**values))

    def save_kiosk_health(self, kiosk_id: str, health: dict[str, Any], now: float) -> None:
        k = t.kiosks.c
        values = {"health": health, "last_seen": now}
        done = self.conn.execute(update(t.kiosks).where(k.id == kiosk_id).values(**values))
        if done.rowcount == 0:
            self.conn.execute(insert(t.kiosks).values(id=kiosk_id, **values))

    def kiosk_health(self) -> list[tuple[str, dict[str, Any], float]]:
        rows = self.conn.execute(select(t.kiosks).order_by(t.kiosks.c.id)).mappings()
        return [(r["id"], dict(r["health"]), r["last_seen"]) for r in rows]

    # --- users and tokens
    def add_user(self, user: UserRecord, now: float) -> None:
        self.conn.execute(insert(t.users).values(**asdict(user), created_at=now))

    def user(self, username: str) -> UserRecord | None:
        u = t.users.c
        row = self.conn.execute(
            select(u.username, u.password_hash, u.role, u.counter, u.disabled).where(
                u.username == username
            )
        ).first()
        return UserRecord(*row) if row else None

    def add_token(self, token_hash: str, credential: Credential, now: float) -> None:
        self.conn.execute(
            insert(t.tokens).values(token_hash=token_hash, created_at=now, **asdict(credential))
        )

    def token(self, token_hash: str, now: float) -> Credential | None:
        k = t.tokens.c
        live = or_(k.expires_at.is_(None), k.expires_at > now)
        row = self.conn.execute(
            select(k.role, k.counter, k.label, k.expires_at).where(
                k.token_hash == token_hash, ~k.revoked, live
            )
        ).first()
        return Credential(*row) if row else None

    def revoke_token(self, token_hash: str) -> None:
        k = t.tokens.c
        self.conn.execute(update(t.tokens).where(k.token_hash == token_hash).values(revoked=True))

    def users(self) -> list[UserRecord]:
        u = t.users.c
        rows = self.conn.execute(
            select(u.username, u.password_hash, u.role, u.counter, u.disabled).order_by(u.username)
        )
        return [UserRecord(*row) for row in rows]

    def set_user_disabled(self, username: str, disabled: bool) -> None:
        u = t.users.c
        self.conn.execute(update(t.users).where(u.username == username).values(disabled=disabled))

    def set_password_hash(self, username: str, password_hash: str) -> None:
        u = t.users.c
        self.conn.execute(
            update(t.users).where(u.username == username).values(password_hash=password_hash)
        )

    def tokens(self) -> list[TokenRecord]:
        k = t.tokens.c
        rows = self.conn.execute(
            select(
                k.id, k.role, k.counter, k.label, k.created_at, k.revoked, k.expires_at
            ).order_by(k.id)
        )
        return [TokenRecord(*row) for row in rows]

    def revoke_token_id(self, token_id: int) -> None:
        k = t.tokens.c
        self.conn.execute(update(t.tokens).where(k.id == token_id).values(revoked=True))

    def revoke_label(self, label: str) -> None:
        k = t.tokens.c
        self.conn.execute(update(t.tokens).where(k.label == label).values(revoked=True))

    def add_case(self, case: ReviewCase) -> None:
        c = t.review_cases.c
        if self.conn.execute(select(c.id).where(c.ticket_id == case.ticket_id)).first():
            return
        values = asdict(case)
        del values["id"]
        self.conn.execute(insert(t.review_cases).values(**values))

    def cases(self) -> list[ReviewCase]:
        rows = self.conn.execute(
            select(t.review_cases).order_by(t.review_cases.c.rated_at.desc())
        ).mappings()
        return [ReviewCase(**dict(r)) for r in rows]

    def save_case(self, case: ReviewCase) -> None:
        c = t.review_cases.c
        self.conn.execute(update(t.review_cases).where(c.id == case.id).values(**asdict(case)))

    def notice(self) -> str:
        row = self.conn.execute(select(t.notices.c.text).where(t.notices.c.id == 1)).first()
        return str(row[0]) if row else ""

    def set_notice(self, text: str, now: float) -> None:
        n = t.notices.c
        done = self.conn.execute(
            update(t.notices).where(n.id == 1).values(text=text, changed_at=now)
        )
        if done.rowcount == 0:
            self.conn.execute(insert(t.notices).values(id=1, text=text, changed_at=now))

    def appointments_between(self, start: float, end: float) -> list[Appointment]:
        a = t.appointments.c
        rows = self.conn.execute(
            select(t.appointments)
            .where(a.slot_start >= start, a.slot_start < end)
            .order_by(a.slot_start, a.id)
        ).mappings()
        return [_appointment(r) for r in rows]


def _appointment(row: Mapping[Any, Any]) -> Appointment:
    return Appointment(**{**dict(row), "status": AppointmentStatus(row["status"])})


class SqlUnitOfWork(UnitOfWork):
    """One transaction on ``engine``. A writing unit locks the hall first.

    SQLite: ``BEGIN IMMEDIATE``. PostgreSQL: ``SELECT … FOR UPDATE`` on the one
    ``hall_lock`` row. Either way writers run one at a time, which keeps ticket
    numbers and event sequence numbers gap-free and in commit order, on one
    process or several.
    """

    def __init__(self, engine: Engine, tz: ZoneInfo, *, write: bool) -> None:
        options: dict[str, object] = {WRITE: write}
        if not write and not is_sqlite(engine):
            # A reader's statements share one snapshot (a queue snapshot's seq and tickets
            # must agree); SQLite's read transaction in WAL mode is one snapshot already.
            options["isolation_level"] = "REPEATABLE READ"
            options["postgresql_readonly"] = True
        self._conn = engine.connect().execution_options(**options)
        self._tx = self._conn.begin()
        if write and not is_sqlite(engine):
            self._conn.execute(select(t.hall_lock.c.id).with_for_update())
        self._tz = tz
        self._events = _EventCursor()
        self.repo = SqlRepository(self._conn, tz, self._events)

    def commit(self) -> None:
        self._tx.commit()
        self._conn.close()

    def rollback(self) -> None:
        if self._tx.is_active:
            self._tx.rollback()
        self._conn.close()

    def nested(self) -> SavepointUnit:
        """A unit inside this transaction (a SAVEPOINT): group commit of several use cases."""
        return SavepointUnit(self._conn, self._tz, self._events)


class SavepointUnit(UnitOfWork):
    """Commit releases the savepoint; the enclosing transaction makes it durable."""

    def __init__(self, conn: Connection, tz: ZoneInfo, events: _EventCursor) -> None:
        self._savepoint = conn.begin_nested()
        self._events, self._events_before = events, events.seq
        self.repo = SqlRepository(conn, tz, events)

    def commit(self) -> None:
        self._savepoint.commit()

    def rollback(self) -> None:
        if self._savepoint.is_active:
            self._savepoint.rollback()
            self._events.seq = self._events_before  # its events are gone again
