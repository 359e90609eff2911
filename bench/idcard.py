"""ID card benchmark: codec throughput, PC/SC profile runs and the time of one SAM read.

Prints numbers, asserts nothing.

* frames per second: decoding the 1,295-byte read answer (and the 2,321-byte read
  with fingerprint) and parsing its text block into an ``IdentityCard``;
* PC/SC profiles run against the virtual cards in-process (no pcscd): FF B0 with
  both page layouts, the social security card by record number and by fallback;
* one read (find → select → read → appended address) through the real serial
  driver against the simulated SAM on a pty paced at 115,200 baud: total time,
  the wire time of the bytes actually exchanged, the software overhead = total −
  wire, and the reader thread's CPU time; the same in-process (no port, no wire);
* opening a reader whose module runs at 9,600 baud: the cost of probing the
  faster speeds first, and of reopening at the remembered speed.

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
    FrameDecoder,
    Response,
    build_response,
    split_read_payload,
)
from drivers.idcard.profile import load_profiles, run_profile  # noqa: E402
from drivers.idcard.reader import CardReader  # noqa: E402
from drivers.idcard.sim.citizens import Citizen, load_citizens  # noqa: E402
from drivers.idcard.sim.pty import PtySamServer, wire_seconds  # noqa: E402
from drivers.idcard.sim.sam import SimulatedSam, sim_reader  # noqa: E402
from drivers.idcard.sim.vpcd import SamReaderCard, SocialSecurityCard, VirtualCard  # noqa: E402

BAUD = 115200


def per_second(count: int, action: Callable[[], object]) -> float:
    started = time.perf_counter()
    for _ in range(count):
        action()
    return count / (time.perf_counter() - started)


def codec(citizen: Citizen, count: int) -> None:
    text, photo, fingerprint = citizen.text_block(), citizen.photo(), citizen.fingerprint()
    frames = {
        2: build_response(0x90, b"\x01\x00\x04\x00" + text + photo),
        3: build_response(0x90, b"\x01\x00\x04\x00\x04\x00" + text + photo + fingerprint),
    }
    decoder = FrameDecoder()

    def decode(parts: int) -> bytes:
        decoder.feed(frames[parts])
        body = decoder.next_body()
        assert body is not None
        return split_read_payload(Response.parse(body).raise_for_status().data, parts)[0]

    def decode_and_parse() -> IdentityCard:
        return parse_text_block(decode(2), photo)

    print(f"read answer: {len(frames[2])} bytes; with fingerprint: {len(frames[3])} bytes")
    print(f"  30 01 frames decoded per second:      {per_second(count, lambda: decode(2)):>10,.0f}")
    print(f"  30 10 frames decoded per second:      {per_second(count, lambda: decode(3)):>10,.0f}")
    print(f"  30 01 decoded + parsed per second:    {per_second(count, decode_and_parse):>10,.0f}")


def profiles(citizens: dict[str, Citizen], count: int) -> None:
    named = {profile.name: profile for profile in load_profiles()}
    ssc = citizens["mainland-hui-ssc"]
    cases: list[tuple[str, str, Callable[[], VirtualCard]]] = [
        ("ffb0-sam", "256-byte page 0, 90 00", lambda: SamReaderCard(ssc)),
        (
            "ffb0-sam",
            "260-byte page 0, no status",
            lambda: SamReaderCard(ssc, first_page=260, status_words=False),
        ),
        ("ssse-social-security", "record numbers", lambda: SocialSecurityCard(ssc)),
        (
            "ssse-social-security",
            "other order, fallback",
            lambda: SocialSecurityCard(ssc, ef06_order=(9, 8, 12, 13, 10, 11)),
        ),
    ]
    print(f"\nPC/SC profiles in-process ({count} runs each, APDUs answered by the virtual card):")
    for name, label, make in cases:
        sent = 0

        def run(name: str = name, make: Callable[[], VirtualCard] = make) -> None:
            nonlocal sent
            card = make()

            def transmit(apdu: bytes) -> bytes:
                nonlocal sent
                sent += 1
                return card.apdu(apdu)

            assert run_profile(named[name], transmit) is not None

        rate = per_second(count, run)
        print(f"  {name:21} {label:27} {rate:>8,.0f} reads/s  {sent / count:4.1f} APDUs/read")


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

    sam = SimulatedSam()
    with PtySamServer(sam, baudrate=BAUD, paced=True) as server:
        reader = serial_reader(SerialSettings(server.port, BAUD))
        reader.open()
        server.wire_bytes = 0
        walls, cpus = time_reads(reader, sam, citizens, reads)
        wire = wire_seconds(server.wire_bytes, BAUD) / reads
    overhead = [wall - wire for wall in walls]
    print(f"\none read over a pty at {BAUD} baud ({reads} reads, find + select + read + address):")
    print(f"  total                      {ms(walls)}")
    print(
        f"  wire time, {server.wire_bytes / reads:.0f} bytes a read  {wire * 1000:7.2f} ms "
        f"(read answer alone {wire_seconds(1295, BAUD) * 1000:.1f} ms)"
    )
    print(f"  software overhead          {ms(overhead)}")
    print(f"  reader thread CPU          {ms(cpus)}")

    sam = SimulatedSam()
    walls, cpus = time_reads(sim_reader(sam), sam, citizens, reads)
    print(f"\none read in-process (no port, no wire; {reads} reads):")
    print(f"  total                      {ms(walls)}")
    print(f"  CPU                        {ms(cpus)}")


def probing() -> None:
    from drivers.idcard.serial_reader import SerialSettings, serial_reader

    sam = SimulatedSam()
    with PtySamServer(sam, baudrate=9600) as server:
        reader = serial_reader(SerialSettings(server.port))
        started = time.perf_counter()
        reader.open()
        first = time.perf_counter() - started
        reader.close()
        started = time.perf_counter()
        reader.open()
        again = time.perf_counter() - started
        reader.close()
    print("\nopening a reader whose module runs at 9,600 baud (1 s answer timeout):")
    print(f"  first open, 4 faster speeds probed first   {first * 1000:8.1f} ms")
    print(f"  reopen at the remembered speed              {again * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=30)
    parser.add_argument("--frames", type=int, default=20000)
    args = parser.parse_args()
    citizens = load_citizens()
    codec(citizens[0], args.frames)
    profiles({citizen.label: citizen for citizen in citizens}, args.frames // 20)
    one_read(citizens, args.reads)
    probing()


if __name__ == "__main__":
    main()
