"""Push to paired devices across processes: sequence, acks, snapshots, restarts, WAVs, alerts."""

from __future__ import annotations

import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.devicekit import DeviceProcess, Hall, LocalDevice, start_hall, wait_for

COUNTER = 7
"""Counter 7 serves category D only (no ID card needed)."""


@pytest.fixture
def hall(yihao_home: Path, tmp_path: Path) -> Iterator[Hall]:
    running = start_hall(
        yihao_home, f"sqlite:///{yihao_home / 'yihao.db'}", tmp_path / "srv.log", counters=(7, 8)
    )
    yield running
    running.close()


def _paired_local(hall: Hall, data_dir: Path, role: str = "counter") -> LocalDevice:
    device = LocalDevice.start(data_dir, role=role, counter=COUNTER if role == "counter" else None)
    try:
        wait_for(lambda: hall.device(device.core.identity.id), what="device listed")
        paired = hall.pair(device.core.identity.id, device.core.identity.pin)
        assert paired.status_code == 200, paired.text
        wait_for(lambda: device.of_type("snapshot"), what="first snapshot")
    except BaseException:
        device.core.close()
        raise
    return device


def _paired_voice(hall: Hall, tmp_path: Path, wavs: Path) -> DeviceProcess:
    voice = DeviceProcess(
        tmp_path / "voice", "voice", "--mdns", "127.0.0.1", "--insecure", "--wav-dir", str(wavs)
    )
    device_id, pin = voice.start()
    try:
        wait_for(lambda: hall.device(device_id), what="voice listed")
        paired = hall.pair(device_id, pin)
        assert paired.status_code == 200, paired.text
        wait_for(lambda: (hall.device(device_id) or {}).get("online"), what="voice online")
        # No screen: the box said its PIN once (a WAV of its own, seconds long).
        spoken = wait_for(lambda: list(wavs.glob("pin-*.wav")), what="the PIN spoken")
        assert [p.name for p in spoken] == [f"pin-{pin}.wav"] and _seconds(spoken[0]) > 2.0
    except BaseException:
        voice.stop()
        raise
    return voice


def _wav_names(wavs: Path) -> list[str]:
    return sorted((p.stem for p in wavs.glob("*.wav") if not p.stem.startswith("pin-")), key=_seq)


def _connections(device: DeviceProcess) -> int:
    return sum("push connection open" in line for line in device.output)


def _seq(stem: str) -> int:
    return int(stem.split("-")[0])


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def test_calls_reach_devices_in_sequence_and_are_announced(hall: Hall, tmp_path: Path) -> None:
    wavs = tmp_path / "wavs"
    screen = _paired_local(hall, tmp_path / "screen")
    voice = _paired_voice(hall, tmp_path, wavs)
    try:
        first, second = hall.issue("D"), hall.issue("D")
        hall.act(COUNTER, "call-next")
        hall.act(COUNTER, "recall")
        hall.act(COUNTER, "call-next")
        hall.act(COUNTER, "pause")
        calls = wait_for(lambda: len(screen.events("called")) >= 2 and screen.events("called"))
        assert [c.number for c in calls] == [first, second]
        assert [e.number for e in screen.events("recalled")] == [first]
        wait_for(lambda: screen.events("paused"), what="pause pushed")
        # The manager's notice reaches the devices (the wall's ticker); a clerk cannot set it.
        notice = "今日 17:00 停止取号"
        assert hall.clerks[COUNTER].put("/api/v1/notice", json={"text": notice}).status_code == 403
        assert hall.manager.put("/api/v1/notice", json={"text": notice}).status_code == 204
        wait_for(lambda: screen.messages[-1].state and screen.messages[-1].state.notice == notice)
        # Every message of this connection numbered 1, 2, 3 … (the link checks it; the
        # server counts the acknowledgements it got back).
        seqs = [m.seq for m in screen.messages if m.type in ("snapshot", "update")]
        assert seqs == list(range(1, len(seqs) + 1))
        state = screen.messages[-1].state
        assert state is not None
        assert state.notice == notice
        mine = next(c for c in state.counters if c.number == COUNTER)
        assert mine.status == "paused" and mine.current and mine.current.number == second
        assert mine.clerk == f"clerk {COUNTER}", "the device is told who works at the counter"
        assert [e.number for e in state.recent[:3]] == [second, first, first]
        # The announcer: call, recall, call — one WAV each, in order, chime + two sayings.
        names = wait_for(lambda: len(_wav_names(wavs)) >= 3 and _wav_names(wavs), timeout=60)
        assert [n.split("-", 1)[1] for n in names] == [first, first, second]
        durations = [_seconds(wavs / f"{n}.wav") for n in names]
        assert all(3.0 < d < 20.0 for d in durations), durations
        assert durations[1] > durations[0], "the recall says 再次呼叫 first"
    finally:
        screen.core.close()
        voice.stop()


