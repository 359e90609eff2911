"""Printing and voice latency: prints numbers, asserts nothing.

    .venv/bin/python bench/printing.py [--runs N]

- ms from a ``Ticket`` to ESC/POS bytes in text and raster mode, and bytes per ticket;
- ms from a call to the first audio sample for each voice engine (target < 300 ms): the time
  until the whole announcement (chime + repeats) is ready for the sound card.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from drivers.printer import PrinterConfig, RecordingPrinter, sample_ticket
from drivers.voice import call_phrase, open_engine
from drivers.voice.announcer import render_announcement

TARGET_MS = 300.0
T = TypeVar("T")


def timed(action: Callable[[], T], runs: int) -> tuple[float, float, T]:
    """First-call ms, median ms of the following runs, and the last result."""
    start = time.perf_counter()
    result = action()
    first = (time.perf_counter() - start) * 1000
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(samples), result


def bench_printer(runs: int) -> None:
    ticket = sample_ticket()
    print("printer: Ticket -> ESC/POS bytes")
    print(f"  {'mode':<28} {'first ms':>9} {'median ms':>10} {'bytes':>8}")
    for label, config in (
        ("text 80 mm gb18030", PrinterConfig()),
        ("text 58 mm gbk", PrinterConfig(paper_mm=58, encoding="gbk")),
        ("text 80 mm big5 (fallback)", PrinterConfig(encoding="big5")),
        ("text 80 mm image QR", PrinterConfig(qr_native=False)),
        ("raster 80 mm", PrinterConfig(mode="raster")),
        ("raster 58 mm", PrinterConfig(mode="raster", paper_mm=58)),
    ):
        printer = RecordingPrinter(config)
        first, median, data = timed(partial(printer.render, ticket), runs)
        print(f"  {label:<28} {first:9.1f} {median:10.2f} {len(data):8d}")
    first, median, _ = timed(lambda: RecordingPrinter().preview(ticket), runs)
    print(f"  {'PNG preview image':<28} {first:9.1f} {median:10.2f}")


def bench_voice(runs: int) -> None:
    print(f"voice: call -> first audio sample (announcement ready), target < {TARGET_MS:.0f} ms")
    print(f"  {'engine':<16} {'first ms':>9} {'median ms':>10} {'audio s':>8}  verdict")
    for name, lang in (("clips", "zh-CN"), ("tts", "zh-CN"), ("tts", "en")):
        engine = open_engine(name, lang)
        phrase = call_phrase("A012", 12, lang)
        first, median, audio = timed(partial(render_announcement, engine, phrase), runs)
        seconds = audio.duration
        verdict = "within target" if median < TARGET_MS else "OVER TARGET"
        print(f"  {name + ' ' + lang:<16} {first:9.1f} {median:10.1f} {seconds:8.1f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="timed runs after the first")
    args = parser.parse_args()
    bench_printer(args.runs)
    bench_voice(max(3, args.runs // 4))


if __name__ == "__main__":
    main()
