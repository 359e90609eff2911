"""``python -m drivers.voice text|announce|clips`` — phrases, announcements and voice assets."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from drivers.cliargs import output_file, positive_int
from drivers.voice.announcer import AnnouncerConfig, render_announcement
from drivers.voice.cliptool import (
    generate_clips,
    import_recordings,
    recording_script,
    write_chime,
)
from drivers.voice.engines import open_engine
from drivers.voice.errors import VoiceError
from drivers.voice.phrasing import LANGS, Phrase, call_phrase, guidance_phrase, recall_phrase
from drivers.voice.sinks import SoundCardSink


def _add_phrase_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ticket", required=True, help="ticket number, e.g. A012")
    parser.add_argument("--counter", type=positive_int, default=1, help="counter (窗口) number")
    parser.add_argument("--lang", choices=LANGS, default="zh-CN")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--recall", action="store_true", help="the recall (重呼) phrase")
    kind.add_argument("--guidance", type=int, metavar="AHEAD", help="kiosk elderly-mode phrase")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m drivers.voice", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True)
    text = commands.add_parser("text", help="print the phrase and how it is read")
    _add_phrase_args(text)
    announce = commands.add_parser("announce", help="chime + phrase N times, to WAV or speakers")
    _add_phrase_args(announce)
    announce.add_argument("--engine", choices=("tts", "clips"), default="tts")
    announce.add_argument("--repeats", type=positive_int, default=AnnouncerConfig.repeats)
    announce.add_argument("--wav", type=output_file, help="write this WAV file instead of playing")
    clips = commands.add_parser("clips", help="make voice assets")
    clips.add_argument("action", choices=("generate", "script", "import", "chime"))
    clips.add_argument("--lang", choices=LANGS, default="zh-CN")
    clips.add_argument("--out", type=Path, help="target (default: the assets directory)")
    clips.add_argument("--source", type=Path, help="directory of recordings <key>.wav (import)")
    return parser


def _phrase(args: argparse.Namespace) -> Phrase:
    if args.recall:
        return recall_phrase(args.ticket, args.counter, args.lang)
    if args.guidance is not None:
        return guidance_phrase(args.ticket, args.guidance, args.lang)
    return call_phrase(args.ticket, args.counter, args.lang)


def _clips(args: argparse.Namespace) -> None:
    if args.action == "script":
        print(recording_script(args.lang), end="")
    elif args.action == "chime":
        print(f"wrote {write_chime(args.out)}")
    elif args.action == "import":
        if args.source is None:
            raise VoiceError("clips import needs --source DIR")
        print(f"imported {len(import_recordings(args.lang, args.source, args.out))} clips")
    else:
        print(f"generated {len(generate_clips(args.lang, args.out))} clips")


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    try:
        if args.command == "clips":
            _clips(args)
            return 0
        phrase = _phrase(args)
        if args.command == "text":
            print(phrase.text)
            print(phrase.speech_text)
            return 0
        config = AnnouncerConfig(repeats=args.repeats)
        audio = render_announcement(open_engine(args.engine, args.lang), phrase, config)
        if args.wav:
            audio.save(args.wav)
            print(f"wrote {args.wav} ({audio.duration:.1f} s, {audio.rate} Hz)")
        else:
            SoundCardSink().play(audio, phrase.ticket)
    except ValueError as exc:
        parser.error(str(exc))
    except VoiceError as exc:
        print(f"{exc.message_zh} / {exc.message_en}", file=sys.stderr)
        if exc.detail:
            print(exc.detail, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
