"""ID card benchmark: codec throughput and software time of one read.

Prints numbers, asserts nothing.

* frames per second: decoding the 1,295-byte read answer (split, checksum,
  status, payload) and parsing its text block into an ``IdentityCard``;
* one read (find → select → read) through the real serial driver against the
  simulated SAM on a pty paced at 115,200 baud: total time, the wire time of
  the bytes exchanged (the read answer alone is 1,295 bytes ≈ 112 ms), and the
  software overhead = total − wire, plus the reader thread's CPU time;
* the same read in-process (no port, no wire): pure software time.

    .venv/bin/python bench/idcard.py [--reads 30] [--frames 20000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/idcard.py` puts bench/, not the repo, on the path
    sys.path.insert(0, str(REPO))

from drivers.idcard.card import IdentityCard  # noqa: E402
from drivers.idcard.cardtext import parse_text_block  # noqa: E402
from drivers.idcard.frames import (  # noqa: E402
    Command,
    FrameDecoder,
    Response,
    build_request,
    build_response,
    split_read_payload,
)
from drivers.idcard.reader import CardReader  # noqa: E402
from drivers.idcard.sim.citizens import Citizen, load_citizens  # noqa: E402
from drivers.idcard.sim.pty import PtySamServer, wire_seconds  # noqa: E402
from drivers.idcard.sim.sam import SimulatedSam, sim_reader  # noqa: E402

BAUD = 115200


def per_second(count: int, action: Callable[[], object]) -> float:
    started = time.perf_counter()
    for _ in range(count):
        action()
    return count / (time.perf_counter() - started)


def codec(citizen: Citizen, count: int) -> None:
    text, photo = citizen.text_block(), citizen.photo()
    frame = build_response(0x90, b"\x01\x00\x04\x00" + text + photo)
    decoder = FrameDecoder()

    def decode() -> bytes:
        decoder.feed(frame)
        body = decoder.next_body()
        assert body is not None
        return split_read_payload(Response.parse(body).raise_for_status().data)[0]

    def decode_and_parse() -> IdentityCard:
        return parse_text_block(decode(), photo)

    print(f"read answer: {len(frame)} bytes")
    print(f"  frames decoded per second:            {per_second(count, decode):>10,.0f}")
    print(f"  frames decoded + parsed per second:   {per_second(count, decode_and_parse):>10,.0f}")


def time_reads(
    reader: CardReader, sam: SimulatedSam, citizens: list[Citizen], reads: int
) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    with reader:
        for index in range(reads):
            sam.remove()
            sam.place(citizens[index % len(citizens)])
            wall, cpu = time.perf_counter(), time.thread_time()
            card = reader.read_once()
            cpus.append(time.thread_time() - cpu)
            walls.append(time.perf_counter() - wall)
            assert card == citizens[index % len(citizens)].expected_card()
    return walls, cpus


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return (
        f"median {statistics.median(values) * 1000:7.2f} ms   p90 {p90 * 1000:7.2f} ms   "
        f"max {ordered[-1] * 1000:7.2f} ms"
    )


def one_read(citizens: list[Citizen], reads: int) -> None:
    from drivers.idcard.serial_reader import SerialSettings, serial_reader

    requests = 3 * len(build_request(Command.FIND))
    answers = len(build_response(0x9F, bytes(4))) + len(build_response(0x90, bytes(8))) + 1295
    wire = wire_seconds(requests + answers, BAUD)
    sam = SimulatedSam()
    with PtySamServer(sam, baudrate=BAUD, paced=True) as server:
        reader = serial_reader(SerialSettings(server.port, BAUD, timeout=1.0))
        walls, cpus = time_reads(reader, sam, citizens, reads)
    overhead = [wall - wire for wall in walls]
    print(f"\none read over a pty at {BAUD} baud ({reads} reads, find + select + read):")
    print(f"  total                      {ms(walls)}")
    print(
        f"  wire time of {requests + answers} bytes   {wire * 1000:7.2f} ms "
        f"(read answer alone {wire_seconds(1295, BAUD) * 1000:.1f} ms)"
    )
    print(f"  software overhead          {ms(overhead)}")
    print(f"  reader thread CPU          {ms(cpus)}")

    sam = SimulatedSam()
    walls, cpus = time_reads(sim_reader(sam), sam, citizens, reads)
    print(f"\none read in-process (no port, no wire; {reads} reads):")
    print(f"  total                      {ms(walls)}")
    print(f"  CPU                        {ms(cpus)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=30)
    parser.add_argument("--frames", type=int, default=20000)
    args = parser.parse_args()
    citizens = load_citizens()
    codec(citizens[0], args.frames)
    one_read(citizens, args.reads)


if __name__ == "__main__":
    main()
