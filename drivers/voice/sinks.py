"""Where announcements go: the sound card (played to the end) or WAV files."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from drivers.voice.audio import Audio
from drivers.voice.errors import PlaybackError, missing

logger = logging.getLogger(__name__)

PLAYERS = (
    ("aplay", "-q", "{wav}"),
    ("paplay", "{wav}"),
    ("play", "-q", "{wav}"),
    ("afplay", "{wav}"),
)
"""Command-line players tried in order; ``{wav}`` is the file to play."""


class AudioSink(Protocol):
    """Plays (or stores) one announcement and returns when it is done."""

    def play(self, audio: Audio, label: str) -> None:
        """Output ``audio``; ``label`` names it (e.g. the ticket number)."""
        ...


class WavDirectorySink:
    """Writes each announcement to ``DIR/NNNN-label.wav``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.count = len(list(directory.glob("*.wav")))

    def play(self, audio: Audio, label: str) -> None:
        """Write the file."""
        self.count += 1
        path = self.directory / f"{self.count:04d}-{label}.wav"
        try:
            audio.save(path)
        except OSError as exc:
            raise PlaybackError(f"cannot write {path}: {exc}") from exc
        logger.debug("wrote %s", path)


class SoundCardSink:
    """Plays on the sound card and waits until the sound has ended.

    Windows uses ``winsound``; elsewhere the first player found of :data:`PLAYERS`, or
    ``command`` (a list with ``{wav}`` where the file goes).
    """

    def __init__(self, command: Sequence[str] | None = None) -> None:
        self.command = list(command) if command else None
        if self.command is None and sys.platform != "win32":
            found = next((p for p in PLAYERS if shutil.which(p[0])), None)
            if found is None:
                raise missing("an audio player", "apt install alsa-utils (aplay) or sox (play)")
            self.command = list(found)

    def play(self, audio: Audio, label: str) -> None:
        """Play ``audio`` to the end."""
        if sys.platform == "win32":
            if self.command is None:
                import winsound

                winsound.PlaySound(audio.to_wav(), winsound.SND_MEMORY)
                return
        if self.command is None:
            raise PlaybackError("no audio player configured")
        with tempfile.TemporaryDirectory(prefix="yihao-play-") as tmp:
            wav = Path(tmp) / f"{label}.wav"
            audio.save(wav)
            argv = [arg.replace("{wav}", str(wav)) for arg in self.command]
            try:
                done = subprocess.run(
                    argv, capture_output=True, timeout=audio.duration + 10, check=False
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise PlaybackError(f"{argv[0]}: {exc}") from exc
            if done.returncode != 0:
                error = done.stderr.decode(errors="replace").strip()
                raise PlaybackError(f"{' '.join(argv)} exited {done.returncode}: {error}")
