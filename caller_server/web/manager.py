"""The manager dashboard: live hall (电子监察), alerts with acknowledgement, figures of a day."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from datetime import date as Date
from datetime import datetime, time

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError

from caller_server.api.deps import require, runtime
from caller_server.domain.cases import overdue
from caller_server.domain.errors import AppointmentError
from caller_server.domain.figures import WAIT_BUCKETS, DayFigures
from caller_server.domain.rating import LABELS as RATINGS
from caller_server.domain.rating import Rating
from caller_server.protocol import BookingIn, IdentityIn
from caller_server.runtime import Runtime
from caller_server.services import appointments, cases, supervision
from caller_server.store.repository import Credential
from caller_server.web import charts, i18n
from caller_server.web.render import page
from caller_server.web.routes import WebSession, form_change, session_of

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1")
_MANAGERS = ("manager", "admin")
Manager = Depends(require("manager"))
_PRINTER_STATES = frozenset(
    f"prn_{s}" for s in ("ok", "paper_near_end", "paper_out", "cover_open", "offline", "unknown")
)
"""The printer states a kiosk reports that have a name in the three languages."""
Rt = Depends(runtime)


class AckIn(BaseModel):
    key: str = Field(min_length=1, max_length=160)


@api.post("/alerts/ack", status_code=204, summary="确认 an alert (who and when are recorded)")
async def ack_alert(
    body: AckIn,
    cred: Credential = Manager,
    rt: Runtime = Rt,
) -> Response:
    await rt.write(supervision.acknowledge, rt.ctx, body.key, f"{cred.role}:{cred.label}")
    return Response(status_code=204)


async def _manager(request: Request) -> WebSession | Response:
    """The manager's session, or the response refusing the request."""
    return await session_of(
        request, _MANAGERS, ("只有大厅管理人员可以查看", "for hall managers only")
    )


async def _live(request: Request, template: str) -> Response:
    who = await _manager(request)
    if isinstance(who, Response):
        return who
    rt: Runtime = request.app.state.runtime
    view = await rt.read(supervision.supervision, rt.ctx)
    return page(
        request,
        template,
        csrf=who.csrf,
        who=who,
        v=view,
        printer_states=_PRINTER_STATES,
        hm=lambda at: rt.ctx.local(at).strftime("%H:%M:%S"),
    )


