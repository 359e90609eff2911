"""The ``/api/v1`` endpoints."""

from __future__ import annotations

from datetime import date as Date

from fastapi import APIRouter, Body, Depends, Query, Response
from fastapi.responses import PlainTextResponse

from caller_server.api.deps import check_counter, require, runtime
from caller_server.protocol import (
    BookingIn,
    BookingOut,
    CallOut,
    DeviceOut,
    IssueRequest,
    LoginIn,
    PairIn,
    QueueSnapshot,
    RatingIn,
    TicketOut,
    TokenOut,
    TransferIn,
)
from caller_server.push import tls
from caller_server.push.pairing import Pairer
from caller_server.runtime import Runtime
from caller_server.services import appointments, auth, counters, devices, queue, tickets
from caller_server.store.repository import Credential

router = APIRouter(prefix="/api/v1")

Staff = Depends(require("clerk", "manager"))
Manager = Depends(require("manager"))
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
        tickets.issue, rt.ctx, body.category, body.identity, body.kiosk_id, _actor(cred)
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


def _counter_action(name: str, summary: str) -> None:
    action = getattr(counters, name.replace("-", "_"))

    async def endpoint(n: int, cred: Credential = Staff, rt: Runtime = Rt) -> CallOut:
        check_counter(cred, n)
        result: CallOut = await rt.write(action, rt.ctx, n, _actor(cred))
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
    ("finish", "办结"),
    ("pause", "暂停服务"),
    ("resume", "恢复服务"),
):
    _counter_action(_name, _summary)


@router.post("/counters/{n}/transfer", summary="转移: move the current ticket")
async def counter_transfer(
    n: int, body: TransferIn, cred: Credential = Staff, rt: Runtime = Rt
) -> CallOut:
    check_counter(cred, n)
    return await rt.write(counters.transfer, rt.ctx, n, body.category, body.counter, _actor(cred))


@router.get("/queue")
async def live_queue(rt: Runtime = Rt) -> QueueSnapshot:
    return await rt.read(queue.snapshot, rt.ctx)


def _day(rt: Runtime, day: Date | None) -> str:
    return (day or rt.ctx.local(rt.ctx.clock()).date()).isoformat()


@router.get("/stats")
async def stats(
    day: Date | None = Query(None), _cred: Credential = Manager, rt: Runtime = Rt
) -> dict[str, object]:
    the_day = _day(rt, day)
    return {"day": the_day, "rows": await rt.read(queue.stats_rows, rt.ctx, the_day)}


@router.get("/stats.csv", response_class=PlainTextResponse)
async def stats_csv(
    day: Date | None = Query(None), _cred: Credential = Manager, rt: Runtime = Rt
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
    """Output devices found on the LAN (mDNS) and whether they are paired."""
    return await rt.read(devices.list_devices, rt.ctx)


@router.post("/devices/{device_id}/pair")
async def pair_device(
    device_id: str, body: PairIn, cred: Credential = Manager, rt: Runtime = Rt
) -> DeviceOut:
    """Pair with the PIN the device shows: both prove the PIN and pin each other's keys."""
    fp = tls.ensure_certificate(rt.settings.home, rt.hall.id)[0].fingerprint
    pairer = Pairer(rt.hall.id, rt.settings.base_url, fp)
    return await rt.read(
        devices.pair, rt.ctx, device_id, body.pin, body.counter, pairer, _actor(cred)
    )


@router.post("/auth/login")
async def login(body: LoginIn, rt: Runtime = Rt) -> TokenOut:
    token, cred = await rt.write(auth.login, rt.ctx, body.username, body.password)
    return TokenOut(token=token, role=cred.role, counter=cred.counter)
