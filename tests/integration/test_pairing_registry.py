"""The device registry's rules on the in-memory store and on real SQLite / PostgreSQL.

The network side of pairing is tested across processes (test_pairing.py); here the pairing
run is a plain function returning the key it "proved", so the registry's own rules — pinning,
spoofing, unpairing, liveness, alerts — run on both stores and must agree.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from caller_server.domain.errors import UnknownCounter
from caller_server.domain.events import Event, EventKind
from caller_server.services import counters, devices, display, queue, tickets
from caller_server.services.context import ServiceContext
from caller_server.store.repository import DeviceRecord
from tests.serverkit import (
    FakeClock,
    dispose_engines,
    fake_context,
    identity,
    reset_database,
    sample_hall,
    sql_context,
)

REAL = "a" * 64
SPOOF = "b" * 64


@dataclass(frozen=True)
class Proven:
    public_key: str
    fingerprint: str
    counter: int | None


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def ctx(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[ServiceContext, FakeClock]]:
    clock = FakeClock()
    hall = sample_hall()
    if request.param == "fake":
        yield fake_context(hall, clock), clock
        return
    url = f"sqlite:///{tmp_path / 'yihao.db'}"
    if request.param == "postgres":
        url = os.environ.get("YIHAO_TEST_PG", "")
        if not url:
            pytest.skip("YIHAO_TEST_PG is not set: no PostgreSQL server to test against")
        reset_database(url)
    yield sql_context(url, hall, clock), clock
    dispose_engines()


def _announce(ctx: ServiceContext, fp: str, address: str = "10.0.0.3", port: int = 5000) -> None:
    devices.seen(
        ctx,
        DeviceRecord(
            id="screen-3",
            role="counter",
            name="3号窗口屏",
            address=address,
            port=port,
            last_seen=ctx.clock(),
            key_fp=fp,
        ),
    )


def _pair(ctx: ServiceContext, counter: int | None = None, device_counter: int | None = 3) -> None:
    devices.pair(
        ctx, "screen-3", "123456", counter, lambda d, pin: Proven("KEY", REAL, device_counter), "m"
    )


def test_pinning_spoofing_and_unpairing(ctx: tuple[ServiceContext, FakeClock]) -> None:
    service, clock = ctx
    _announce(service, REAL)
    [listed] = devices.list_devices(service)
    assert (listed.status, listed.status_zh, listed.online) == ("unpaired", "未配对", True)
    with pytest.raises(devices.CounterRequired):
        _pair(service, device_counter=None)
    with pytest.raises(UnknownCounter):
        _pair(service, counter=99)
    _pair(service)
    paired = devices.paired_device(service, "screen-3")
    assert paired is not None and paired.public_key == "KEY" and paired.counter == 3
    # Never heard since pairing: offline, and the manager is alerted.
    [alert] = devices.alerts([paired], clock())
    assert alert.kind == "device_offline" and alert.counter == 3
    devices.touch(service, {"screen-3": clock()})
    assert devices.list_devices(service)[0].status == "online"
    clock.advance(devices.ONLINE_WINDOW + 1)
    assert devices.list_devices(service)[0].status_zh == "离线"

    # The real device moves: it keeps its pairing. A spoofer with another key: nothing moves.
    _announce(service, REAL, address="10.0.0.4")
    _announce(service, SPOOF, address="10.0.0.66", port=6666)
    [flagged] = devices.list_devices(service)
    assert flagged.status == "suspect" and flagged.status_zh == "可疑设备"
    assert flagged.address == "10.0.0.4" and flagged.key_fp == REAL
    assert flagged.suspect_address == "10.0.0.66:6666"
    record = devices.paired_device(service, "screen-3")
    assert record is not None and record.public_key == "KEY"
    assert [a.kind for a in devices.alerts([record], clock())] == ["device_suspect"]

    gone = devices.unpair(service, "screen-3", "m")
    assert gone.paired is False and devices.paired_device(service, "screen-3") is None
    with service.unit(write=False) as uow:
        kinds = [e.kind.value for e in uow.repo.events_since(0, 100)]
    assert kinds == ["device_paired", "device_suspect", "device_unpaired"]


def test_notice_and_recent_calls_for_a_fresh_pusher(ctx: tuple[ServiceContext, FakeClock]) -> None:
    service, _ = ctx
    display.set_notice(service, "今日 17:00 停止取号", "m")
    display.set_notice(service, "下午 17:00 停止取号", "m")
    recent, notice = display.display_history(service)
    assert recent == [] and notice == "下午 17:00 停止取号"


def test_board_draws_what_the_snapshot_shows(ctx: tuple[ServiceContext, FakeClock]) -> None:
    """The devices' cheap read (waiting counted in the store) agrees with the full snapshot."""
    service, clock = ctx
    rng = random.Random(8)
    for code in "ABBCDD":
        tickets.issue(service, code, identity(rng) if code != "D" else None, "k1", "kiosk:k1")
    counters.call_next(service, 1, "clerk:login:wang")
    clock.advance(30)
    counters.call_next(service, 7, "clerk:login:li")
    counters.start(service, 7, "clerk:login:li")
    counters.pause(service, 3, "clerk:login:zhao")
    counters.call_next(service, 6, "clerk:token-6")
    board = display.board(service, [], "")
    snap = queue.snapshot(service)
    assert board.seq == snap.seq and board.day == snap.day
    assert board.categories == snap.categories
    assert board.counters == snap.counters
    mine = {c.number: c for c in board.counters}
    assert mine[1].clerk == "wang" and mine[1].current is not None
    assert mine[7].current is not None and mine[7].current.status == "serving"
    assert mine[3].status == "paused" and mine[3].clerk == "zhao"
    assert [c.waiting for c in board.categories] == [0, 2, 0, 1]  # 6 took the C
    # The screens' own languages: the hall's and counter 8's names in all three.
    assert (board.hall, board.hall_tw, board.hall_en) == (snap.hall, snap.hall_tw, snap.hall_en)
    assert board.hall_en == "Sample City Government Service Center"
    assert (mine[8].name_tw, mine[8].name_en) == (
        "8號窗口（綠色通道）",
        "Counter 8 (priority lane)",
    )
    assert (mine[1].name, mine[1].name_tw, mine[1].name_en) == ("1号窗口", "", "")


