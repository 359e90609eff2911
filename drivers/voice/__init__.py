"""Call voice: Chinese call phrasing, TTS and recorded-clip engines, the playback queue.

Usage::

    from drivers.voice import Announcer, SoundCardSink, call_phrase, open_engine

    with Announcer(open_engine("clips", "zh-CN"), SoundCardSink()) as announcer:
        announcer.submit(call_phrase("A012", 3))   # chime, then 「请 A012 号到 3 号窗口办理」 twice

Library code: imports nothing else of yihao; pyttsx3 and pypinyin come with ``yihao[display]``.
"""

from drivers.voice.announcer import Announcer, AnnouncerConfig
from drivers.voice.audio import Audio, join
from drivers.voice.engines import (
    ClipEngine,
    EspeakEngine,
    Pyttsx3Engine,
    VoiceEngine,
    open_engine,
)
from drivers.voice.errors import PlaybackError, SynthesisError, VoiceDependencyError, VoiceError
from drivers.voice.numbers import Unit
from drivers.voice.phrasing import (
    LANGS,
    Phrase,
    call_phrase,
    call_text,
    guidance_phrase,
    recall_phrase,
    sentence_phrase,
    vocabulary,
)
from drivers.voice.sinks import AudioSink, SoundCardSink, WavDirectorySink

__all__ = [
    "LANGS",
    "Announcer",
    "AnnouncerConfig",
    "Audio",
    "AudioSink",
    "ClipEngine",
    "EspeakEngine",
    "Phrase",
    "PlaybackError",
    "Pyttsx3Engine",
    "SoundCardSink",
    "SynthesisError",
    "Unit",
    "VoiceDependencyError",
    "VoiceEngine",
    "VoiceError",
    "WavDirectorySink",
    "call_phrase",
    "call_text",
    "guidance_phrase",
    "join",
    "open_engine",
    "recall_phrase",
    "sentence_phrase",
    "vocabulary",
]
