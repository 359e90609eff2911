"""What the public hall wall shows: no login, no personal data, no status tokens."""

from __future__ import annotations

from pydantic import BaseModel

from caller_server.domain.events import EventKind
from caller_server.services import queue
from caller_server.services.context import ServiceContext

LAST_CALLS = 8
_SCAN = 400
"""Newest events searched for the last calls."""


class WallCounter(BaseModel):
    number: int
    name: str
    status: str
    current: str | None = None


class WallCall(BaseModel):
    number: str
    counter: int
    at: float


class WallCategory(BaseModel):
    code: str
    names: list[str]
    waiting: int


class WallView(BaseModel):
    seq: int
    hall: list[str]
    counters: list[WallCounter]
    calls: list[WallCall]
    categories: list[WallCategory]
    notice: str = ""


def wall_view(ctx: ServiceContext) -> WallView:
    snap = queue.snapshot(ctx)
    recent = queue.events_since(ctx, max(0, snap.seq - _SCAN), _SCAN)
    midnight = ctx.local(snap.at).replace(hour=0, minute=0, second=0).timestamp()
    calls: list[WallCall] = []
    for e in reversed(recent):
        if e.kind not in (EventKind.CALLED, EventKind.RECALLED) or e.at < midnight:
            continue
        if e.number and e.counter is not None and len(calls) < LAST_CALLS:
            calls.append(WallCall(number=e.number, counter=e.counter, at=e.at))
    with ctx.unit(write=False) as uow:
        notice = uow.repo.notice()
    names = ctx.hall.names
    return WallView(
        seq=snap.seq,
        hall=[names.zh_cn, names.zh_tw, names.en],
        counters=[
            WallCounter(
                number=c.number,
                name=c.name,
                status=c.status,
                current=c.current.number if c.current else None,
            )
            for c in snap.counters
        ],
        calls=calls,
        categories=[
            WallCategory(code=c.code, names=[c.name, c.name_tw, c.name_en], waiting=c.waiting)
            for c in snap.categories
        ],
        notice=notice,
    )
