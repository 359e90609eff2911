"""The ``/api/v1`` endpoints."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date as Date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse

from caller_server.api.deps import check_counter, require, runtime
from caller_server.api.throttle import attempt_login
from caller_server.protocol import (
    BookingIn,
    BookingOut,
    CallNumberIn,
    CallOut,
    ConsoleOut,
    CounterTicket,
    DeviceOut,
    FinishIn,
    IsoDay,
    IssueRequest,
    KioskHealthIn,
    KioskOut,
    LoginIn,
    PairIn,
    PauseIn,
    QueueSnapshot,
    RatingIn,
    TicketOut,
    TokenInfo,
    TokenOut,
    TransferIn,
)
from caller_server.push import tls
from caller_server.push.pairing import Pairer
from caller_server.runtime import Runtime
from caller_server.services import (
    admin,
    appointments,
    console,
    counters,
    devices,
    kiosks,
    manage,
    queue,
    tickets,
)
from caller_server.store.repository import Credential

router = APIRouter(prefix="/api/v1")

Staff = Depends(require("clerk", "manager"))
Manager = Depends(require("manager"))
Admin = Depends(require("admin"))
TicketNumber = Annotated[str, Path(pattern=r"^[A-Z]\d{3,4}$", description="e.g. A012")]
Kiosk = Depends(require("kiosk"))
Rt = Depends(runtime)


def _actor(cred: Credential) -> str:
    return f"{cred.role}:{cred.label}"


@router.post(
    "/tickets",
    status_code=201,
    responses={200: {"model": TicketOut, "description": "repeated tap: the existing ticket"}},
)
async def issue_ticket(
    body: IssueRequest, response: Response, cred: Credential = Kiosk, rt: Runtime = Rt
) -> TicketOut:
    out = await rt.write(
        tickets.issue,
        rt.ctx,
        body.category,
        body.identity,
        body.kiosk_id,
        _actor(cred),
        body.request_id,
    )
    if out.outcome != "new":
        response.status_code = 200
    return out


@router.get("/tickets/{token}")
async def ticket_status(token: str, rt: Runtime = Rt) -> TicketOut:
    return await rt.read(tickets.status, rt.ctx, token)


@router.post("/tickets/{token}/rating")
async def rate_ticket(token: str, body: RatingIn, rt: Runtime = Rt) -> TicketOut:
    """好差评: the ticket token (printed as QR) is the right to rate once."""
    return await rt.write(tickets.rate, rt.ctx, token, body.level, "citizen")


IfCurrent = Query(
    None,
    max_length=8,
    description="act only if the counter's current number is still this ('' = none): "
    "a second browser or a double click then gets 409 instead of calling twice",
)


def _counter_action(name: str, summary: str) -> None:
    action = getattr(counters, name.replace("-", "_"))

    async def endpoint(
        n: int, cred: Credential = Staff, rt: Runtime = Rt, if_current: str | None = IfCurrent
    ) -> CallOut:
        check_counter(cred, n)
        result: CallOut = await rt.write(
            counters.guarded, rt.ctx, n, if_current, action, _actor(cred)
        )
        return result

    router.add_api_route(
        f"/counters/{{n}}/{name}",
        endpoint,
        methods=["POST"],
        summary=summary,
        name=f"counter_{name.replace('-', '_')}",
        response_model=CallOut,
    )


for _name, _summary in (
    ("call-next", "叫号: finish the current ticket and call the next"),
    ("recall", "重呼: announce the current ticket again"),
    ("skip", "过号: the called citizen did not come"),
    ("start", "开始办理"),
    ("resume", "恢复服务"),
):
    _counter_action(_name, _summary)


@router.post("/counters/{n}/finish", summary="办结, with the outcome and the matter (事项)")
async def counter_finish(
    n: int,
    body: FinishIn | None = None,
    cred: Credential = Staff,
    rt: Runtime = Rt,
    if_current: str | None = IfCurrent,
) -> CallOut:
    check_counter(cred, n)
    b = body or FinishIn()
    return await rt.write(
        counters.guarded, rt.ctx, n, if_current, counters.finish, _actor(cred), b.outcome, b.matter
    )


@router.post("/counters/{n}/pause", summary="暂停服务, with a reason")
async def counter_pause(
    n: int, body: PauseIn | None = None, cred: Credential = Staff, rt: Runtime = Rt
) -> CallOut:
    check_counter(cred, n)
    reason = (body or PauseIn()).reason
    return await rt.write(counters.pause, rt.ctx, n, _actor(cred), reason)


@router.post("/counters/{n}/call-number", summary="特呼: call one waiting number out of turn")
async def counter_call_number(
    n: int,
    body: CallNumberIn,
    cred: Credential = Staff,
    rt: Runtime = Rt,
    if_current: str | None = IfCurrent,
) -> CallOut:
    check_counter(cred, n)
    return await rt.write(
        counters.guarded, rt.ctx, n, if_current, counters.call_number, body.number, _actor(cred)
    )


@router.post("/counters/{n}/transfer", summary="转移: move the current ticket")
async def counter_transfer(
    n: int,
    body: TransferIn,
    cred: Credential = Staff,
    rt: Runtime = Rt,
    if_current: str | None = IfCurrent,
) -> CallOut:
    check_counter(cred, n)
    return await rt.write(
        counters.guarded,
        rt.ctx,
        n,
        if_current,
        counters.transfer,
        body.category,
        body.counter,
        _actor(cred),
    )


@router.get("/counters/{n}/console", summary="The clerk console's view of one counter")
async def counter_console(n: int, cred: Credential = Staff, rt: Runtime = Rt) -> ConsoleOut:
    check_counter(cred, n)
    return await rt.read(console.console, rt.ctx, n)


@router.get("/queue")
async def live_queue(rt: Runtime = Rt) -> QueueSnapshot:
    return await rt.read(queue.snapshot, rt.ctx)


def _day(rt: Runtime, day: Date | None) -> str:
    return (day or rt.ctx.local(rt.ctx.clock()).date()).isoformat()


@router.get("/stats")
async def stats(
    day: IsoDay | None = Query(None), _cred: Credential = Manager, rt: Runtime = Rt
) -> dict[str, object]:
    the_day = _day(rt, day)
    return {"day": the_day, "rows": await rt.read(queue.stats_rows, rt.ctx, the_day)}


@router.get("/stats.csv", response_class=PlainTextResponse)
async def stats_csv(
    day: IsoDay | None = Query(None), _cred: Credential = Manager, rt: Runtime = Rt
) -> PlainTextResponse:
    text = await rt.read(queue.stats_csv, rt.ctx, _day(rt, day))
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8")


@router.post("/appointments", status_code=201)
async def book(body: BookingIn, cred: Credential = Manager, rt: Runtime = Rt) -> BookingOut:
    return await rt.write(appointments.book, rt.ctx, body, _actor(cred))


@router.post("/appointments/import", status_code=201)
async def import_bookings(
    csv_text: str = Body(..., media_type="text/csv"),
    cred: Credential = Manager,
    rt: Runtime = Rt,
) -> list[BookingOut]:
    return await rt.write(appointments.import_csv, rt.ctx, csv_text, _actor(cred))


@router.get("/devices")
async def list_devices(_cred: Credential = Manager, rt: Runtime = Rt) -> list[DeviceOut]:
    """Output devices found on the LAN (mDNS) and whether they are paired; then the kiosks
    (role ``kiosk``), online while they report, with their last health report."""
    return await rt.read(devices.list_with_kiosks, rt.ctx)


@router.post("/devices/{device_id}/pair")
async def pair_device(
    device_id: str, body: PairIn, cred: Credential = Manager, rt: Runtime = Rt
) -> DeviceOut:
    """Pair with the PIN the device shows: both prove the PIN and pin each other's keys."""
    return await pair_with_pin(rt, device_id, body.pin, body.counter, _actor(cred))


