"""Speech engines behind one interface: recorded clips, and pyttsx3 (espeak-ng, SAPI5, NSSS)."""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from drivers.voice.assets import clips_dir
from drivers.voice.audio import Audio, join
from drivers.voice.errors import DISPLAY_EXTRA, SynthesisError, missing
from drivers.voice.phrasing import PAUSE_KEY, Phrase

logger = logging.getLogger(__name__)

UNIT_GAP = 0.04
"""Seconds of silence between two clips."""
PAUSE = 0.25
"""Seconds of silence for a pause unit (a comma)."""
ESPEAK_PROGRAM = "espeak-ng"
ESPEAK_PINYIN_VOICE = "cmn-latn-pinyin"
"""espeak-ng's Mandarin voice that reads pinyin with tone numbers (its ``cmn`` voice reads
Hanzi as English letters)."""
_VOICE_HINTS = {
    "zh-CN": ("zh-cn", "zh_cn", "chinese (simplified)", "huihui", "yaoyao", "kangkang", "tingting"),
    "zh-TW": ("zh-tw", "zh_tw", "chinese (traditional", "hanhan", "yating", "zhiwei", "meijia"),
    "en": ("en-us", "en_us", "en-gb", "en_gb", "english", "gmw/en"),
}
_TTS_LOCK = threading.Lock()  # pyttsx3 drives one global espeak / SAPI instance


class VoiceEngine(Protocol):
    """Turns a phrase into audio."""

    name: str

    def synthesize(self, phrase: Phrase) -> Audio:
        """The spoken phrase."""
        ...


class ClipEngine:
    """Joins recorded WAV clips from ``assets/voice/<lang>/<key>.wav``."""

    name = "clips"

    def __init__(self, lang: str, directory: Path | None = None) -> None:
        self.lang = lang
        self.directory = directory or clips_dir(lang)
        self._cache: dict[str, Audio] = {}

    def clip(self, key: str) -> Audio:
        """One clip, loaded once."""
        if key not in self._cache:
            path = self.directory / f"{key}.wav"
            if not path.is_file():
                raise missing(
                    f"voice clip {path}",
                    f"python -m drivers.voice clips generate --lang {self.lang}",
                )
            self._cache[key] = Audio.from_wav(path)
        return self._cache[key]

    def synthesize(self, phrase: Phrase) -> Audio:
        """The phrase's clips in order, with short gaps."""
        keys = [unit.key for unit in phrase.units]
        rate = self.clip(next(k for k in keys if k != PAUSE_KEY)).rate
        parts: list[Audio] = []
        for key in keys:
            if key == PAUSE_KEY:
                parts.append(Audio.silence(rate, PAUSE))
                continue
            parts += [self.clip(key).resampled(rate), Audio.silence(rate, UNIT_GAP)]
        return join(parts)


def pick_voice(voices: Sequence[Any], lang: str) -> tuple[str, bool]:
    """The voice id for ``lang`` among pyttsx3 voices, and whether it wants pinyin input.

    espeak-ng's ``cmn-latn-pinyin`` is fed pinyin; SAPI5 and macOS Chinese voices read Hanzi.
    """
    if lang != "en":
        for voice in voices:
            if str(voice.id).lower().endswith(ESPEAK_PINYIN_VOICE):
                return str(voice.id), True
    for hint_lang in (lang, "zh-CN") if lang == "zh-TW" else (lang,):
        for voice in voices:
            haystack = " ".join(
                [str(voice.id), str(voice.name), *map(str, getattr(voice, "languages", []) or [])]
            ).lower()
            if any(hint in haystack for hint in _VOICE_HINTS[hint_lang]):
                return str(voice.id), False
    names = ", ".join(str(v.name) for v in voices) or "none"
    raise missing(
        f"a {lang} voice for pyttsx3 (voices: {names})",
        "Linux: apt install espeak-ng; Windows: add the Chinese speech pack in Settings",
    )


def to_pinyin(phrase: Phrase) -> str:
    """The phrase as pinyin with tone numbers; letters and punctuation pass through."""
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError as exc:
        raise missing("pypinyin", DISPLAY_EXTRA) from exc
    words = []
    for unit in phrase.units:
        syllables = lazy_pinyin(unit.text, style=Style.TONE3, neutral_tone_with_five=True)
        words.append(" ".join(s.strip() for s in syllables if s.strip()))
    return " ".join(words).replace(" ，", ",")


