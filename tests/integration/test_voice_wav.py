"""Real speech: espeak-ng phonemes, WAV files from both engines measured with sox, the CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from array import array
from pathlib import Path

import pytest

from drivers.voice import (
    AnnouncerConfig,
    Audio,
    ClipEngine,
    EspeakEngine,
    Phrase,
    Pyttsx3Engine,
    Unit,
    VoiceDependencyError,
    VoiceEngine,
    VoiceError,
    call_phrase,
    guidance_phrase,
    open_engine,
    recall_phrase,
    sentence_phrase,
    vocabulary,
)
from drivers.voice.announcer import render_announcement
from drivers.voice.assets import chime_path, clips_dir
from drivers.voice.cliptool import CLIP_RATE, generate_clips, import_recordings
from drivers.voice.engines import ESPEAK_PINYIN_VOICE, to_pinyin

ROOT = Path(__file__).resolve().parents[2]


def need(program: str, package: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.skip(f"{program} is not installed (apt install {package})")
    return path


def sox_seconds(path: Path) -> float:
    out = subprocess.run(
        [need("sox", "sox"), "--i", "-D", str(path)], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def espeak_phonemes(voice: str, text: str) -> str:
    argv = [need("espeak-ng", "espeak-ng"), "-v", voice, "-x", "-q", text]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


class Recorded:
    """Passes synthesis through to a real engine and keeps what it returned."""

    def __init__(self, engine: VoiceEngine) -> None:
        self.engine = engine
        self.name = engine.name
        self.last: Audio | None = None

    def synthesize(self, phrase: Phrase) -> Audio:
        self.last = self.engine.synthesize(phrase)
        return self.last


PHRASES = [
    call_phrase("A012", 3),
    call_phrase("B7", 12, "zh-TW"),
    recall_phrase("C105", 110),
    guidance_phrase("D0", 23, "zh-TW"),
]


@pytest.mark.parametrize("phrase", PHRASES, ids=lambda p: p.text)
def test_espeak_reads_our_pinyin_as_mandarin(phrase: Phrase) -> None:
    phonemes = espeak_phonemes(ESPEAK_PINYIN_VOICE, to_pinyin(phrase))
    assert phonemes.strip()
    assert "(en)" not in phonemes  # no switch to English anywhere
    syllables = phonemes.count("_|")
    assert syllables >= len(to_pinyin(phrase).split()) - 1


def test_the_whole_vocabulary_is_mandarin() -> None:
    for lang in ("zh-CN", "zh-TW"):
        words = vocabulary(lang)
        units = tuple(Unit(key, text) for key, text in words.items())
        text = to_pinyin(Phrase("", units, lang))
        assert "(en)" not in espeak_phonemes(ESPEAK_PINYIN_VOICE, text)


def test_hanzi_fed_to_the_plain_cmn_voice_falls_back_to_english() -> None:
    """The control: the failure mode the pinyin voice avoids is real."""
    assert "(en)" in espeak_phonemes("cmn", "请A012号到3号窗口办理")


def check_announcement(path: Path, speech: Audio, repeats: int, gap: float) -> None:
    """Chime first, then the phrase ``repeats`` times, separated by silence: nothing overlaps."""
    audio = Audio.from_wav(path)
    assert audio.rate == speech.rate
    chime = Audio.from_wav(chime_path()).resampled(speech.rate)
    gap_n = round(speech.rate * gap)
    expected = (len(chime.samples) + repeats * (gap_n + len(speech.samples))) / speech.rate
    assert sox_seconds(path) == pytest.approx(expected, abs=0.001)
    assert audio.samples[: len(chime.samples)] == chime.samples
    pos = len(chime.samples)
    for _ in range(repeats):
        assert audio.samples[pos : pos + gap_n] == array("h", bytes(2 * gap_n))
        pos += gap_n
        assert audio.samples[pos : pos + len(speech.samples)] == speech.samples
        pos += len(speech.samples)
    assert pos == len(audio.samples)


def test_tts_announcement_wav(tmp_path: Path) -> None:
    need("espeak-ng", "espeak-ng")
    engine = Recorded(Pyttsx3Engine("zh-CN"))
    config = AnnouncerConfig(repeats=2, gap=0.8)
    out = tmp_path / "call.wav"
    render_announcement(engine, call_phrase("A012", 3), config).save(out)
    assert engine.last is not None
    assert engine.last.rate == 22050
    assert 1.5 < engine.last.duration < 8
    assert max(abs(s) for s in engine.last.samples) > 3000  # speech, not silence
    check_announcement(out, engine.last, repeats=2, gap=0.8)


def test_clip_announcement_wav_is_made_of_the_clips(tmp_path: Path) -> None:
    engine = Recorded(ClipEngine("zh-CN"))
    phrase = call_phrase("A012", 12)
    config = AnnouncerConfig(repeats=3, gap=0.5)
    out = tmp_path / "call.wav"
    render_announcement(engine, phrase, config).save(out)
    assert engine.last is not None and engine.last.rate == CLIP_RATE
    check_announcement(out, engine.last, repeats=3, gap=0.5)
    # The speech is the clips 请 A 零 一 二 号 到 十 二 号窗口 办理, in order, 40 ms apart.
    gap = array("h", bytes(2 * round(CLIP_RATE * 0.04)))
    expected = array("h")
    for unit in phrase.units:
        expected += Audio.from_wav(clips_dir("zh-CN") / f"{unit.key}.wav").samples + gap
    assert engine.last.samples == expected


@pytest.mark.parametrize("lang", ["zh-CN", "zh-TW", "en"])
def test_shipped_clip_sets_are_complete(lang: str) -> None:
    for key in vocabulary(lang):
        clip = Audio.from_wav(clips_dir(lang) / f"{key}.wav")
        assert clip.rate == CLIP_RATE, key
        assert 0.1 < clip.duration < 3.0, key
        assert max(abs(s) for s in clip.samples) > 10000, key


def test_clip_sets_regenerate_and_import_recordings(tmp_path: Path) -> None:
    sox = need("sox", "sox")
    need("espeak-ng", "espeak-ng")
    generated = generate_clips("zh-CN", tmp_path / "generated")
    assert {p.stem for p in generated} == set(vocabulary("zh-CN"))
    # Pretend a voice talent delivered 44.1 kHz stereo recordings.
    studio = tmp_path / "studio"
    studio.mkdir()
    for clip in generated:
        subprocess.run(
            [sox, str(clip), "-r", "44100", "-c", "2", str(studio / clip.name)], check=True
        )
    imported = import_recordings("zh-CN", studio, tmp_path / "imported")
    assert len(imported) == len(generated)
    for path in imported:
        assert Audio.from_wav(path).rate == CLIP_RATE
    (studio / "d7.wav").unlink()
    with pytest.raises(VoiceError, match="d7"):
        import_recordings("zh-CN", studio, tmp_path / "again")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drivers.voice", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_cli_text() -> None:
    done = run_cli("text", "--ticket", "A012", "--counter", "12")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["请 A012 号到 12 号窗口办理", "请A零一二号到十二号窗口办理"]
    english = run_cli("text", "--ticket", "A012", "--counter", "3", "--lang", "en", "--recall")
    assert english.stdout.splitlines()[0] == "Recall: number A012, please go to counter 3."
    bad = run_cli("text", "--ticket", "A-12", "--counter", "3")
    assert bad.returncode == 2 and "not a ticket number" in bad.stderr


@pytest.mark.parametrize("engine", ["tts", "clips"])
def test_cli_announce_writes_a_wav(engine: str, tmp_path: Path) -> None:
    need("espeak-ng", "espeak-ng")
    out = tmp_path / f"{engine}.wav"
    done = run_cli(
        "announce", "--ticket", "A012", "--counter", "3", "--engine", engine, "--wav", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out}")
    seconds = sox_seconds(out)
    chime = Audio.from_wav(chime_path()).duration
    assert chime + 2 * 0.8 + 2 * 1.5 < seconds < 20


def test_cli_names_the_missing_extra(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "for name in ('pyttsx3', 'pyttsx3.engine', 'pypinyin'): sys.modules[name] = None\n"
        "from drivers.voice.__main__ import main\n"
        f"sys.exit(main(['announce', '--ticket', 'A1', '--wav', '{tmp_path / 'x.wav'}']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    # pyttsx3 where it speaks, pypinyin where espeak-ng's Mandarin voice reads pinyin (Linux)
    assert re.search(
        r"(pyttsx3|pypinyin) is not installed: pip install 'yihao\[display\]'", done.stderr
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("text", "--ticket", "A012", "--counter", "0"), "--counter: 0 must be 1 or more"),
        (("announce", "--ticket", "A012", "--wav", "{tmp}/missing/a.wav"), "does not exist"),
        (("announce", "--ticket", "A012", "--repeats", "zero"), "not a whole number"),
    ],
)
def test_cli_refuses_bad_arguments_before_any_work(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "drivers.voice", *(arg.format(tmp=tmp_path) for arg in args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert said in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "missing").exists()


def test_espeak_engine_says_every_sentence_of_a_long_run(tmp_path: Path) -> None:
    """pyttsx3's espeak driver sometimes returns no audio for a phrase; on Linux the tts
    engine runs the espeak-ng program per phrase and must never miss one."""
    need("espeak-ng", "espeak-ng")
    engines = {lang: open_engine("tts", lang) for lang in ("zh-CN", "zh-TW", "en")}
    texts = {"zh-CN": "请选择您要办理的业务", "zh-TW": "還剩 10 秒", "en": "Your number is B012"}
    durations = []
    for i in range(30):
        lang = ("zh-CN", "zh-TW", "en")[i % 3]
        audio = engines[lang].synthesize(sentence_phrase(texts[lang], lang))
        path = tmp_path / f"{i}.wav"
        audio.save(path)
        durations.append(sox_seconds(path))
    assert min(durations) > 0.8, durations


def test_espeak_engine_names_the_missing_program() -> None:
    with pytest.raises(VoiceDependencyError, match="no-such-espeak"):
        EspeakEngine("zh-CN", program="no-such-espeak")
