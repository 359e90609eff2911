"""Retention: a service day's personal fields live ``rules.retention_days`` days, no longer.

Erased: the tickets' person keys and masked names, the appointments' person keys, the day
keys. Kept: everything the figures need (events, times, categories, counters, ratings, age
band, sex, province), so ``/api/v1/stats`` of a purged day answers as before.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date, datetime, time

from caller_server.domain.daykeys import purge_before
from caller_server.domain.events import Event, EventKind
from caller_server.services.context import ServiceContext
from caller_server.store.repository import Purged

log = logging.getLogger(__name__)


def purge(ctx: ServiceContext, actor: str) -> Purged:
    """Erase the personal fields of the days past retention (idempotent)."""
    now = ctx.clock()
    first_kept = purge_before(ctx.local(now).date(), ctx.hall.rules.retention_days)
    before_at = datetime.combine(date.fromisoformat(first_kept), time(0), ctx.hall.timezone)
    with ctx.unit(write=True) as uow:
        purged = uow.repo.purge_personal(first_kept, before_at.timestamp())
        if any(asdict(purged).values()):
            data = {"before": first_kept, **asdict(purged)}
            ctx.record(uow, Event(kind=EventKind.PURGED, at=now, actor=actor, data=data))
        else:
            uow.commit()
    if purged.day_keys:
        log.info("personal fields before %s erased: %s", first_kept, purged)
    return purged
