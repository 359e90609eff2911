"""Real-name limits (一号申请): what a tap on the card at the kiosk does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from caller_server.domain.errors import PersonLimitReached
from caller_server.domain.hall import Rules
from caller_server.domain.ticket import Status, Ticket


class IssueKind(StrEnum):
    NEW = "new"
    EXISTING = "existing"
    """A repeated tap: the citizen already holds an active ticket here (reprint)."""
    REACTIVATE = "reactivate"
    """A missed ticket rejoins the queue (恢复排队)."""


@dataclass(frozen=True)
class IssueDecision:
    kind: IssueKind
    ticket: Ticket | None = None


def decide_issue(category: str, today: Sequence[Ticket], rules: Rules, now: float) -> IssueDecision:
    """Decide for one person from their tickets of the service day.

    Raises :class:`PersonLimitReached` when the daily cap per person is used up,
    with the ticket the citizen most likely looks for in its context: the newest
    still active one, else the newest.
    """
    here = sorted((t for t in today if t.category == category), key=lambda t: t.issued_at)
    active = [t for t in here if t.active]
    if active and len(active) >= rules.max_active_per_category:
        return IssueDecision(IssueKind.EXISTING, active[-1])
    window = rules.reactivation_minutes * 60
    missed = [
        t
        for t in here
        if t.status is Status.NO_SHOW and t.no_show_at is not None and now - t.no_show_at <= window
    ]
    if missed:
        return IssueDecision(IssueKind.REACTIVATE, missed[-1])
    if len(today) >= rules.max_tickets_per_day:
        error = PersonLimitReached(rules.max_tickets_per_day)
        error.context["ticket"] = max(today, key=lambda t: (t.active, t.issued_at, t.id))
        raise error
    return IssueDecision(IssueKind.NEW)
