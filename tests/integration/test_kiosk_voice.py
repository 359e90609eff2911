"""Spoken guidance (长辈模式) through drivers.voice: every screen's sentence becomes real audio, one
sentence at a time, a stale queued sentence gives way to the newer one, and speaking never waits."""

from __future__ import annotations

import shutil
import threading
import time
from functools import partial
from pathlib import Path

import pytest

from drivers.voice import Audio, EspeakEngine, WavDirectorySink, open_engine, sentence_phrase
from kiosk.links import VoiceLink
from kiosk.strings import msg
from tests.kiosk_kit import SCREENS, RecordingLinks, controller

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")

NUMBER = ("guide_number", {"number": "B012", "n": 5})
EXPECTED: dict[str, tuple[str, dict[str, object]]] = {
    "attract": ("attract_title", {}),
    "attract-reader-fault": ("reader_down_hint", {}),
    "categories": ("choose_title", {}),
    "busy": ("issuing", {}),
    "ticket": NUMBER,
    "ticket-print-failed": NUMBER,
    "ticket-existing": NUMBER,
    "over-limit": NUMBER,
    "card-expired": ("card_expired", {}),
    "card-pulled": ("card_pulled", {}),
    "server-down": ("server_down", {}),
    "category-full": ("category_full", {}),
    "keypad": ("keypad_title", {}),
    "keypad-invalid": ("keypad_title", {}),
}


class SpeakingLinks(RecordingLinks):
    """The controller's links with the real voice link behind ``speak``."""

    def __init__(self, voice: VoiceLink) -> None:
        super().__init__()
        self.voice = voice

    def speak(self, text: str, lang: str) -> None:
        super().speak(text, lang)
        self.voice.speak(text, lang)


def settle(voice: VoiceLink) -> None:
    """Wait until the voice worker has done everything queued so far."""
    done = threading.Event()
    voice.worker.submit(done.set)
    assert done.wait(60), "the voice worker hung"


def wav_of(text: str, lang: str) -> bytes:
    return EspeakEngine(lang).synthesize(sentence_phrase(text, lang)).to_wav()


def test_every_screen_says_its_sentence_as_real_audio(tmp_path: Path) -> None:
    assert set(EXPECTED) == set(SCREENS)
    wrong = {}
    for lang in ("zh-CN", "en"):
        for name, reach in SCREENS.items():
            out = tmp_path / lang / name
            voice = VoiceLink(partial(open_engine, "tts"), WavDirectorySink(out))
            voice.start()
            try:
                c = controller(SpeakingLinks(voice), elderly_age=None)
                c.set_lang(lang)
                reach(c)
                c.set_elderly(True)  # the button: from now on each screen speaks
                settle(voice)
            finally:
                voice.stop()
            key, values = EXPECTED[name]
            sentence = msg(key, lang, **values)
            files = sorted(out.glob("*.wav"))
            if [f.read_bytes() for f in files] != [wav_of(sentence, lang)]:
                wrong[f"{name} {lang}"] = (sentence, [f.name for f in files])
    assert not wrong, wrong


class GatedSink(WavDirectorySink):
    """A speaker that holds the first sentence until released and notes any overlap."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.playing = 0
        self.most_at_once = 0
        self.played: list[bytes] = []

    def play(self, audio: Audio, label: str) -> None:
        self.playing += 1
        self.most_at_once = max(self.most_at_once, self.playing)
        self.entered.set()
        self.release.wait(60)
        super().play(audio, label)
        self.played.append(audio.to_wav())
        self.playing -= 1


def test_one_sentence_at_a_time_stale_ones_dropped_and_speak_never_waits(tmp_path: Path) -> None:
    sink = GatedSink(tmp_path)
    voice = VoiceLink(partial(open_engine, "tts"), sink)
    voice.start()
    try:
        voice.speak("请将身份证放在感应区", "zh-CN")
        assert sink.entered.wait(30)
        started = time.monotonic()
        for text in ("请选择您要办理的业务", "正在取号", "您的号码是 B012，前面还有 5 人"):
            voice.speak(text, "zh-CN")  # the speaker is busy: these only queue
        waited = time.monotonic() - started
        sink.release.set()
        settle(voice)
    finally:
        voice.stop()
    print(f"3 speak() calls while the speaker was busy took {waited * 1000:.1f} ms")
    assert waited < 1.0  # a bar against blocking on the speaker, not a timing target
    assert sink.most_at_once == 1
    assert sink.played == [
        wav_of("请将身份证放在感应区", "zh-CN"),
        wav_of("您的号码是 B012，前面还有 5 人", "zh-CN"),
    ]
