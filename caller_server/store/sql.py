"""The repository and unit of work on SQLAlchemy Core (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Engine,
    and_,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.engine import Connection, RowMapping

from caller_server.domain.appointments import Appointment, AppointmentStatus
from caller_server.domain.events import Event, EventKind
from caller_server.domain.hall import Counter
from caller_server.domain.policy import Candidate
from caller_server.domain.ticket import Priority, Status, Ticket, service_day
from caller_server.store import tables as t
from caller_server.store.engine import WRITE, is_sqlite
from caller_server.store.repository import (
    Credential,
    Repository,
    UnitOfWork,
    UserRecord,
)

_TICKET_FIELDS = [f.name for f in fields(Ticket)]
_ACTIVE = (Status.WAITING.value, Status.CALLED.value, Status.SERVING.value)


def _ticket(row: RowMapping) -> Ticket:
    values = {name: row[name] for name in _TICKET_FIELDS}
    values["status"] = Status(values["status"])
    values["priority"] = Priority(values["priority"]) if values["priority"] else None
    return Ticket(**values)


def _ticket_values(ticket: Ticket) -> dict[str, Any]:
    values = asdict(ticket)
    values["status"] = ticket.status.value
    values["priority"] = ticket.priority.value if ticket.priority else None
    del values["id"]
    return values


def _candidate(row: RowMapping) -> Candidate:
    return Candidate(
        ticket_id=row["id"],
        number=row["number"],
        category=row["category"],
        arrival_at=row["arrival_at"],
        priority=Priority(row["priority"]) if row["priority"] else None,
        due_at=row["due_at"],
        target_counter=row["target_counter"],
    )


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


def _is_priority(now: float) -> ColumnElement[bool]:
    tk = t.tickets.c
    return and_(tk.priority.is_not(None), or_(tk.due_at.is_(None), tk.due_at <= now))


class SqlRepository(Repository):
    def __init__(self, conn: Connection, tz: ZoneInfo) -> None:
        self.conn = conn
        self._tz = tz
        self._seq: int | None = None

    # --- numbering
    def next_number(self, category: str, day: str) -> int:
        ns = t.number_sequences.c
        where = and_(ns.category == category, ns.service_day == day)
        row = self.conn.execute(
            update(t.number_sequences)
            .where(where)
            .values(last_number=ns.last_number + 1)
            .returning(ns.last_number)
        ).first()
        if row is not None:
            return int(row[0])
        self.conn.execute(
            insert(t.number_sequences).values(category=category, service_day=day, last_number=1)
        )
        return 1

    def issued_count(self, category: str, day: str) -> int:
        ns = t.number_sequences.c
        value = self.conn.execute(
            select(ns.last_number).where(ns.category == category, ns.service_day == day)
        ).scalar()
        return int(value or 0)

    # --- tickets
    def add_ticket(self, ticket: Ticket) -> int:
        result = self.conn.execute(
            insert(t.tickets).values(**_ticket_values(ticket)).returning(t.tickets.c.id)
        )
        return int(result.scalar_one())

    def save_ticket(self, ticket: Ticket) -> None:
        self.conn.execute(
            update(t.tickets).where(t.tickets.c.id == ticket.id).values(**_ticket_values(ticket))
        )

    def _one(self, *where: ColumnElement[bool]) -> Ticket | None:
        row = self.conn.execute(select(t.tickets).where(*where)).mappings().first()
        return _ticket(row) if row else None

    def ticket(self, ticket_id: int) -> Ticket | None:
        return self._one(t.tickets.c.id == ticket_id)

    def ticket_by_token(self, token: str) -> Ticket | None:
        return self._one(t.tickets.c.token == token)

    def ticket_by_number(self, number: str, day: str) -> Ticket | None:
        return self._one(t.tickets.c.number == number, t.tickets.c.service_day == day)

    def person_tickets(self, person_key: str, day: str) -> list[Ticket]:
        tk = t.tickets.c
        rows = self.conn.execute(
            select(t.tickets)
            .where(tk.person_key == person_key, tk.service_day == day)
            .order_by(tk.issued_at)
        ).mappings()
        return [_ticket(r) for r in rows]

    def counter_ticket(self, counter: int, day: str) -> Ticket | None:
        tk = t.tickets.c
        return self._one(
            tk.service_day == day,
            tk.counter == counter,
            tk.status.in_((Status.CALLED.value, Status.SERVING.value)),
        )

    def candidates(self, counter: Counter, day: str, now: float) -> list[Candidate]:
        tk = t.tickets.c
        waiting = and_(tk.service_day == day, tk.status == Status.WAITING.value)
        order = (tk.arrival_at, tk.id)
        heads = [select(t.tickets).where(waiting, tk.target_counter == counter.number)]
        for code in counter.codes:
            mine = and_(waiting, tk.category == code, tk.target_counter.is_(None))
            heads.append(select(t.tickets).where(mine))
            heads.append(select(t.tickets).where(mine, _is_priority(now)))
        subqueries = [h.order_by(*order).limit(1).subquery().select() for h in heads]
        rows = self.conn.execute(union_all(*subqueries)).mappings()
        return [_candidate(r) for r in rows]

    def ahead(self, ticket: Ticket, now: float) -> int:
        tk = t.tickets.c
        prio = _is_priority(now)
        earlier = or_(
            tk.arrival_at < ticket.arrival_at,
            and_(tk.arrival_at == ticket.arrival_at, tk.id < ticket.id),
        )
        mine_prio = ticket.priority is not None and (ticket.due_at is None or ticket.due_at <= now)
        before = and_(prio, earlier) if mine_prio else or_(prio, earlier)
        count = self.conn.execute(
            select(func.count())
            .select_from(t.tickets)
            .where(
                tk.service_day == ticket.service_day,
                tk.status == Status.WAITING.value,
                tk.category == ticket.category,
                tk.id != ticket.id,
                before,
            )
        ).scalar_one()
        return int(count)

    def served_counts(self, counter: int, day: str) -> dict[str, int]:
        tk = t.tickets.c
        rows = self.conn.execute(
            select(tk.category, func.count())
            .where(tk.service_day == day, tk.counter == counter)
            .group_by(tk.category)
        )
        return {str(code): int(n) for code, n in rows}

    def recent_service_seconds(self, category: str, limit: int) -> list[float]:
        tk = t.tickets.c
        rows = self.conn.execute(
            select(tk.finished_at - tk.started_at)
            .where(tk.category == category, tk.status == Status.DONE.value)
            .order_by(tk.finished_at.desc())
            .limit(limit)
        )
        return [float(r[0]) for r in rows]

    def active_tickets(self, day: str) -> list[Ticket]:
        tk = t.tickets.c
        rows = self.conn.execute(
            select(t.tickets)
            .where(tk.service_day == day, tk.status.in_(_ACTIVE))
            .order_by(tk.arrival_at, tk.id)
        ).mappings()
        return [_ticket(r) for r in rows]

    # --- counters
    def counter_statuses(self) -> dict[int, str]:
        rows = self.conn.execute(select(t.counters.c.number, t.counters.c.status))
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
        return int(
            self.conn.execute(select(func.coalesce(func.max(t.events.c.seq), 0))).scalar_one()
        )

    def append(self, event: Event) -> int:
        if self._seq is None:
            self._seq = self.last_seq()
        self._seq += 1
        self.conn.execute(
            insert(t.events).values(
                seq=self._seq,
                at=event.at,
                service_day=service_day(event.at, self._tz),
                actor=event.actor,
                kind=event.kind.value,
                ticket_id=event.ticket_id,
                number=event.number,
                category=event.category,
                counter=event.counter,
                data=event.data,
            )
        )
        return self._seq

    def events_since(self, seq: int, limit: int) -> list[Event]:
        ev = t.events.c
        rows = self.conn.execute(
            select(t.events).where(ev.seq > seq).order_by(ev.seq).limit(limit)
        ).mappings()
        return [_event(r) for r in rows]

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
        a = t.appointments.c
        rows = self.conn.execute(
            select(t.appointments)
            .where(a.person_key == person_key, a.category == category)
            .order_by(a.slot_start)
        ).mappings()
        return [Appointment(**{**dict(r), "status": AppointmentStatus(r["status"])}) for r in rows]

    # --- users and tokens
    def add_user(self, user: UserRecord, now: float) -> None:
        self.conn.execute(insert(t.users).values(**asdict(user), created_at=now))

    def user(self, username: str) -> UserRecord | None:
        u = t.users.c
        row = self.conn.execute(
            select(u.username, u.password_hash, u.role, u.counter).where(u.username == username)
        ).first()
        return UserRecord(*row) if row else None

    def add_token(self, token_hash: str, credential: Credential, now: float) -> None:
        self.conn.execute(
            insert(t.tokens).values(token_hash=token_hash, created_at=now, **asdict(credential))
        )

    def token(self, token_hash: str) -> Credential | None:
        k = t.tokens.c
        row = self.conn.execute(
            select(k.role, k.counter, k.label).where(k.token_hash == token_hash, ~k.revoked)
        ).first()
        return Credential(*row) if row else None


class SqlUnitOfWork(UnitOfWork):
    """One transaction on ``engine``. A writing unit locks the hall first.

    SQLite: ``BEGIN IMMEDIATE``. PostgreSQL: ``SELECT … FOR UPDATE`` on the one
    ``hall_lock`` row. Either way writers run one at a time, which keeps ticket
    numbers and event sequence numbers gap-free and in commit order, on one
    process or several.
    """

    def __init__(self, engine: Engine, tz: ZoneInfo, *, write: bool) -> None:
        self._conn = engine.connect().execution_options(**{WRITE: write})
        self._tx = self._conn.begin()
        if write and not is_sqlite(engine):
            self._conn.execute(select(t.hall_lock.c.id).with_for_update())
        self.repo = SqlRepository(self._conn, tz)

    def commit(self) -> None:
        self._tx.commit()
        self._conn.close()

    def rollback(self) -> None:
        if self._tx.is_active:
            self._tx.rollback()
        self._conn.close()