@router.get("/manager", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    return await _live(request, "manager.html")


@router.get("/manager/live", response_class=HTMLResponse)
async def live_fragment(request: Request) -> Response:
    """The live part of the dashboard, re-read by its script on every event."""
    return await _live(request, "manager_live.html")


def _day(rt: Runtime, day: Date | None) -> str:
    return (day or rt.ctx.local(rt.ctx.clock()).date()).isoformat()


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@router.get("/manager/figures", response_class=HTMLResponse)
async def figures_page(request: Request, day: Date | None = Query(None)) -> Response:
    who = await _manager(request)
    if isinstance(who, Response):
        return who
    rt: Runtime = request.app.state.runtime
    the_day = _day(rt, day)
    f: DayFigures = await rt.read(supervision.figures_of, rt.ctx, the_day)
    lang = i18n.lang_of(request)
    tx = lambda key: i18n.text(lang, key)  # noqa: E731
    hours = [h for h in range(24) if f.arrivals_per_hour[h] or f.served_per_hour[h]]
    span = list(range(min([8, *hours]), max([18, *hours]) + 1))  # at least office hours
    wait_labels = [f"<{b}" for b in WAIT_BUCKETS] + [f"≥{WAIT_BUCKETS[-1]}"]
    categories = sorted(f.stats.categories)
    counters = sorted(f.stats.counters)
    charts_html = {
        "hourly": charts.bars(
            [f"{h}" for h in span],
            [
                (tx("arrivals"), [f.arrivals_per_hour[h] for h in span]),
                (tx("served"), [f.served_per_hour[h] for h in span]),
            ],
        ),
        "waits": charts.bars(wait_labels, [(tx("minutes"), f.wait_histogram)]),
        "service": charts.bars(
            categories + [f"#{n}" for n in counters],
            [
                (
                    tx("service_time"),
                    [f.stats.categories[c].mean_service_minutes or 0 for c in categories]
                    + [f.stats.counters[n].mean_service_minutes or 0 for n in counters],
                )
            ],
        ),
    }
    return page(
        request,
        "figures.html",
        csrf=who.csrf,
        who=who,
        day=the_day,
        f=f,
        charts=charts_html,
        pct=_pct,
        categories=categories,
        counters=counters,
        ratings={r.value: i18n.pick(lang, RATINGS[r]) for r in Rating},
        matters={  # the figures' key (category·zh-CN name) → the name in the page's language
            f"{c.code}·{m.names.zh_cn}": f"{c.code}·{m.names.get(lang)}"
            for c in rt.hall.categories.values()
            for m in c.matters
        },
    )


def figure_rows(f: DayFigures) -> list[dict[str, object]]:
    """The figures as flat rows (CSV): hall, categories, counters, matters, clerks."""
    rows: list[dict[str, object]] = []

    def add(scope: str, key: str, **values: object) -> None:
        rows.append({"scope": scope, "key": key, **values})

    add("hall", "all", **f.stats.hall.as_row())
    for c in sorted(f.stats.categories):
        once = f.once_by_category.get(c)
        add("category", c, **f.stats.categories[c].as_row(), once_rate=once.rate if once else None)
    for n in sorted(f.stats.counters):
        add("counter", str(n), **f.stats.counters[n].as_row())
    for m in sorted(f.once_by_matter):
        add("matter", m, once_rate=f.once_by_matter[m].rate, counted=f.once_by_matter[m].counted)
    for name in sorted(f.clerks):
        clerk = f.clerks[name]
        add(
            "clerk",
            name,
            served=clerk.served,
            mean_service_minutes=clerk.mean_service_minutes,
            satisfaction_rate=clerk.satisfaction_rate,
            paused_minutes=round(clerk.paused_seconds / 60, 1),
        )
    for h in range(24):
        add("hour", f"{h:02d}", issued=f.arrivals_per_hour[h], done=f.served_per_hour[h])
    return rows


def _csv(rows: list[dict[str, object]], filename: str) -> Response:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        "\ufeff" + out.getvalue(),  # a BOM, so Excel opens the Chinese right
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/manager/figures.csv")
async def figures_csv(request: Request, day: Date | None = Query(None)) -> Response:
    _who = await _manager(request)
    if isinstance(_who, Response):
        return _who
    rt: Runtime = request.app.state.runtime
    the_day = _day(rt, day)
    f = await rt.read(supervision.figures_of, rt.ctx, the_day)
    return _csv(figure_rows(f), f"yihao-figures-{the_day}.csv")


@router.get("/manager/ratings.{fmt}")
async def ratings_export(request: Request, fmt: str, day: Date | None = Query(None)) -> Response:
    """好差评 records of a day for the provincial evaluation platform (CSV or JSON)."""
    _who = await _manager(request)
    if isinstance(_who, Response):
        return _who
    if fmt not in ("csv", "json"):
        return Response(status_code=404)
    rt: Runtime = request.app.state.runtime
    the_day = _day(rt, day)
    rows = await rt.read(supervision.ratings_of, rt.ctx, the_day)
    if fmt == "json":
        return Response(
            json.dumps({"day": the_day, "ratings": rows}, ensure_ascii=False),
            media_type="application/json",
        )
    return _csv(rows, f"yihao-ratings-{the_day}.csv")


@router.get("/manager/desk", response_class=HTMLResponse)
async def desk(
    request: Request, day: Date | None = Query(None), msg: str = "", error: str = ""
) -> Response:
    """差评工单 (回访, 整改, close), the wall's notice, appointments of a day."""
    who = await _manager(request)
    if isinstance(who, Response):
        return who
    rt: Runtime = request.app.state.runtime
    the_day = _day(rt, day)
    view = await rt.read(supervision.supervision, rt.ctx)
    start = datetime.combine(Date.fromisoformat(the_day), time(0), rt.hall.timezone).timestamp()
    booked = await rt.read(appointments.of_day, rt.ctx, start)
    lang = i18n.lang_of(request)
    now = rt.ctx.clock()
    return page(
        request,
        "desk.html",
        csrf=who.csrf,
        who=who,
        msg=msg,
        error=error,
        day=the_day,
        cases=view.cases,
        overdue={
            c.id
            for c in view.cases
            if c.status == "open" and overdue(c.rated_at, now, rt.hall.timezone)
        },
        notice=view.notice,
        appointments=booked,
        categories=list(rt.hall.categories),
        ratings={r.value: i18n.pick(lang, RATINGS[r]) for r in Rating},
        when=lambda at: rt.ctx.local(at).strftime("%Y-%m-%d %H:%M") if at else "",
        hm=lambda at: rt.ctx.local(at).strftime("%H:%M"),
    )


async def _desk_change(
    request: Request, csrf: str, work: Callable[[Runtime, str], Awaitable[i18n.Said]]
) -> Response:
    return await form_change(request, csrf, _MANAGERS, "/manager/desk", work)


@router.post("/manager/cases/{case_id}/{field}")
async def case_update(
    request: Request, case_id: int, field: str, csrf: str = Form(""), text: str = Form("")
) -> Response:
    async def work(rt: Runtime, actor: str) -> i18n.Said:
        if field == "close":
            await rt.write(cases.close, rt.ctx, case_id, actor)
            return "差评工单已办结", "the case is closed"
        await rt.write(cases.update, rt.ctx, case_id, field, text, actor)
        return "已记录", "recorded"

    return await _desk_change(request, csrf, work)


@router.post("/manager/notice")
async def notice(request: Request, csrf: str = Form(""), text: str = Form("")) -> Response:
    async def work(rt: Runtime, actor: str) -> i18n.Said:
        await rt.write(supervision.set_notice, rt.ctx, text, actor)
        return "通知已更新", "the notice is updated"

    return await _desk_change(request, csrf, work)


@router.post("/manager/appointments")
async def book(
    request: Request,
    csrf: str = Form(""),
    id_number: str = Form(),
    category: str = Form(),
    day: str = Form(),
    start: str = Form(),
    end: str = Form(),
) -> Response:
    async def work(rt: Runtime, actor: str) -> i18n.Said:
        try:
            body = BookingIn(
                identity=IdentityIn(id_number=id_number.strip()),
                category=category,
                day=Date.fromisoformat(day),
                start=start,
                end=end,
            )
        except ValueError as exc:  # pydantic's ValidationError too; never echo the ID number
            fields = (
                [str(e["loc"][-1]) for e in exc.errors()]
                if isinstance(exc, ValidationError)
                else ["day"]
            )
            raise AppointmentError(
                f"预约信息有误：{', '.join(fields)}", f"invalid booking: {', '.join(fields)}"
            ) from exc
        out = await rt.write(appointments.book, rt.ctx, body, actor)
        booked = out.identity.id_number
        return f"已预约 {booked}", f"booked for {booked}"

    return await _desk_change(request, csrf, work)


@router.post("/manager/appointments/import")
async def import_bookings(
    request: Request, csrf: str = Form(""), csv_text: str = Form("")
) -> Response:
    async def work(rt: Runtime, actor: str) -> i18n.Said:
        done = await rt.write(appointments.import_csv, rt.ctx, csv_text, actor)
        return f"已导入 {len(done)} 条预约", f"{len(done)} appointments imported"

    return await _desk_change(request, csrf, work)
