"""Kiosks in the device list: online while they report, offline after three missed reports."""

from __future__ import annotations

from caller_server.protocol import KioskHealthIn
from caller_server.services import devices, kiosks
from tests.serverkit import FakeClock, fake_context, sample_hall


def test_a_silent_kiosk_goes_offline_in_the_device_list() -> None:
    clock = FakeClock()
    ctx = fake_context(sample_hall(), clock)
    health = KioskHealthIn(reader="fault", printer="ok", paper_near_end=True, version="1.2")
    kiosks.report(ctx, "kiosk-1", health)
    [seen] = devices.list_with_kiosks(ctx)
    assert (seen.role, seen.online, seen.status, seen.status_zh) == (
        "kiosk",
        True,
        "online",
        "在线",
    )
    assert seen.health == health
    assert seen.detail == (
        "读卡器故障 reader fault · 打印纸将用完，请及时换纸 the paper roll is near its end · v1.2"
    )
    clock.advance(kiosks.OFFLINE_AFTER + 1)
    [late] = devices.list_with_kiosks(ctx)
    assert (late.online, late.status, late.status_zh) == (False, "offline", "离线")
    kiosks.report(ctx, "kiosk-1", KioskHealthIn(reader="ok", printer="ok", version="1.2"))
    [back] = devices.list_with_kiosks(ctx)
    assert back.online and back.detail == "正常 ok · v1.2"