async def pair_with_pin(
    rt: Runtime, device_id: str, pin: str, counter: int | None, actor: str
) -> DeviceOut:
    """The pairing exchange with the device (network, on a reader thread), then the record."""
    fp = tls.ensure_certificate(rt.settings.home, rt.hall.id)[0].fingerprint
    pairer = Pairer(rt.hall.id, rt.settings.base_url, fp)
    return await rt.read(devices.pair, rt.ctx, device_id, pin, counter, pairer, actor)


@router.put("/kiosks/{kiosk_id}/health", status_code=204)
async def kiosk_health(
    kiosk_id: str, body: KioskHealthIn, _cred: Credential = Kiosk, rt: Runtime = Rt
) -> None:
    """A kiosk's periodic report (every 30 s): reader, printer, paper, version."""
    await rt.write(kiosks.report, rt.ctx, kiosk_id, body)


@router.get("/kiosks")
async def list_kiosks(_cred: Credential = Manager, rt: Runtime = Rt) -> list[KioskOut]:
    """Every kiosk that reported, with its last health and whether it is online."""
    return await rt.read(kiosks.list_kiosks, rt.ctx)


@router.post("/auth/login")
async def login(body: LoginIn, request: Request) -> TokenOut:
    """A login token (ends after ``rules.login_hours``); failures are limited (429)."""
    token, cred = await attempt_login(request, body.username, body.password)
    return TokenOut(token=token, role=cred.role, counter=cred.counter)


@router.post("/queue/{number}/priority")
async def prioritize(
    number: TicketNumber, cred: Credential = Manager, rt: Runtime = Rt
) -> CounterTicket:
    """绿色通道: put today's waiting ticket ``number`` in the priority lane (audited)."""
    return await rt.write(manage.prioritize, rt.ctx, number, _actor(cred))


@router.post("/queue/{number}/cancel")
async def cancel(
    number: TicketNumber, cred: Credential = Manager, rt: Runtime = Rt
) -> CounterTicket:
    """Withdraw today's waiting or called ticket ``number`` (audited)."""
    return await rt.write(manage.cancel, rt.ctx, number, _actor(cred))


@router.get("/tokens")
async def list_tokens(_cred: Credential = Admin, rt: Runtime = Rt) -> list[TokenInfo]:
    """Every token (never the token itself: only its hash is kept), revoked and expired too."""
    return [TokenInfo(**asdict(r)) for r in await rt.read(admin.tokens, rt.ctx)]


@router.post("/tokens/{token_id}/revoke", status_code=204)
async def revoke_token(token_id: int, cred: Credential = Admin, rt: Runtime = Rt) -> None:
    """Revoke at once, in every server process."""
    await rt.write(admin.revoke_token, rt.ctx, token_id, _actor(cred))
