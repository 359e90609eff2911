"""The announcer role: chime + each call twice through ``drivers.voice``, never overlapping.

A call (or recall) that was already older than :data:`STALE_SECONDS` when it reached the
device — after an outage, say — is shown but never announced; a snapshot after a
(re)connection announces nothing. ``--wav-dir DIR`` writes ``DIR/<seq>-<number>.wav``
instead of playing, ``seq`` being the call's audit sequence number.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from caller_server.protocol import DeviceDown
from drivers.voice import (
    Announcer,
    AnnouncerConfig,
    Audio,
    AudioSink,
    Phrase,
    PlaybackError,
    SoundCardSink,
    call_phrase,
    open_engine,
    recall_phrase,
)
from drivers.voice.numbers import spell

log = logging.getLogger(__name__)

STALE_SECONDS = 10.0
"""A call older than this when it reaches the device is shown, never announced."""
QUEUE_MAX_AGE = 90.0
"""A call still queued this long after it was made is dropped (a long backlog)."""


class SeqWavSink:
    """Writes each announcement to ``DIR/<label>.wav`` (label ``<seq>-<number>``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def play(self, audio: Audio, label: str) -> None:
        path = self.directory / f"{label}.wav"
        try:
            audio.save(path)
        except OSError as exc:
            raise PlaybackError(f"cannot write {path}: {exc}") from exc


class TimedSink:
    """Wraps a sink; tells ``on_start(label)`` when an announcement's first sample is ready."""

    def __init__(self, inner: AudioSink, on_start: Callable[[str], None]) -> None:
        self.inner = inner
        self.on_start = on_start

    def play(self, audio: Audio, label: str) -> None:
        self.on_start(label)
        self.inner.play(audio, label)


class VoiceBox:
    """Feeds pushed calls to an :class:`Announcer`; counts what was said and what was not."""

    def __init__(
        self,
        wav_dir: Path | None,
        engine: str = "clips",
        lang: str = "zh-CN",
        on_start: Callable[[str], None] | None = None,
    ) -> None:
        sink: AudioSink = SeqWavSink(wav_dir) if wav_dir else SoundCardSink()
        if on_start is not None:
            sink = TimedSink(sink, on_start)
        # Staleness is judged on arrival (below); in the queue a call may wait behind others
        # being played (about 12 s each) and is only dropped after QUEUE_MAX_AGE.
        config = AnnouncerConfig(repeats=2, max_age=QUEUE_MAX_AGE)
        self.lang = lang
        self.announcer = Announcer(open_engine(engine, lang), sink, config).start()
        self.silenced: list[str] = []
        """Calls shown but not announced because they arrived too late."""

    def close(self) -> None:
        self.announcer.close()

    def say_pin(self, pin: str) -> None:
        """A voice box has no screen: it says its pairing PIN once."""
        phrase = Phrase(f"配对码 {pin}", tuple(spell(pin, self.lang)), self.lang, f"pin-{pin}")
        self.announcer.submit(phrase)

    def handle(self, message: DeviceDown) -> None:
        if message.type != "update":
            return
        for event in message.events:
            if event.kind not in ("called", "recalled") or not event.number:
                continue
            if event.counter is None:
                continue
            age = max(0.0, message.sent_at - event.at)
            label = f"{event.seq}-{event.number}"
            if age > STALE_SECONDS:
                log.warning("call %s arrived %.0f s late: shown, not announced", label, age)
                self.silenced.append(label)
                continue
            make = recall_phrase if event.kind == "recalled" else call_phrase
            phrase = dataclasses.replace(make(event.number, event.counter, self.lang), ticket=label)
            called_at = datetime.now(UTC) - timedelta(seconds=age)
            self.announcer.submit(phrase, called_at)
