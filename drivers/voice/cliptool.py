"""Making the voice assets: clips from TTS or from human recordings, and the chime.

- ``generate``: every unit of :func:`vocabulary` spoken by the TTS engine, trimmed and
  normalised, into ``assets/voice/<lang>/<key>.wav``;
- ``script``: the list a voice talent reads (one ``key<TAB>text`` per line);
- ``import``: recordings named ``<key>.wav`` (any rate or format sox reads) converted into
  the clip set;
- ``chime``: the two-tone chime ``assets/sounds/chime.wav``.
"""

from __future__ import annotations

import logging
import math
import shutil
import subprocess
import tempfile
from array import array
from pathlib import Path

from drivers.voice.assets import chime_path, clips_dir
from drivers.voice.audio import Audio
from drivers.voice.engines import Pyttsx3Engine
from drivers.voice.errors import VoiceError, missing
from drivers.voice.numbers import Unit
from drivers.voice.phrasing import Phrase, vocabulary

logger = logging.getLogger(__name__)

CLIP_RATE = 16000
"""Sample rate of the clips: 8 kHz of bandwidth keeps 四 (si) and 十 (shi) apart."""
CHIME_RATE = 22050


def _sox() -> str:
    sox = shutil.which("sox")
    if sox is None:
        raise missing("sox", "apt install sox")
    return sox


def _convert(sox: str, source: Path, target: Path) -> None:
    """Any audio sox reads → 16-bit mono WAV at CLIP_RATE, trimmed and normalised."""
    with tempfile.TemporaryDirectory(prefix="yihao-clips-") as tmp:
        converted = Path(tmp) / "clip.wav"
        command = [sox, str(source), "-r", str(CLIP_RATE), "-c", "1", "-b", "16", str(converted)]
        done = subprocess.run(command, capture_output=True, check=False)
        if done.returncode != 0:
            raise VoiceError(f"sox could not convert {source}: {done.stderr.decode().strip()}")
        Audio.from_wav(converted).trimmed().normalized().save(target)


def generate_clips(lang: str, out: Path | None = None) -> list[Path]:
    """Speak every unit of ``lang`` with the TTS engine into ``out``; returns the files."""
    sox = _sox()
    target = out or clips_dir(lang)
    target.mkdir(parents=True, exist_ok=True)
    engine = Pyttsx3Engine(lang)
    written = []
    with tempfile.TemporaryDirectory(prefix="yihao-tts-") as tmp:
        for key, text in vocabulary(lang).items():
            spoken = Path(tmp) / f"{key}.wav"
            engine.synthesize(Phrase(text, (Unit(key, text),), lang)).save(spoken)
            _convert(sox, spoken, target / f"{key}.wav")
            written.append(target / f"{key}.wav")
    logger.info("wrote %d clips to %s", len(written), target)
    return written


def recording_script(lang: str) -> str:
    """What to record: ``key<TAB>text`` lines; save each recording as ``key.wav``."""
    return "".join(f"{key}\t{text}\n" for key, text in vocabulary(lang).items())


def import_recordings(lang: str, source: Path, out: Path | None = None) -> list[Path]:
    """Convert human recordings ``source/<key>.wav`` (any rate or format) into the clip set."""
    sox = _sox()
    keys = vocabulary(lang)
    absent = [key for key in keys if not (source / f"{key}.wav").is_file()]
    if absent:
        raise VoiceError(f"recordings missing in {source}: {', '.join(absent)}")
    target = out or clips_dir(lang)
    target.mkdir(parents=True, exist_ok=True)
    for key in keys:
        _convert(sox, source / f"{key}.wav", target / f"{key}.wav")
    return [target / f"{key}.wav" for key in keys]


def make_chime(rate: int = CHIME_RATE) -> Audio:
    """A soft two-tone "ding-dong" (E5 then C5, bell-like decay), about 1.6 s."""
    samples = array("h")
    for freq, length in ((659.25, 0.7), (523.25, 0.9)):
        for i in range(int(rate * length)):
            t = i / rate
            envelope = math.exp(-3.5 * t) * min(1.0, t / 0.005)
            tone = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t)
            samples.append(int(12000 * envelope * tone))
    return Audio(rate, samples)


def write_chime(path: Path | None = None) -> Path:
    """Write :func:`make_chime` to ``path`` (default ``assets/sounds/chime.wav``)."""
    target = path or chime_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    make_chime().save(target)
    return target
