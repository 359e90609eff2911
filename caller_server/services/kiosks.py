"""Kiosk health: each kiosk reports every 30 s; the manager sees the last report of each."""

from __future__ import annotations

import logging
from typing import Any

from caller_server.domain.errors import DomainError
from caller_server.protocol import AlertOut, DeviceOut, KioskHealthIn, KioskOut
from caller_server.services.context import ServiceContext

log = logging.getLogger(__name__)

REPORT_SECONDS = 30.0
"""How often kiosks report."""
OFFLINE_AFTER = 3 * REPORT_SECONDS
"""A kiosk silent for longer than this is shown offline."""


class BadKioskId(DomainError):
    code = "bad_kiosk_id"

    def __init__(self) -> None:
        super().__init__("自助机编号无效", "a kiosk id is 1 to 64 printable characters")


def report(ctx: ServiceContext, kiosk_id: str, health: KioskHealthIn) -> None:
    if not 0 < len(kiosk_id) <= 64 or not kiosk_id.isprintable():
        raise BadKioskId()
    now = ctx.clock()
    with ctx.unit(write=True) as uow:
        uow.repo.save_kiosk_health(kiosk_id, health.model_dump(mode="json"), now)
        uow.commit()
    if health.reader != "ok" or health.printing_paused or health.paper_near_end:
        log.warning("kiosk %s reports %s", kiosk_id, health.model_dump())


def list_kiosks(ctx: ServiceContext) -> list[KioskOut]:
    now = ctx.clock()
    with ctx.unit(write=False) as uow:
        rows = uow.repo.kiosk_health()
    return [
        KioskOut(id=kiosk_id, last_seen=seen, online=now - seen <= OFFLINE_AFTER, **health)
        for kiosk_id, health, seen in rows
    ]


ALERT_HOURS = 12.0
"""A silent kiosk is an alert for this many hours after its last report (a retired one stops)."""


def _problems(health: KioskHealthIn) -> list[tuple[str, str]]:
    """What is wrong with a kiosk, in Chinese and English."""
    problems = []
    if health.reader != "ok":
        problems.append(
            ("读卡器故障", "reader fault")
            if health.reader == "fault"
            else ("无读卡器", "no reader")
        )
    if health.printer not in ("ok", "paper_near_end"):
        problems.append(("打印机故障", f"printer {health.printer}"))
    if health.paper_near_end:
        problems.append(("纸将用完", "paper near end"))
    if health.printing_paused:
        problems.append(("暂停打印", "printing paused"))
    return problems


def _detail(health: KioskHealthIn) -> str:
    words = [f"{zh} {en}" for zh, en in _problems(health)] or ["正常 ok"]
    return " · ".join([*words, f"v{health.version}"])


def alerts(rows: list[tuple[str, dict[str, Any], float]], now: float) -> list[AlertOut]:
    """Manager alerts: a kiosk reporting a fault, or silent longer than :data:`OFFLINE_AFTER`."""
    found = []
    for kiosk_id, health, seen in rows:
        silent = now - seen
        if silent > OFFLINE_AFTER:
            if silent <= ALERT_HOURS * 3600:
                found.append(
                    AlertOut(
                        kind="kiosk_offline",
                        message_zh=f"自助机 {kiosk_id} 已离线，请检查电源和网络",
                        message_en=f"kiosk {kiosk_id} is offline",
                        minutes=int(silent // 60),
                    )
                )
            continue
        problems = _problems(KioskHealthIn.model_validate(health))
        if problems:
            found.append(
                AlertOut(
                    kind="kiosk_fault",
                    message_zh=f"自助机 {kiosk_id}：{'、'.join(zh for zh, _ in problems)}",
                    message_en=f"kiosk {kiosk_id}: {', '.join(en for _, en in problems)}",
                    minutes=0,
                )
            )
    return found


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
