"""Audio handling without files: WAV bytes, joining, resampling, trimming; voice choice."""

from __future__ import annotations

import math
from array import array

import pytest
from pyttsx3.voice import Voice

from drivers.voice import Audio, VoiceDependencyError, VoiceError, call_phrase, join
from drivers.voice.engines import pick_voice, to_pinyin


def tone(rate: int, seconds: float, freq: float = 440.0) -> Audio:
    n = int(rate * seconds)
    return Audio(
        rate, array("h", (int(10000 * math.sin(2 * math.pi * freq * i / rate)) for i in range(n)))
    )


def test_wav_round_trip() -> None:
    audio = tone(16000, 0.25)
    back = Audio.from_wav(audio.to_wav())
    assert back.rate == 16000 and back.samples == audio.samples
    assert back.duration == pytest.approx(0.25)


def test_join_silence_and_rates() -> None:
    joined = join([tone(8000, 0.1), Audio.silence(8000, 0.05), tone(8000, 0.1)])
    assert len(joined.samples) == 800 + 400 + 800
    assert set(joined.samples[800:1200]) == {0}
    with pytest.raises(ValueError, match="cannot join"):
        join([tone(8000, 0.1), tone(16000, 0.1)])


def test_resample_keeps_duration_and_pitch() -> None:
    src = tone(22050, 0.5, 1000)
    out = src.resampled(16000)
    assert out.rate == 16000 and out.duration == pytest.approx(0.5, abs=0.001)
    crossings = sum(1 for a, b in zip(out.samples, out.samples[1:], strict=False) if a < 0 <= b)
    assert crossings == pytest.approx(500, abs=3)  # still 1000 Hz


def test_trim_and_normalise() -> None:
    padded = join([Audio.silence(8000, 0.5), tone(8000, 0.2), Audio.silence(8000, 0.5)])
    trimmed = padded.trimmed(keep=0.0)
    assert trimmed.duration == pytest.approx(0.2, abs=0.002)
    assert max(trimmed.normalized(0.5).samples) == pytest.approx(16383, abs=2)


def test_bad_wav_is_a_voice_error() -> None:
    with pytest.raises(VoiceError, match="cannot read"):
        Audio.from_wav(b"RIFF not really")


ESPEAK_VOICES = [
    Voice("gmw/en", "English (Great Britain)", ["en-gb"]),
    Voice("sit/cmn", "Chinese (Mandarin, latin as English)", ["cmn"]),
    Voice("sit/cmn-latn-pinyin", "Chinese (Mandarin, latin as Pinyin)", ["cmn"]),
]
SAPI_VOICES = [
    Voice(r"HKLM\...\TTS_MS_EN-US_ZIRA_11.0", "Microsoft Zira Desktop - English (United States)"),
    Voice(r"HKLM\...\TTS_MS_ZH-CN_HUIHUI_11.0", "Microsoft Huihui Desktop - Chinese (Simplified)"),
]


def test_espeak_gets_the_pinyin_voice_never_latin_as_english() -> None:
    assert pick_voice(ESPEAK_VOICES, "zh-CN") == ("sit/cmn-latn-pinyin", True)
    assert pick_voice(ESPEAK_VOICES, "zh-TW") == ("sit/cmn-latn-pinyin", True)
    assert pick_voice(ESPEAK_VOICES, "en") == ("gmw/en", False)


def test_sapi5_chinese_voice_is_chosen_automatically() -> None:
    assert pick_voice(SAPI_VOICES, "zh-CN") == (SAPI_VOICES[1].id, False)
    assert pick_voice(SAPI_VOICES, "zh-TW") == (SAPI_VOICES[1].id, False)  # Mandarin fallback
    assert pick_voice(SAPI_VOICES, "en") == (SAPI_VOICES[0].id, False)
    with pytest.raises(VoiceDependencyError, match="zh-CN voice"):
        pick_voice(SAPI_VOICES[:1], "zh-CN")


def test_pinyin_for_espeak() -> None:
    assert to_pinyin(call_phrase("A012", 12)) == (
        "qing3 A ling2 yi1 er4 hao4 dao4 shi2 er4 hao4 chuang1 kou3 ban4 li3"
    )
    assert to_pinyin(call_phrase("B7", 3, "zh-TW")).startswith("qing3 B qi1 hao4")
