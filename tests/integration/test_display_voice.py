"""The announcer role on real WAV files: order, recalls, stale calls, snapshots; view models."""

from __future__ import annotations

import time
import wave
from pathlib import Path

from caller_server.protocol import DeviceDown, DisplayState, EventOut
from counter_display.views import DisplayModel
from counter_display.voice import STALE_SECONDS, VoiceBox


def _update(*events: EventOut, late: float = 0.0) -> DeviceDown:
    now = time.time()
    state = DisplayState(seq=events[-1].seq, day="d", hall="h", categories=[], counters=[])
    return DeviceDown(type="update", seq=2, sent_at=now + late, state=state, events=list(events))


def _call(seq: int, number: str, counter: int, kind: str = "called") -> EventOut:
    return EventOut(seq=seq, kind=kind, at=time.time(), number=number, counter=counter)


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def test_calls_are_written_in_order_recalls_again_late_calls_never(tmp_path: Path) -> None:
    box = VoiceBox(tmp_path)
    try:
        box.handle(_update(_call(11, "A012", 3), _call(12, "B003", 5)))
        box.handle(_update(_call(13, "A012", 3, "recalled")))
        box.handle(_update(_call(14, "C020", 2), late=STALE_SECONDS + 5))
        snapshot = DeviceDown(type="snapshot", seq=1, state=_update(_call(15, "D001", 7)).state)
        box.handle(snapshot)
        assert box.announcer.wait_idle(60)
    finally:
        box.close()
    files = sorted(tmp_path.glob("*.wav"), key=lambda p: p.stat().st_mtime_ns)
    assert [p.stem for p in files] == ["11-A012", "12-B003", "13-A012"]
    assert box.silenced == ["14-C020"]
    durations = [_seconds(p) for p in files]
    # chime + two sayings: a few seconds each; the recall adds 「再次呼叫」 twice.
    assert all(4.0 < d < 20.0 for d in durations), durations
    assert durations[2] > durations[0]
    stamps = [p.stat().st_mtime for p in files]
    assert stamps == sorted(stamps)


def test_counter_model_evaluation_mode_and_new_calls() -> None:
    model = DisplayModel(counter=3)
    model.apply(_update(_call(1, "A001", 3)))
    assert [c.number for c in model.new_calls] == ["A001"] and model.flash == "A001"
    finished = EventOut(seq=2, kind="finished", at=time.time(), number="A001", counter=3)
    model.apply(_update(finished), now=100.0)
    assert model.evaluating == "A001"
    # Another counter's finish does not touch this screen.
    other = EventOut(seq=3, kind="finished", at=time.time(), number="B001", counter=4)
    model.apply(_update(other), now=101.0)
    assert model.evaluating == "A001"
    # call-next closes the ticket and calls the next one in the same batch: no evaluation.
    model.apply(_update(finished, _call(5, "A002", 3)), now=102.0)
    assert model.evaluating is None
    model.apply(DeviceDown(type="rated", ok=True, number="A001", detail="感谢您的评价"))
    assert model.answer == "感谢您的评价"
