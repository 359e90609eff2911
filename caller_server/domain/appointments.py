"""Appointments (预约): a booked slot checks in as a priority ticket inside its window."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from caller_server.domain.errors import AppointmentError, DomainError
from caller_server.domain.hall import Hall, Rules
from caller_server.domain.identity import parse_id_number


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"


@dataclass
class Appointment:
    id: int
    person_key: str | None
    """HMAC under the slot day's key; None once the retention period erased it."""
    category: str
    slot_start: float
    slot_end: float
    status: AppointmentStatus = AppointmentStatus.BOOKED
    ticket_id: int | None = None
    reference: str = ""
    """The booking system's own reference, for the manager."""

    def window(self, rules: Rules) -> tuple[float, float]:
        """When a tap at the kiosk checks this appointment in."""
        return (
            self.slot_start - rules.appointment_early_minutes * 60,
            self.slot_start + rules.appointment_late_minutes * 60,
        )

    def can_check_in(self, now: float, rules: Rules) -> bool:
        opens, closes = self.window(rules)
        return self.status is AppointmentStatus.BOOKED and opens <= now <= closes


@dataclass(frozen=True)
class Booking:
    """A validated booking before it has a person key: the raw number lives only here."""

    id_number: str
    category: str
    slot_start: float
    slot_end: float
    reference: str


def make_booking(
    hall: Hall, id_number: str, category: str, day: date, start: time, end: time, reference: str
) -> Booking:
    number = parse_id_number(id_number).value
    if category not in hall.categories:
        raise AppointmentError("没有该业务类别", f"no such category: {category}")
    if end <= start:
        raise AppointmentError("预约结束时间应晚于开始时间", "the slot ends before it starts")
    begin = datetime.combine(day, start, hall.timezone).timestamp()
    finish = datetime.combine(day, end, hall.timezone).timestamp()
    return Booking(number, category, begin, finish, reference)


CSV_COLUMNS = ("id_number", "category", "date", "start", "end", "reference")


def parse_bookings_csv(hall: Hall, text: str) -> list[Booking]:
    """Parse an export of the online booking system; errors name the line and column."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise AppointmentError(
            "预约文件第 1 行（表头）格式有误（请用标准 CSV 导出）",
            f"line 1 (the header): not valid CSV ({exc})",
            line=1,
        ) from exc
    missing = [c for c in CSV_COLUMNS[:5] if c not in header]
    if missing:
        raise AppointmentError(
            f"预约文件缺少列：{', '.join(missing)}", f"missing columns: {', '.join(missing)}"
        )
    bookings: list[Booking] = []
    line = 1
    while True:
        line += 1
        try:
            row = next(reader)
        except StopIteration:
            return bookings
        except csv.Error as exc:  # a bare CR inside a field, a field over the csv limit …
            raise AppointmentError(
                f"预约文件第 {line} 行格式有误（请用标准 CSV 导出）",
                f"line {line}: not valid CSV ({exc})",
                line=line,
            ) from exc
        try:
            bookings.append(
                make_booking(
                    hall,
                    row["id_number"] or "",
                    (row["category"] or "").strip(),
                    date.fromisoformat((row["date"] or "").strip()),
                    time.fromisoformat((row["start"] or "").strip()),
                    time.fromisoformat((row["end"] or "").strip()),
                    (row.get("reference") or "").strip(),
                )
            )
        except (ValueError, DomainError) as exc:
            detail = exc.message_en if isinstance(exc, DomainError) else str(exc)
            raise AppointmentError(
                f"预约文件第 {line} 行有误", f"line {line}: {detail}", line=line
            ) from exc
