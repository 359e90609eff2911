"""Kiosk health: each kiosk reports every 30 s; the manager sees the last report of each
and is alerted while a printer reports a fault or paper near end, while a card reader is
faulty, or when a kiosk falls silent."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from caller_server.domain.errors import DomainError
from caller_server.domain.events import Event, EventKind
from caller_server.protocol import AlertOut, DeviceOut, KioskHealthIn, KioskOut
from caller_server.services.context import ServiceContext

log = logging.getLogger(__name__)

REPORT_SECONDS = 30.0
"""How often kiosks report."""
OFFLINE_AFTER = 3 * REPORT_SECONDS
"""A kiosk silent for longer than this is shown offline."""

PRINTER_FAULTS: dict[str, tuple[str, str]] = {
    "paper_out": ("打印机缺纸，请立即加纸", "the printer is out of paper"),
    "cover_open": ("打印机盖未关好", "the printer cover is open"),
    "offline": ("打印机离线，请检查电源和连线", "the printer is offline"),
    "paper_near_end": ("打印纸将用完，请及时换纸", "the paper roll is near its end"),
    "printing_paused": ("已暂停出票，请检查打印机", "printing is paused"),
}
"""Printer conditions that raise an alert (``unknown``, a write-only printer, does not)."""
READER_FAULTS: dict[str, tuple[str, str]] = {
    "fault": (
        "读卡器故障，请检查连线或更换读卡器；无需身份证的业务仍可取号",
        "the card reader is faulty (check its cable or replace it); "
        "categories without ID still issue",
    ),
}
"""Reader conditions that raise an alert (``none``, a kiosk without a reader, does not)."""


class BadKioskId(DomainError):
    code = "bad_kiosk_id"

    def __init__(self) -> None:
        super().__init__("自助机编号无效", "a kiosk id is 1 to 64 printable characters")


def printer_fault(health: Mapping[str, Any]) -> str | None:
    """The alerting condition of a health report: a printer fault, paper near end, a pause."""
    printer = str(health.get("printer", ""))
    if printer in PRINTER_FAULTS:
        return printer
    if health.get("paper_near_end"):
        return "paper_near_end"
    return "printing_paused" if health.get("printing_paused") else None


def reader_fault(health: Mapping[str, Any]) -> str | None:
    """The alerting condition of a health report's card reader."""
    return "fault" if health.get("reader") == "fault" else None


@dataclass(frozen=True)
class Part:
    """A part of a kiosk whose condition raises its own alert."""

    alert: Literal["printer_fault", "reader_fault"]
    condition: Callable[[Mapping[str, Any]], str | None]
    messages: dict[str, tuple[str, str]]
    since: str
    """The stored report's field for when the condition began."""


PARTS = (
    Part("printer_fault", printer_fault, PRINTER_FAULTS, "fault_since"),
    Part("reader_fault", reader_fault, READER_FAULTS, "reader_since"),
)


def report(ctx: ServiceContext, kiosk_id: str, health: KioskHealthIn) -> None:
    if not 0 < len(kiosk_id) <= 64 or not kiosk_id.isprintable():
        raise BadKioskId()
    now = ctx.clock()
    stored: dict[str, Any] = health.model_dump(mode="json")
    with ctx.unit(write=True) as uow:
        before = next((h for k, h, _ in uow.repo.kiosk_health() if k == kiosk_id), {})
        changes = []
        for part in PARTS:
            fault = part.condition(stored)
            changed = fault != part.condition(before)
            # the same condition as the last report keeps its start
            kept = before.get(part.since) or now
            stored[part.since] = None if fault is None else now if changed else kept
            if changed:  # audited, and it wakes the dashboards of every process
                data = {"alert": part.alert, "kiosk": kiosk_id, "fault": fault or "ok"}
                changes.append(Event(EventKind.ALERT, now, f"kiosk:{kiosk_id}", data=data))
        uow.repo.save_kiosk_health(kiosk_id, stored, now)
        ctx.record(uow, *changes)
    if any(part.condition(stored) for part in PARTS):
        log.warning("kiosk %s reports %s", kiosk_id, health.model_dump())


def list_kiosks(ctx: ServiceContext) -> list[KioskOut]:
    now = ctx.clock()
    with ctx.unit(write=False) as uow:
        rows = uow.repo.kiosk_health()
    return [
        KioskOut(id=kiosk_id, last_seen=seen, online=now - seen <= OFFLINE_AFTER, **health)
        for kiosk_id, health, seen in rows
    ]


def alerts(
    rows: list[tuple[str, dict[str, Any], float]], now: float, day_of: Callable[[float], str]
) -> list[AlertOut]:
    """Manager alerts from the kiosks' last reports (``Repository.kiosk_health`` rows).

    Only kiosks that reported this service day (``day_of``) alert: one switched off for the
    night, or taken away, is listed as offline on the dashboard but raises nothing.
    """
    found: list[AlertOut] = []
    for kiosk_id, health, seen in rows:
        if day_of(seen) != day_of(now):
            continue
        if now - seen > OFFLINE_AFTER:
            found.append(
                AlertOut(
                    kind="device_offline",
                    message_zh=f"自助机 {kiosk_id} 已离线，请检查电源和网络",
                    message_en=f"kiosk {kiosk_id} is offline",
                    minutes=int((now - seen) // 60),
                    device=kiosk_id,
                    since=seen,
                )
            )
            continue
        for part in PARTS:
            fault = part.condition(health)
            if fault is None:
                continue
            since = float(health.get(part.since) or seen)
            zh, en = part.messages[fault]
            found.append(
                AlertOut(
                    kind=part.alert,
                    message_zh=f"自助机 {kiosk_id}：{zh}",
                    message_en=f"kiosk {kiosk_id}: {en}",
                    minutes=int((now - since) // 60),
                    device=kiosk_id,
                    since=since,
                )
            )
    return found


def _detail(health: KioskHealthIn) -> str:
    """A kiosk's report in a line of Chinese and English, for the devices list."""
    words = []
    if health.reader != "ok":
        words.append(
            "读卡器故障 reader fault" if health.reader == "fault" else "无读卡器 no reader"
        )
    fault = printer_fault(health.model_dump())
    if fault is not None:
        zh, en = PRINTER_FAULTS[fault]
        words.append(f"{zh} {en}")
    return " · ".join([*(words or ["正常 ok"]), f"v{health.version}"])


def as_devices(ctx: ServiceContext) -> list[DeviceOut]:
    """Each kiosk as a device of role ``kiosk`` for ``GET /api/v1/devices``."""
    found = []
    for kiosk in list_kiosks(ctx):
        health = KioskHealthIn.model_validate(
            kiosk.model_dump(include=set(KioskHealthIn.model_fields))
        )
        found.append(
            DeviceOut(
                id=kiosk.id,
                role="kiosk",
                name=kiosk.id,
                paired=True,
                last_seen=kiosk.last_seen,
                online=kiosk.online,
                status="online" if kiosk.online else "offline",
                status_zh="在线" if kiosk.online else "离线",
                health=health,
                detail=_detail(health),
            )
        )
    return found
