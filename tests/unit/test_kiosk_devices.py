"""Kiosks in the device list: online while they report, offline after three missed reports."""

from __future__ import annotations

from caller_server.protocol import KioskHealthIn
from caller_server.services import devices, kiosks, queue
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
    assert seen.detail == "读卡器故障 reader fault · 纸将用完 paper near end · v1.2"
    clock.advance(kiosks.OFFLINE_AFTER + 1)
    [late] = devices.list_with_kiosks(ctx)
    assert (late.online, late.status, late.status_zh) == (False, "offline", "离线")
    kiosks.report(ctx, "kiosk-1", KioskHealthIn(reader="ok", printer="ok", version="1.2"))
    [back] = devices.list_with_kiosks(ctx)
    assert back.online and back.detail == "正常 ok · v1.2"


def test_a_kiosk_fault_and_a_silent_kiosk_are_manager_alerts() -> None:
    clock = FakeClock()
    ctx = fake_context(sample_hall(), clock)
    kiosks.report(ctx, "kiosk-ok", KioskHealthIn(reader="ok", printer="ok", version="1"))
    assert [a for a in queue.snapshot(ctx).alerts if a.kind.startswith("kiosk")] == []
    paper = KioskHealthIn(reader="ok", printer="paper_out", printing_paused=True, version="1")
    kiosks.report(ctx, "kiosk-2", paper)
    [fault] = [a for a in queue.snapshot(ctx).alerts if a.kind.startswith("kiosk")]
    assert fault.kind == "kiosk_fault"
    assert fault.message_zh == "自助机 kiosk-2：打印机故障、暂停打印"
    assert fault.message_en == "kiosk kiosk-2: printer paper_out, printing paused"
    clock.advance(10 * 60)  # both stop reporting
    offline = [a for a in queue.snapshot(ctx).alerts if a.kind.startswith("kiosk")]
    assert {(a.kind, a.message_zh, a.minutes) for a in offline} == {
        ("kiosk_offline", "自助机 kiosk-ok 已离线，请检查电源和网络", 10),
        ("kiosk_offline", "自助机 kiosk-2 已离线，请检查电源和网络", 10),
    }
    clock.advance(kiosks.ALERT_HOURS * 3600)  # retired kiosks stop alerting
    assert [a for a in queue.snapshot(ctx).alerts if a.kind.startswith("kiosk")] == []
