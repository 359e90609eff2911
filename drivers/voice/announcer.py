"""The playback queue: chime, each call said N times, one call at a time, stale calls dropped."""

from __future__ import annotations

import logging
import queue
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from drivers.voice.assets import chime_path
from drivers.voice.audio import Audio, join
from drivers.voice.engines import VoiceEngine
from drivers.voice.errors import VoiceError, missing
from drivers.voice.phrasing import Phrase
from drivers.voice.sinks import AudioSink

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnnouncerConfig:
    """How calls are announced."""

    repeats: int = 2
    """How many times each call is said."""
    gap: float = 0.8
    """Seconds of silence after the chime and between repeats."""
    max_age: float = 20.0
    """Calls older than this many seconds when their turn comes are dropped, not announced."""
    chime: Path | None = None
    """WAV played before each call; None: ``assets/sounds/chime.wav``."""


@dataclass(frozen=True)
class _Call:
    phrase: Phrase
    called_at: datetime


@lru_cache(maxsize=8)
def _load_chime(path: Path, rate: int) -> Audio:
    if not path.is_file():
        raise missing(f"chime {path}", "python -m drivers.voice clips chime")
    return Audio.from_wav(path).resampled(rate)


def render_announcement(
    engine: VoiceEngine, phrase: Phrase, config: AnnouncerConfig | None = None
) -> Audio:
    """Chime, gap, then the phrase ``repeats`` times separated by gaps."""
    config = config or AnnouncerConfig()
    speech = engine.synthesize(phrase)
    chime = _load_chime(config.chime or chime_path(), speech.rate)
    gap = Audio.silence(speech.rate, config.gap)
    parts = [chime, gap, speech]
    for _ in range(config.repeats - 1):
        parts += [gap, speech]
    return join(parts)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Announcer:
    """Announces calls one after another on a worker thread.

    ``submit`` never blocks; ``close`` stops the worker (pending calls are dropped).
    """

    def __init__(
        self,
        engine: VoiceEngine,
        sink: AudioSink,
        config: AnnouncerConfig | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.engine = engine
        self.sink = sink
        self.config = config or AnnouncerConfig()
        self.clock = clock
        self.counts: Counter[str] = Counter()
        """Calls ``played``, ``dropped`` (stale or closed) and ``failed``."""
        self._queue: queue.Queue[_Call | None] = queue.Queue()
        self._idle = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None

    def render(self, phrase: Phrase) -> Audio:
        """The whole announcement for ``phrase`` (see :func:`render_announcement`)."""
        return render_announcement(self.engine, phrase, self.config)

    def start(self) -> Announcer:
        """Start the worker thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="yihao-announcer", daemon=True)
            self._thread.start()
        return self

    def submit(self, phrase: Phrase, called_at: datetime | None = None) -> None:
        """Queue a call; ``called_at`` (aware) is when the clerk called it, default now."""
        if called_at is not None and called_at.tzinfo is None:
            raise ValueError("called_at must be timezone-aware")
        with self._idle:
            self._pending += 1
        self._queue.put(_Call(phrase, called_at or self.clock()))

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every submitted call was played, dropped or failed."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Drop what is still queued and stop the worker."""
        while True:
            try:
                if self._queue.get_nowait() is not None:
                    self._finish("dropped")
            except queue.Empty:
                break
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> Announcer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _finish(self, outcome: str) -> None:
        with self._idle:
            self.counts[outcome] += 1
            self._pending -= 1
            self._idle.notify_all()

    def _run(self) -> None:
        while (call := self._queue.get()) is not None:
            self._finish(self._announce(call))

    def _announce(self, call: _Call) -> str:
        age = (self.clock() - call.called_at).total_seconds()
        if age > self.config.max_age:
            logger.warning("dropped stale call %r (%.1f s old)", call.phrase.text, age)
            return "dropped"
        try:
            audio = self.render(call.phrase)
            self.sink.play(audio, call.phrase.ticket or "call")
        except VoiceError as exc:
            logger.error("announcement %r failed: %s", call.phrase.text, exc)
            return "failed"
        except Exception:
            logger.exception("announcement %r failed", call.phrase.text)
            return "failed"
        logger.info("announced %r (%.1f s)", call.phrase.text, audio.duration)
        return "played"
