"""Mono 16-bit PCM audio: read and write WAV, join, resample, trim. Standard library only."""

from __future__ import annotations

import io
import sys
import wave
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from drivers.voice.errors import VoiceError

SAMPLE_WIDTH = 2


def _pcm(frames: bytes) -> array[int]:
    samples = array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()  # WAV is little-endian
    return samples


@dataclass(frozen=True, eq=False)
class Audio:
    """Mono signed 16-bit samples at ``rate`` Hz."""

    rate: int
    samples: array[int]

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.rate

    @classmethod
    def silence(cls, rate: int, seconds: float) -> Audio:
        """``seconds`` of silence."""
        return cls(rate, array("h", bytes(SAMPLE_WIDTH * round(rate * seconds))))

    @classmethod
    def from_wav(cls, source: Path | bytes) -> Audio:
        """Read a 16-bit PCM WAV file (mono, or stereo mixed down)."""
        name = str(source) if isinstance(source, Path) else "WAV data"
        try:
            with wave.open(io.BytesIO(source) if isinstance(source, bytes) else str(source)) as wav:
                width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
                frames = wav.readframes(wav.getnframes())
        except (OSError, EOFError, wave.Error) as exc:
            raise VoiceError(f"cannot read {name}: {exc}") from exc
        if width != SAMPLE_WIDTH or channels > 2:
            raise VoiceError(
                f"{name}: need 16-bit mono or stereo PCM, got {8 * width}-bit x{channels}"
            )
        samples = _pcm(frames)
        if channels == 2:
            pairs = zip(samples[::2], samples[1::2], strict=True)
            samples = array("h", ((left + right) // 2 for left, right in pairs))
        return cls(rate, samples)

    def to_wav(self) -> bytes:
        """The audio as a WAV file."""
        samples = array("h", self.samples)
        if sys.byteorder == "big":
            samples.byteswap()
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(SAMPLE_WIDTH)
            handle.setframerate(self.rate)
            handle.writeframes(samples.tobytes())
        return buffer.getvalue()

    def save(self, path: Path) -> None:
        """Write a WAV file."""
        path.write_bytes(self.to_wav())

    def resampled(self, rate: int) -> Audio:
        """The same sound at ``rate`` Hz (linear interpolation)."""
        if rate == self.rate or not self.samples:
            return Audio(rate, array("h", self.samples))
        src = self.samples
        last = len(src) - 1
        step = self.rate / rate
        out = array("h")
        for i in range(int(len(src) * rate / self.rate)):
            pos = i * step
            j = int(pos)
            k = min(j + 1, last)
            out.append(int(src[j] + (src[k] - src[j]) * (pos - j)))
        return Audio(rate, out)

    def trimmed(self, threshold: int = 200, keep: float = 0.01) -> Audio:
        """Leading and trailing near-silence removed, keeping ``keep`` seconds at each end."""
        loud = [i for i, s in enumerate(self.samples) if abs(s) > threshold]
        if not loud:
            return Audio(self.rate, array("h"))
        margin = round(self.rate * keep)
        start, end = max(0, loud[0] - margin), min(len(self.samples), loud[-1] + 1 + margin)
        return Audio(self.rate, self.samples[start:end])

    def normalized(self, peak: float = 0.8) -> Audio:
        """Scaled so the loudest sample reaches ``peak`` of full scale."""
        top = max((abs(s) for s in self.samples), default=0)
        if top == 0:
            return self
        gain = peak * 32767 / top
        return Audio(self.rate, array("h", (int(s * gain) for s in self.samples)))


def join(parts: Iterable[Audio]) -> Audio:
    """Concatenate; every part must have the same rate."""
    items = list(parts)
    if not items:
        raise ValueError("nothing to join")
    rate = items[0].rate
    out = array("h")
    for part in items:
        if part.rate != rate:
            raise ValueError(f"cannot join {part.rate} Hz audio to {rate} Hz audio")
        out.extend(part.samples)
    return Audio(rate, out)