class EspeakEngine:
    """Text to speech by the ``espeak-ng`` program, one short-lived run per phrase.

    espeak-ng is what pyttsx3 drives on Linux, but pyttsx3's espeak driver keeps one synthesis
    callback for the whole process and ends its loop from inside it: a phrase sometimes comes
    back with no audio ("TTS wrote no audio"; about one in three in a quick loop, even in a
    fresh process). A program run per phrase shares nothing between phrases and reads the same
    voices: ``cmn-latn-pinyin`` fed pinyin for Chinese, ``en-us`` for English.
    """

    name = "espeak-ng"

    def __init__(
        self, lang: str, rate: int = 160, program: str = ESPEAK_PROGRAM, timeout: float = 20.0
    ) -> None:
        if shutil.which(program) is None:
            raise missing(f"the {program} program", "Linux: apt install espeak-ng")
        self.lang = lang
        self.rate = rate
        self.program = program
        self.timeout = timeout

    def synthesize(self, phrase: Phrase) -> Audio:
        """Speak ``phrase`` into a temporary WAV file and read it back."""
        chinese = self.lang != "en"
        voice = ESPEAK_PINYIN_VOICE if chinese else "en-us"
        text = to_pinyin(phrase) if chinese else phrase.speech_text
        with tempfile.TemporaryDirectory(prefix="yihao-espeak-") as tmp:
            out = Path(tmp) / "phrase.wav"
            cmd = [self.program, "-v", voice, "-s", str(self.rate), "-w", str(out), "--", text]
            try:
                subprocess.run(cmd, capture_output=True, timeout=self.timeout, check=True)
            except (OSError, subprocess.SubprocessError) as exc:
                raise SynthesisError(f"{self.program} could not say {text!r}: {exc}") from exc
            if not out.is_file() or out.stat().st_size <= 44:
                raise SynthesisError(f"{self.program} wrote no audio for {text!r}")
            logger.debug("espeak-ng %s: %r", voice, text)
            return Audio.from_wav(out)


class Pyttsx3Engine:
    """Text to speech through pyttsx3, one fresh pyttsx3 engine per phrase.

    pyttsx3 never clears its save-file setting, so an engine is never reused. On Linux, where
    pyttsx3 would drive espeak-ng, the phrase goes to the ``espeak-ng`` program instead
    (:class:`EspeakEngine`: the same voice and input, without the driver's lost phrases).
    """

    name = "tts"

    def __init__(self, lang: str, rate: int = 160) -> None:
        self.lang = lang
        self.rate = rate
        linux = sys.platform.startswith("linux") and shutil.which(ESPEAK_PROGRAM) is not None
        self._program = EspeakEngine(lang, rate) if linux else None

    def _engine(self) -> Any:
        try:
            from pyttsx3.engine import Engine
        except ImportError as exc:
            raise missing("pyttsx3", DISPLAY_EXTRA) from exc
        try:
            return Engine()
        except (OSError, RuntimeError) as exc:
            raise missing("a speech engine for pyttsx3", "Linux: apt install espeak-ng") from exc

    def synthesize(self, phrase: Phrase) -> Audio:
        """Speak ``phrase`` into a temporary WAV file and read it back."""
        if self._program is not None:
            return self._program.synthesize(phrase)
        with _TTS_LOCK, tempfile.TemporaryDirectory(prefix="yihao-tts-") as tmp:
            engine = self._engine()
            voice, wants_pinyin = pick_voice(engine.getProperty("voices"), self.lang)
            text = to_pinyin(phrase) if wants_pinyin else phrase.speech_text
            engine.setProperty("voice", voice)
            engine.setProperty("rate", self.rate)
            out = Path(tmp) / "phrase.wav"
            # The espeak driver prints "Audio saved to …" on stdout.
            with contextlib.redirect_stdout(io.StringIO()):
                engine.save_to_file(text, str(out))
                engine.runAndWait()
            del engine
            if not out.is_file() or out.stat().st_size <= 44:
                raise SynthesisError(f"{sys.platform} TTS wrote no audio for {text!r}")
            logger.debug("tts %s: %r", voice, text)
            return Audio.from_wav(out)


def open_engine(name: str, lang: str) -> VoiceEngine:
    """``tts`` or ``clips``."""
    if name == "clips":
        return ClipEngine(lang)
    if name == "tts":
        return Pyttsx3Engine(lang)
    raise ValueError(f"unknown voice engine {name!r}; use tts or clips")