def test_evaluation_mode_rates_once_as_the_device(hall: Hall, tmp_path: Path) -> None:
    screen = _paired_local(hall, tmp_path / "screen")
    try:
        number = hall.issue("D")
        hall.act(COUNTER, "call-next")
        hall.act(COUNTER, "start")
        hall.act(COUNTER, "finish")
        wait_for(lambda: screen.events("finished"), what="finish pushed")
        screen.core.send_rating(number, 5)
        rated = wait_for(lambda: screen.of_type("rated"), what="rating answer")
        assert rated[0].ok is True and rated[0].number == number
        screen.core.send_rating(number, 1)
        again = wait_for(lambda: len(screen.of_type("rated")) > 1 and screen.of_type("rated"))
        assert again[1].ok is False and again[1].detail == "该号票已评价"
        assert again[1].detail_tw == "該號票已評價"
        assert again[1].detail_en == "this ticket has been rated already"
        # The audit trail says who rated: the paired evaluator, not a ticket token.
        rated_events = wait_for(lambda: screen.events("rated"), what="rated event")
        assert rated_events[0].number == number and rated_events[0].data["level"] == 5
        stats = hall.manager.get("/api/v1/stats").json()["rows"][0]
        assert stats["ratings"] == 1
    finally:
        screen.core.close()


def test_restarted_device_gets_a_snapshot_and_no_stale_announcement(
    hall: Hall, tmp_path: Path
) -> None:
    wavs = tmp_path / "wavs"
    voice = _paired_voice(hall, tmp_path, wavs)
    try:
        first = hall.issue("D")
        called = hall.act(COUNTER, "call-next")
        try:
            wait_for(lambda: _wav_names(wavs), timeout=60, what="first announcement")
        except AssertionError:
            print(called, "".join(voice.output[-40:]))  # for the failure report
            raise
        voice.kill()
        before = _connections(voice)
        missed = hall.issue("D")
        hall.act(COUNTER, "call-next")
        voice.start()
        wait_for(lambda: _connections(voice) > before, what="the box reconnected")
        third = hall.issue("D")
        hall.act(COUNTER, "call-next")
        names = wait_for(lambda: len(_wav_names(wavs)) >= 2 and _wav_names(wavs), timeout=60)
        numbers = [n.split("-", 1)[1] for n in names]
        assert numbers == [first, third], f"{missed} was called while the box was down"
    finally:
        voice.stop()


def test_server_restarted_mid_push(hall: Hall, tmp_path: Path) -> None:
    screen = _paired_local(hall, tmp_path / "screen")
    try:
        hall.issue("D")
        hall.act(COUNTER, "call-next")
        wait_for(lambda: screen.events("called"), what="call before the restart")
        hall.server.kill()
        hall.server.start()
        snapshots = wait_for(
            lambda: len(screen.of_type("snapshot")) >= 2 and screen.of_type("snapshot")
        )
        assert snapshots[-1].seq == 1, "a new connection starts a new sequence with a snapshot"
        after = hall.issue("D")
        hall.act(COUNTER, "call-next")
        calls = wait_for(lambda: len(screen.events("called")) >= 2 and screen.events("called"))
        assert calls[-1].number == after
    finally:
        screen.core.close()


def test_offline_device_raises_an_alert_within_ten_seconds(hall: Hall, tmp_path: Path) -> None:
    screen = _paired_local(hall, tmp_path / "screen")
    device_id = screen.core.identity.id
    wait_for(lambda: (hall.device(device_id) or {}).get("online"), what="online")
    closed = time.monotonic()
    screen.core.close()

    def offline() -> dict[str, object] | None:
        found = hall.device(device_id)
        return found if found is not None and found["status"] == "offline" else None

    listed = wait_for(offline, timeout=16, what="device listed offline")
    assert time.monotonic() - closed <= 14, "offline within 10 s of the last heartbeat (+ flush)"
    assert listed["online"] is False and listed["status_zh"] == "离线"
    assert listed["last_seen"] is not None
    alerts = hall.manager.get("/api/v1/queue").json()["alerts"]
    mine = [a for a in alerts if a["kind"] == "device_offline" and a["counter"] == COUNTER]
    assert mine and "离线" in mine[0]["message_zh"]
