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
    person_key,
)
from caller_server.domain.limits import IssueKind, decide_issue
from caller_server.domain.rating import LABELS, parse_rating
from caller_server.domain.ticket import Priority, Status, Ticket, format_number
from caller_server.protocol import IdentityIn, TicketOut
from caller_server.services.context import ServiceContext, ticket_event
from caller_server.store.repository import Repository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Person:
    """A citizen as the server keeps them: a key and coarse statistics, never the number."""

    key: str
    number: IdNumber
    masked_name: str | None


def _person(ctx: ServiceContext, identity: IdentityIn, now: float) -> Person:
    today = ctx.local(now).date()
    card_type = (
        CardType.MAINLAND if identity.card_type == "mainland" else CardType(identity.card_type)
    )
    number = parse_id_number(identity.id_number, card_type, today=today)
    if identity.valid_to is not None and identity.valid_to < today:
        raise CardExpired()
    masked = mask_name(identity.name) if identity.name else None
    return Person(person_key(ctx.secret, number.value), number, masked)


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
    ctx: ServiceContext, code: str, identity: IdentityIn | None, kiosk_id: str, actor: str
) -> TicketOut:
    """Issue a ticket, or return the one the person already holds (a repeated tap)."""
    now = ctx.clock()
    category = ctx.hall.categories.get(code)
    if category is None:
        raise UnknownCategory(code)
    person = _person(ctx, identity, now) if identity is not None else None
    if person is None and category.id_required:
        raise IdentityRequired(code)
    day = ctx.day(now)
    with ctx.unit(write=True) as uow:
        repo = uow.repo
        if person is not None:
            try:
                decision = decide_issue(
                    code, repo.person_tickets(person.key, day), ctx.hall.rules, now
                )
            except PersonLimitReached as exc:
                exc.context["ticket"] = ctx.ticket_out(repo, exc.context["ticket"], now)
                raise
            if decision.kind is IssueKind.EXISTING and decision.ticket is not None:
                return ctx.ticket_out(repo, decision.ticket, now, "existing")
            if decision.kind is IssueKind.REACTIVATE and decision.ticket is not None:
                ticket = decision.ticket
                ticket.reactivate(now, ctx.hall.rules.reactivation_minutes)
                repo.save_ticket(ticket)
                out = ctx.ticket_out(repo, ticket, now, "reactivated")
                ctx.record(uow, ticket_event(EventKind.REACTIVATED, ticket, now, actor))
                return out
        if not category.is_open(ctx.local(now)):
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
            ticket.masked_id = person.number.masked
            ticket.masked_name = person.masked_name
            ticket.age_band = age_band(person.number.age_on(ctx.local(now).date()))
            ticket.sex = person.number.sex.value
            ticket.province = person.number.province_code
        ticket.id = repo.add_ticket(ticket)
        events = [ticket_event(EventKind.ISSUED, ticket, now, actor, kiosk=kiosk_id)]
        if appointment is not None:
            appointment.status, appointment.ticket_id = AppointmentStatus.CHECKED_IN, ticket.id
            repo.save_appointment(appointment)
            events.append(ticket_event(EventKind.APPOINTMENT_CHECKED_IN, ticket, now, actor))
        out = ctx.ticket_out(repo, ticket, now, "new")
        ctx.record(uow, *events)
    log.debug("issued %s (%s) at kiosk %s", ticket.number, ticket.masked_id or "no id", kiosk_id)
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
        ticket.rating = rating.value
        uow.repo.save_ticket(ticket)
        label = LABELS[rating][0]
        events = [
            ticket_event(EventKind.RATED, ticket, now, actor, level=rating.value, label=label)
        ]
        if rating.bad:
            events.append(
                ticket_event(
                    EventKind.ALERT, ticket, now, "system", alert="bad_review", label=label
                )
            )
        out = ctx.ticket_out(uow.repo, ticket, now)
        ctx.record(uow, *events)
    return out