def _offline_events(service: ServiceContext) -> list[Event]:
    with service.unit(write=False) as uow:
        found = uow.repo.events_since(0, 1000)
    return [e for e in found if e.kind is EventKind.ALERT and e.data["alert"] == "device_offline"]


def test_a_silence_is_audited_once_across_server_processes(
    ctx: tuple[ServiceContext, FakeClock],
) -> None:
    service, clock = ctx
    _announce(service, REAL)
    _pair(service)
    heard = clock()
    devices.touch(service, {"screen-3": heard})
    clock.advance(devices.ONLINE_WINDOW)
    assert devices.silent(service) == [], "10 s of silence is still online"
    clock.advance(1)
    # Two server processes both find the silent device before either writes: one records it.
    first, second = devices.silent(service), devices.silent(service)
    assert [d.id for d in first] == ["screen-3"]
    assert devices.record_offline(service, first) == ["screen-3"]
    assert devices.record_offline(service, second) == []
    assert devices.silent(service) == []
    [event] = _offline_events(service)
    assert event.counter == 3 and event.actor == "system"
    assert event.data == {
        "alert": "device_offline",
        "device": "screen-3",
        "role": "counter",
        "name": "3号窗口屏",
        "last_seen": heard,
    }
    # Heard again while a process still held the old list: nothing is recorded for it.
    devices.touch(service, {"screen-3": clock()})
    clock.advance(devices.ONLINE_WINDOW + 1)
    stale = devices.silent(service)
    devices.touch(service, {"screen-3": clock()})
    assert devices.record_offline(service, stale) == []
    # The next silence is a new fact.
    clock.advance(devices.ONLINE_WINDOW + 1)
    assert devices.record_offline(service, devices.silent(service)) == ["screen-3"]
    assert len(_offline_events(service)) == 2
