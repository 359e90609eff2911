"""Appointments: book through the API or import the booking system's CSV."""

from __future__ import annotations

from datetime import time

from caller_server.domain.appointments import Appointment, Booking, make_booking, parse_bookings_csv
from caller_server.domain.events import Event, EventKind
from caller_server.domain.identity import mask_id_number
from caller_server.protocol import BookingIn, BookingOut, MaskedIdentity
from caller_server.services.context import ServiceContext


def _store(ctx: ServiceContext, bookings: list[Booking], actor: str) -> list[BookingOut]:
    now = ctx.clock()
    out = []
    with ctx.unit(write=True) as uow:
        events = []
        for booking in bookings:
            appointment = Appointment(
                id=0,
                person_key=ctx.person_key(uow.repo, ctx.day(booking.slot_start), booking.id_number),
                category=booking.category,
                slot_start=booking.slot_start,
                slot_end=booking.slot_end,
                reference=booking.reference,
            )
            appointment.id = uow.repo.add_appointment(appointment)
            events.append(
                Event(
                    kind=EventKind.APPOINTMENT_BOOKED,
                    at=now,
                    actor=actor,
                    category=booking.category,
                    data={"appointment": appointment.id, "slot_start": booking.slot_start},
                )
            )
            out.append(
                BookingOut(
                    id=appointment.id,
                    category=booking.category,
                    slot_start=booking.slot_start,
                    slot_end=booking.slot_end,
                    identity=MaskedIdentity(id_number=mask_id_number(booking.id_number)),
                )
            )
        ctx.record(uow, *events)
    return out


def book(ctx: ServiceContext, request: BookingIn, actor: str) -> BookingOut:
    booking = make_booking(
        ctx.hall,
        request.identity.id_number,
        request.category,
        request.day,
        time.fromisoformat(request.start),
        time.fromisoformat(request.end),
        request.reference,
    )
    return _store(ctx, [booking], actor)[0]


def import_csv(ctx: ServiceContext, text: str, actor: str) -> list[BookingOut]:
    """All rows or none: a bad line rejects the file and names the line."""
    return _store(ctx, parse_bookings_csv(ctx.hall, text), actor)


def of_day(ctx: ServiceContext, day_start: float) -> list[Appointment]:
    """Appointments whose slot starts within the 24 hours from ``day_start``."""
    with ctx.unit(write=False) as uow:
        return uow.repo.appointments_between(day_start, day_start + 86400)
