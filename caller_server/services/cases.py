"""Bad-review cases: opened by a bad rating, 回访 (follow-up), 整改 (fix), closed by the manager."""

from __future__ import annotations

from caller_server.domain.errors import DomainError
from caller_server.domain.events import Event, EventKind
from caller_server.domain.rating import Rating
from caller_server.domain.ticket import Ticket
from caller_server.services.context import ServiceContext
from caller_server.store.repository import Repository, ReviewCase, UnitOfWork


class CaseError(DomainError):
    code = "case_invalid"


def open_if_bad(repo: Repository, ticket: Ticket, level: int, now: float) -> None:
    """Called inside the rating's transaction: a bad review opens a case."""
    if not Rating(level).bad:
        return
    repo.add_case(
        ReviewCase(0, ticket.id, ticket.number, ticket.category, ticket.counter, level, now)
    )


def _event(case: ReviewCase, now: float, actor: str, what: str) -> Event:
    return Event(
        kind=EventKind.CASE_UPDATED,
        at=now,
        actor=actor,
        ticket_id=case.ticket_id,
        number=case.number,
        category=case.category,
        counter=case.counter,
        data={"case": case.id, "field": what},
    )


def all_cases(ctx: ServiceContext) -> list[ReviewCase]:
    with ctx.unit(write=False) as uow:
        return uow.repo.cases()


def _find(uow: UnitOfWork, case_id: int) -> ReviewCase:
    case = next((c for c in uow.repo.cases() if c.id == case_id), None)
    if case is None:
        raise CaseError("没有该差评工单", f"no case {case_id}")
    if case.status != "open":
        raise CaseError("该工单已办结", f"case {case_id} is closed")
    return case


def update(ctx: ServiceContext, case_id: int, field: str, text: str, actor: str) -> None:
    """Record the 回访 (``follow_up``) or the 整改 (``fix``) of an open case."""
    if field not in ("follow_up", "fix"):
        raise CaseError("无效字段", f"unknown field {field}")
    text = text.strip()[:500]
    if not text:
        raise CaseError("请填写内容", "the text is empty")
    now = ctx.clock()
    with ctx.unit(write=True) as uow:
        case = _find(uow, case_id)
        setattr(case, field, text)
        uow.repo.save_case(case)
        ctx.record(uow, _event(case, now, actor, field))


def close(ctx: ServiceContext, case_id: int, actor: str) -> None:
    """Close a case once its 回访 and 整改 are recorded."""
    now = ctx.clock()
    with ctx.unit(write=True) as uow:
        case = _find(uow, case_id)
        if not case.follow_up or not case.fix:
            raise CaseError("请先记录回访和整改情况", "record the follow-up and the fix first")
        case.status, case.closed_at, case.closed_by = "closed", now, actor
        uow.repo.save_case(case)
        ctx.record(uow, _event(case, now, actor, "closed"))
