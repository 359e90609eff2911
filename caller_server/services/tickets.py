"""Citizen-side use cases: take a ticket at the kiosk, look it up, rate the service."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from caller_server.domain.appointments import Appointment, AppointmentStatus
from caller_server.domain.errors import (
    CardExpired,
    CategoryAtCap,
    CategoryClosed,
    IdentityRequired,
    PersonLimitReached,
    RatingNotAllowed,
    TicketNotFound,
    UnknownCategory,
)
from caller_server.domain.events import EventKind
from caller_server.domain.hall import Category
from caller_server.domain.identity import (
    CardType,
    IdNumber,
    age_band,
    mask_name,
    parse_id_number,
)
from caller_server.domain.limits import IssueKind, decide_issue
from caller_server.domain.rating import LABELS, parse_rating
from caller_server.domain.ticket import Priority, Status, Ticket, format_number
from caller_server.protocol import IdentityIn, MaskedIdentity, TicketOut
from caller_server.services import cases
from caller_server.services.context import ServiceContext, ticket_event
from caller_server.store.repository import Repository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Person:
    """A citizen during one request: the parsed number lives only here, never stored."""

    key: str
    """HMAC of the number under the service day's key."""
    number: IdNumber
    masked_name: str | None


def _parse(ctx: ServiceContext, identity: IdentityIn, now: float) -> tuple[IdNumber, str | None]:
    today = ctx.local(now).date()
    card_type = (
        CardType.MAINLAND if identity.card_type == "mainland" else CardType(identity.card_type)
    )
    number = parse_id_number(identity.id_number, card_type, today=today)
    if identity.valid_to is not None and identity.valid_to < today:
        raise CardExpired()
    return number, mask_name(identity.name) if identity.name else None


def _priority(
    ctx: ServiceContext, repo: Repository, person: Person, category: str, now: float
) -> tuple[Priority | None, Appointment | None]:
    """Appointment check-in first, then age; the appointment being checked in, if any."""
    for appointment in repo.person_appointments(person.key, category):
        if appointment.can_check_in(now, ctx.hall.rules):
            return Priority.APPOINTMENT, appointment
    age = person.number.age_on(ctx.local(now).date())
    if age is not None and age >= ctx.hall.rules.priority_age:
        return Priority.ELDERLY, None
    return None, None


def _take_number(repo: Repository, category: Category, day: str) -> str:
    """The next number; past the daily cap the transaction rolls back, so nothing is skipped."""
    seq = repo.next_number(category.code, day)
    if seq > category.daily_cap:
        raise CategoryAtCap(category.code, category.daily_cap)
    return format_number(category.code, seq)


