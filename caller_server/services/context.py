"""What every use case needs, injected once (Cosmic Python's bootstrap)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from caller_server.domain.daykeys import new_day_key, seal, unseal
from caller_server.domain.estimate import eta_minutes, mean_service_seconds
from caller_server.domain.events import Event, EventKind
from caller_server.domain.hall import Hall
from caller_server.domain.identity import person_key
from caller_server.domain.ticket import Ticket, service_day
from caller_server.protocol import MaskedIdentity, TicketOut
from caller_server.store.repository import Repository, UnitOfWork

COUNTER_OPEN = "open"


@dataclass
class ServiceContext:
    hall: Hall
    unit: Callable[..., UnitOfWork]
    """``unit(write=True)`` opens a writing transaction, ``unit(write=False)`` a reading one."""
    secret: bytes
    """The hall secret keying the person HMAC."""
    public_url: str = "http://127.0.0.1:8600"
    """Base of the status URL printed as a QR code on each ticket."""
    clock: Callable[[], float] = time.time
    on_commit: Callable[[int], None] = field(default=lambda seq: None)
    """Told the newest event sequence number after each committed change."""
    write_failure: str | None = None
    """Why this process's last write failed (``disk_full`` …); None once one succeeds."""
    estimate_ttl: float = 2.0
    """Seconds an estimate input (mean service time, open counters) is reused."""
    _estimates: dict[str, tuple[float, float, int]] = field(default_factory=dict, repr=False)

    def day(self, now: float) -> str:
        return service_day(now, self.hall.timezone)

    def local(self, now: float) -> datetime:
        return datetime.fromtimestamp(now, self.hall.timezone)

    def status_url(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/t/{token}"

    def record(self, uow: UnitOfWork, *events: Event) -> None:
        """Append events, commit, and tell listeners."""
        seq = 0
        for event in events:
            seq = uow.repo.append(event)
        uow.commit()
        if seq:
            self.on_commit(seq)

    def open_counters(self, repo: Repository, category: str) -> int:
        statuses = repo.counter_statuses()
        return sum(
            1
            for c in self.hall.counters.values()
            if category in c.codes and statuses.get(c.number, COUNTER_OPEN) == COUNTER_OPEN
        )

    def service_rate(self, repo: Repository, category: str) -> tuple[float, int]:
        """(mean service seconds, open counters) for ``category``, reused for a moment."""
        now = time.monotonic()
        hit = self._estimates.get(category)
        if hit is None or hit[0] < now:
            samples = repo.recent_service_seconds(category, self.hall.rules.service_samples)
            mean = mean_service_seconds(samples, self.hall.categories[category].service_minutes)
            hit = (now + self.estimate_ttl, mean, self.open_counters(repo, category))
            self._estimates[category] = hit
        return hit[1], hit[2]

    def person_key(self, repo: Repository, day: str, number: str) -> str:
        """``number``'s key on ``day``, under that day's own key (made on first use).

        Call it in a writing unit: the hall lock orders the first use of a day across
        processes, so each day gets exactly one key.
        """
        sealed = repo.sealed_day_key(day)
        if sealed is None:
            key = new_day_key()
            repo.add_day_key(day, seal(self.secret, day, key))
        else:
            key = unseal(self.secret, day, sealed)
        return person_key(key, number)

    def ticket_out(
        self,
        repo: Repository,
        ticket: Ticket,
        now: float,
        outcome: str = "status",
        identity: MaskedIdentity | None = None,
    ) -> TicketOut:
        """The public view of a ticket, with people ahead and the wait estimate.

        ``identity`` is what the request that is being answered showed (the masked number is
        never stored); otherwise only the masked name, while the day keeps it.
        """
        category = self.hall.categories[ticket.category]
        waiting = ticket.status == "waiting"
        ahead = repo.ahead(ticket, now) if waiting else 0
        mean, open_counters = self.service_rate(repo, ticket.category) if waiting else (0.0, 0)
        if identity is None and ticket.masked_name:
            identity = MaskedIdentity(name=ticket.masked_name)
        return TicketOut(
            number=ticket.number,
            category=ticket.category,
            category_name=category.names.zh_cn,
            status=ticket.status.value,
            ahead=ahead,
            eta_minutes=eta_minutes(ahead, mean, open_counters) if waiting else 0,
            status_url=self.status_url(ticket.token),
            token=ticket.token,
            identity=identity,
            priority=ticket.priority.value if ticket.priority else None,
            counter=ticket.counter,
            rating=ticket.rating,
            issued_at=ticket.issued_at,
            hall_name=self.hall.names.zh_cn,
            outcome=outcome,  # type: ignore[arg-type]
            due_at=ticket.due_at,
        )


def ticket_event(
    kind: EventKind,
    ticket: Ticket,
    now: float,
    actor: str,
    counter: int | None = None,
    **data: object,
) -> Event:
    """An audit event about ``ticket``; ``counter`` defaults to the ticket's."""
    payload: dict[str, object] = {"status": ticket.status.value}
    if ticket.priority:
        payload["priority"] = ticket.priority.value
    payload.update(data)
    return Event(
        kind=kind,
        at=now,
        actor=actor,
        ticket_id=ticket.id,
        number=ticket.number,
        category=ticket.category,
        counter=ticket.counter if counter is None else counter,
        data=payload,
    )
