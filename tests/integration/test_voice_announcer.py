"""The playback queue on its worker thread: order, no overlap, stale calls, failures, sinks."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from drivers.voice import (
    Announcer,
    AnnouncerConfig,
    Audio,
    ClipEngine,
    PlaybackError,
    Pyttsx3Engine,
    SoundCardSink,
    WavDirectorySink,
    call_phrase,
    recall_phrase,
)

NOW = datetime(2024, 5, 8, 9, 31, tzinfo=UTC)
QUICK = AnnouncerConfig(repeats=2, gap=0.1, max_age=20.0)


class TimedSink:
    """Plays in (scaled) real time and records when each announcement started and ended."""

    def __init__(self, speed: float = 40.0) -> None:
        self.speed = speed
        self.played: list[tuple[str, float, float, float]] = []

    def play(self, audio: Audio, label: str) -> None:
        start = time.monotonic()
        time.sleep(audio.duration / self.speed)
        self.played.append((label, start, time.monotonic(), audio.duration))


@pytest.fixture
def clips() -> ClipEngine:
    return ClipEngine("zh-CN")


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    yield
    assert not [t for t in threading.enumerate() if t.name == "yihao-announcer"]


def test_calls_play_in_order_one_at_a_time(clips: ClipEngine) -> None:
    sink = TimedSink()
    with Announcer(clips, sink, QUICK, clock=lambda: NOW) as announcer:
        for ticket, counter in (("A012", 3), ("B003", 12), ("C101", 5)):
            announcer.submit(call_phrase(ticket, counter), called_at=NOW)
        announcer.submit(recall_phrase("A012", 3), called_at=NOW)
        assert announcer.wait_idle(20)
    assert [label for label, *_ in sink.played] == ["A012", "B003", "C101", "A012"]
    for (_, _, end, _), (_, start, _, _) in zip(sink.played, sink.played[1:], strict=False):
        assert start >= end  # never two at once
    assert announcer.counts == {"played": 4}
    durations = [d for *_, d in sink.played]
    assert durations[3] > durations[0]  # the recall says 再次呼叫 first


def test_stale_calls_are_dropped_not_announced(clips: ClipEngine) -> None:
    sink = TimedSink()
    now = [NOW]
    with Announcer(clips, sink, QUICK, clock=lambda: now[0]) as announcer:
        announcer.submit(call_phrase("A001", 1), called_at=NOW - timedelta(seconds=60))
        announcer.submit(call_phrase("A002", 1), called_at=NOW - timedelta(seconds=5))
        announcer.submit(call_phrase("A003", 1))
        assert announcer.wait_idle(20)
    assert [label for label, *_ in sink.played] == ["A002", "A003"]
    assert announcer.counts == {"played": 2, "dropped": 1}


def test_a_failing_call_does_not_stop_the_queue(clips: ClipEngine, tmp_path: Path) -> None:
    sink = TimedSink()
    with Announcer(ClipEngine("zh-CN", tmp_path / "no-clips"), sink, QUICK) as broken:
        broken.submit(call_phrase("A001", 1))
        assert broken.wait_idle(10)
    assert broken.counts == {"failed": 1} and not sink.played
    with Announcer(clips, sink, QUICK) as announcer:
        announcer.submit(call_phrase("A001", 1))
        assert announcer.wait_idle(10)
    assert announcer.counts == {"played": 1}


def test_close_drops_what_is_still_queued(clips: ClipEngine) -> None:
    sink = TimedSink(speed=10.0)  # each call takes about a second
    announcer = Announcer(clips, sink, QUICK).start()
    for n in range(4):
        announcer.submit(call_phrase(f"A00{n}", 1))
    time.sleep(0.2)
    announcer.close()
    assert announcer.counts["played"] + announcer.counts["dropped"] == 4
    assert announcer.counts["dropped"] >= 2
    assert announcer.wait_idle(0)


def test_called_at_must_be_aware(clips: ClipEngine) -> None:
    with pytest.raises(ValueError, match="timezone"):
        Announcer(clips, TimedSink()).submit(call_phrase("A1", 1), called_at=datetime(2024, 5, 8))


def test_tts_engine_speaks_on_the_worker_thread(tmp_path: Path) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt install espeak-ng)")
    out = tmp_path / "announcements"
    with Announcer(Pyttsx3Engine("zh-CN"), WavDirectorySink(out), QUICK) as announcer:
        announcer.submit(call_phrase("A012", 3))
        announcer.submit(recall_phrase("A012", 3))
        assert announcer.wait_idle(30)
    assert announcer.counts == {"played": 2}
    first, second = (Audio.from_wav(p) for p in sorted(out.iterdir()))
    assert first.rate == second.rate == 22050
    assert second.duration > first.duration > 3


def test_wav_directory_sink(clips: ClipEngine, tmp_path: Path) -> None:
    out = tmp_path / "announcements"
    with Announcer(clips, WavDirectorySink(out), QUICK) as announcer:
        announcer.submit(call_phrase("A012", 3))
        announcer.submit(call_phrase("B001", 4))
        assert announcer.wait_idle(20)
    files = sorted(p.name for p in out.iterdir())
    assert files == ["0001-A012.wav", "0002-B001.wav"]
    assert Audio.from_wav(out / files[0]).duration > 3


def test_sound_card_sink_runs_a_player_to_the_end(clips: ClipEngine) -> None:
    sox = shutil.which("sox")
    if sox is None:
        pytest.skip("sox is not installed (apt install sox)")
    audio = clips.synthesize(call_phrase("A012", 3))
    SoundCardSink([sox, "-q", "{wav}", "-n"]).play(audio, "A012")  # sox reads the whole file
    with pytest.raises(PlaybackError, match="exited"):
        SoundCardSink([sox, "-q", "{wav}", "/nonexistent/dir/out.wav"]).play(audio, "A012")
