"""Guidance sentences spoken by ``espeak-ng`` in a process of its own, one per sentence.

The kiosk speaks free sentences (「请选择您要办理的业务」), not just call phrases, many times a
day in one long-running process. pyttsx3's espeak driver keeps one synthesis callback for the
whole process, and a sentence started right after another one can lose its audio to the
previous engine's callback; a separate ``espeak-ng`` run per sentence shares nothing. Where
``espeak-ng`` is not installed (Windows) the ``drivers.voice`` TTS engine is used instead.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from drivers.voice import Audio, Phrase, SynthesisError, VoiceEngine, open_engine

VOICES = {"zh-CN": "cmn", "zh-TW": "cmn", "en": "en-us"}
"""espeak-ng voice per kiosk language (Mandarin reads both Simplified and Traditional)."""


class EspeakEngine:
    name = "espeak-ng"

    def __init__(self, lang: str, program: str = "espeak-ng", timeout: float = 20.0) -> None:
        self.voice = VOICES.get(lang, "cmn")
        self.program = program
        self.timeout = timeout

    def synthesize(self, phrase: Phrase) -> Audio:
        with tempfile.TemporaryDirectory(prefix="yihao-kiosk-voice-") as tmp:
            out = Path(tmp) / "sentence.wav"
            cmd = [self.program, "-v", self.voice, "-s", "150", "-w", str(out), phrase.text]
            try:
                subprocess.run(cmd, capture_output=True, timeout=self.timeout, check=True)
                return Audio.from_wav(out)
            except (OSError, subprocess.SubprocessError) as exc:
                raise SynthesisError(
                    f"{self.program} could not say {phrase.text!r}: {exc}"
                ) from exc


def guidance_engine(lang: str) -> VoiceEngine:
    """espeak-ng when installed, else the ``drivers.voice`` TTS engine."""
    return EspeakEngine(lang) if shutil.which("espeak-ng") else open_engine("tts", lang)