def issue(
    ctx: ServiceContext,
    code: str,
    identity: IdentityIn | None,
    kiosk_id: str,
    actor: str,
    request_id: str | None = None,
) -> TicketOut:
    """Issue a ticket, or return the one the person already holds (a repeated tap).

    ``request_id`` is the kiosk's idempotency key for one tap: a retry with the same key
    (the answer was lost) returns the ticket issued the first time, whatever happened since.
    """
    now = ctx.clock()
    category = ctx.hall.categories.get(code)
    if category is None:
        raise UnknownCategory(code)
    parsed = _parse(ctx, identity, now) if identity is not None else None
    if parsed is None and category.id_required:
        raise IdentityRequired(code)
    day = ctx.day(now)
    with ctx.unit(write=True) as uow:
        repo = uow.repo
        shown = MaskedIdentity(id_number=parsed[0].masked, name=parsed[1]) if parsed else None
        if request_id is not None:
            known = repo.ticket_by_request(request_id)
            if known is not None:  # the first answer, again
                return ctx.ticket_out(repo, known, now, "new", shown)
        person = None
        if parsed is not None:
            person = Person(ctx.person_key(repo, day, parsed[0].value), *parsed)
            try:
                decision = decide_issue(
                    code, repo.person_tickets(person.key, day), ctx.hall.rules, now
                )
            except PersonLimitReached as exc:
                held = exc.context["ticket"]
                exc.context["ticket"] = ctx.ticket_out(repo, held, now, identity=shown)
                raise
            if decision.kind is IssueKind.EXISTING and decision.ticket is not None:
                return ctx.ticket_out(repo, decision.ticket, now, "existing", shown)
            if decision.kind is IssueKind.REACTIVATE and decision.ticket is not None:
                ticket = decision.ticket
                ticket.reactivate(now, ctx.hall.rules.reactivation_minutes)
                repo.save_ticket(ticket)
                out = ctx.ticket_out(repo, ticket, now, "reactivated", shown)
                ctx.record(uow, ticket_event(EventKind.REACTIVATED, ticket, now, actor))
                return out
        if not category.is_open(ctx.local(now)) or code in ctx.hall.unserved:
            raise CategoryClosed(code)
        priority, appointment = _priority(ctx, repo, person, code, now) if person else (None, None)
        ticket = Ticket(
            id=0,
            token=secrets.token_urlsafe(12),
            number=_take_number(repo, category, day),
            category=code,
            service_day=day,
            status=Status.WAITING,
            issued_at=now,
            arrival_at=now,
            priority=priority,
            due_at=appointment.slot_start if appointment else None,
            kiosk_id=kiosk_id,
            source=identity.source if identity else None,
        )
        if person is not None:
            ticket.person_key = person.key
            ticket.masked_name = person.masked_name
            ticket.age_band = age_band(person.number.age_on(ctx.local(now).date()))
            ticket.sex = person.number.sex.value
            ticket.province = person.number.province_code
        ticket.id = repo.add_ticket(ticket)
        if request_id is not None:
            repo.remember_request(request_id, ticket.id, now)
        events = [ticket_event(EventKind.ISSUED, ticket, now, actor, kiosk=kiosk_id)]
        if appointment is not None:
            appointment.status, appointment.ticket_id = AppointmentStatus.CHECKED_IN, ticket.id
            repo.save_appointment(appointment)
            events.append(ticket_event(EventKind.APPOINTMENT_CHECKED_IN, ticket, now, actor))
        out = ctx.ticket_out(repo, ticket, now, "new", shown)
        ctx.record(uow, *events)
    log.debug("issued %s (%s) at kiosk %s", ticket.number, ticket.source or "no id", kiosk_id)
    return out


def status(ctx: ServiceContext, token: str) -> TicketOut:
    now = ctx.clock()
    with ctx.unit(write=False) as uow:
        ticket = uow.repo.ticket_by_token(token)
        if ticket is None:
            raise TicketNotFound()
        return ctx.ticket_out(uow.repo, ticket, now)


def rate(ctx: ServiceContext, token: str, level: int, actor: str) -> TicketOut:
    """好差评 after the service; a bad review raises an alert for the manager."""
    return _rate(ctx, lambda repo, _day: repo.ticket_by_token(token), level, actor)


def rate_at_counter(
    ctx: ServiceContext, counter: int, number: str, level: int, actor: str
) -> TicketOut:
    """好差评 from the paired evaluator at ``counter``: only a ticket finished there today.

    The ticket token and the evaluator are the two rights to rate; either one, once. The
    audit event's actor (``citizen`` or ``device:<id>``) records which was used.
    """

    def find(repo: Repository, day: str) -> Ticket | None:
        ticket = repo.ticket_by_number(number, day)
        return ticket if ticket is not None and ticket.counter == counter else None

    return _rate(ctx, find, level, actor)


def _rate(
    ctx: ServiceContext,
    find: Callable[[Repository, str], Ticket | None],
    level: int,
    actor: str,
) -> TicketOut:
    rating = parse_rating(level)
    now = ctx.clock()
    with ctx.unit(write=True) as uow:
        ticket = find(uow.repo, ctx.day(now))
        if ticket is None:
            raise TicketNotFound()
        if ticket.status is not Status.DONE:
            raise RatingNotAllowed("办结后才能评价", "a ticket can be rated once it is finished")
        if ticket.rating is not None:
            raise RatingNotAllowed("该号票已评价", "this ticket has been rated already")
        if ticket.service_day != ctx.day(now):
            raise RatingNotAllowed(
                "号票当日有效，评价请在办理当天进行",
                "a ticket can be rated on its service day only",
            )
        ticket.rating = rating.value
        uow.repo.save_ticket(ticket)
        label = LABELS[rating][0]
        events = [
            ticket_event(EventKind.RATED, ticket, now, actor, level=rating.value, label=label)
        ]
        if rating.bad:
            cases.open_if_bad(uow.repo, ticket, rating.value, now)
            events.append(
                ticket_event(
                    EventKind.ALERT, ticket, now, "system", alert="bad_review", label=label
                )
            )
        out = ctx.ticket_out(uow.repo, ticket, now)
        ctx.record(uow, *events)
    return out
