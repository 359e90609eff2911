"""The serial driver (pyserial) against the simulated SAM over a real pty pair."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from drivers.idcard.errors import (
    ChecksumError,
    IdCardError,
    ModuleTimeoutError,
    ReaderTimeoutError,
    ReaderUnavailableError,
    ReadFailedError,
    SamNotAuthorizedError,
)
from drivers.idcard.serial_reader import (
    BAUD_RATES,
    SerialSamReader,
    SerialSettings,
    detect_sam_port,
    probe_port,
    serial_reader,
)
from drivers.idcard.sim.citizens import Citizen
from drivers.idcard.sim.pty import PtySamServer
from drivers.idcard.sim.sam import Fault, SimulatedSam
from drivers.idcard.watcher import (
    CardPresent,
    CardRemoved,
    CardWatcher,
    ReaderErrorEvent,
    ReaderReady,
)

if TYPE_CHECKING:
    from tests.integration.idcard_fixtures import EventLog

pytest_plugins = ["tests.integration.idcard_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leak")


def reader_on(
    server: PtySamServer, timeout: float = 0.3, read_timeout: float = 0.6
) -> SerialSamReader:
    return serial_reader(SerialSettings(server.port, timeout=timeout, read_timeout=read_timeout))


def test_reads_every_fixture_citizen(
    pty_reader: PtySamServer, sam: SimulatedSam, citizens: dict[str, Citizen]
) -> None:
    with reader_on(pty_reader) as reader:
        assert reader.read_once() is None
        for citizen in citizens.values():
            sam.place(citizen)
            card = reader.read_once()
            assert card == citizen.expected_card(), citizen.label
            assert card is not None and card.photo == citizen.photo()
            assert reader.read_once() is None, "a card that stays must not be read twice"
            sam.remove()
        assert len(reader.sam_id()) == 32


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.PULLED, ReadFailedError),
        (Fault.CHECKSUM, ChecksumError),
        (Fault.TIMEOUT, ReaderTimeoutError),
        (Fault.UNAUTHORIZED, SamNotAuthorizedError),
    ],
)
def test_every_fault_is_a_typed_error_and_the_next_tap_reads(
    fault: Fault,
    error: type[IdCardError],
    pty_reader: PtySamServer,
    sam: SimulatedSam,
    citizens: dict[str, Citizen],
) -> None:
    citizen = citizens["mainland-long-term"]
    reader = reader_on(pty_reader, timeout=0.3)
    with reader:
        sam.place(citizen)
        sam.inject(fault)
        with pytest.raises(error) as caught:
            reader.read_once()
        assert caught.value.message_zh and caught.value.message_en
        assert sam.pending_faults == []
    with reader:
        sam.remove()
        sam.place(citizen)
        assert reader.read_once() == citizen.expected_card()


@pytest.mark.parametrize("rate", BAUD_RATES)
def test_every_module_speed_is_probed_for_and_remembered(
    rate: int, sam: SimulatedSam, citizens: dict[str, Citizen], tmp_path: Path
) -> None:
    server = PtySamServer(sam, baudrate=rate, link=tmp_path / "ttyIDCARD")
    server.start()
    try:
        reader = reader_on(server, timeout=0.1)
        with reader:
            assert reader.baudrate == rate
            assert (server.ignored > 0) == (rate != BAUD_RATES[0]), "faster speeds tried first"
            sam.place(citizens["child"])
            assert reader.read_once() == citizens["child"].expected_card()
        server.stop()  # unplugged and plugged in again: the remembered speed is tried first
        server.ignored = 0
        server.start()
        with reader:
            assert reader.baudrate == rate and server.ignored == 0
    finally:
        server.stop()


def test_a_fixed_speed_is_not_probed_and_silence_names_every_speed_tried(
    sam: SimulatedSam,
) -> None:
    with PtySamServer(sam, baudrate=9600) as server:
        reader = serial_reader(SerialSettings(server.port, baudrate=115200, timeout=0.1))
        with pytest.raises(ReaderTimeoutError, match="at 115200 baud"):
            reader.open()
    master, slave = os.openpty()
    try:
        silent = serial_reader(SerialSettings(os.ttyname(slave), timeout=0.05))
        with pytest.raises(ReaderTimeoutError, match="at 115200, 57600, 38400, 19200, 9600 baud"):
            silent.open()
    finally:
        os.close(master)
        os.close(slave)


def test_a_slow_module_gets_the_read_timeout_not_the_find_timeout(
    citizens: dict[str, Citizen],
) -> None:
    sam = SimulatedSam(read_delay=0.3)
    with PtySamServer(sam) as server:
        sam.place(citizens["over-85"])
        with reader_on(server, timeout=0.1, read_timeout=1.0) as reader:
            assert reader.read_once() == citizens["over-85"].expected_card()
        sam.remove()
        sam.place(citizens["over-85"])
        reader = reader_on(server, timeout=0.1, read_timeout=0.15)
        with reader, pytest.raises(ReaderTimeoutError, match=r"READ within 0\.15 s"):
            reader.read_once()


@pytest.mark.parametrize(
    "faults",
    [
        (Fault.SILENT_FIND, Fault.SILENT_FIND),
        (Fault.SELECT_FAILED, Fault.SELECT_FAILED),
        (Fault.MODULE_TIMEOUT, Fault.SILENT_FIND),
        (Fault.GARBAGE, Fault.MODULE_TIMEOUT, Fault.MODULE_TIMEOUT),
    ],
)
def test_failed_finds_and_selects_are_retried_twice_silently(
    faults: tuple[Fault, ...],
    pty_reader: PtySamServer,
    sam: SimulatedSam,
    citizens: dict[str, Citizen],
    event_log: EventLog,
) -> None:
    with CardWatcher(reader_on(pty_reader, timeout=0.1), event_log, poll_interval=0.02):
        assert isinstance(event_log.next(), ReaderReady)
        sam.inject(*faults)
        sam.place(citizens["child"])
        present = event_log.next()
        assert isinstance(present, CardPresent), "no error event for a retried failure"
        assert sam.pending_faults == []


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ((Fault.SILENT_FIND,) * 3, ReaderTimeoutError),
        ((Fault.MODULE_TIMEOUT,) * 3, ModuleTimeoutError),
    ],
)
def test_a_third_failure_is_an_error(
    faults: tuple[Fault, ...],
    error: type[IdCardError],
    pty_reader: PtySamServer,
    sam: SimulatedSam,
    citizens: dict[str, Citizen],
) -> None:
    with reader_on(pty_reader, timeout=0.1) as reader:
        sam.inject(*faults)
        sam.place(citizens["child"])
        with pytest.raises(error):
            reader.read_once()
        assert reader.read_once() == citizens["child"].expected_card()


def test_a_module_that_finds_the_card_on_every_poll_gives_one_event_per_stay(
    citizens: dict[str, Citizen], event_log: EventLog
) -> None:
    sam = SimulatedSam(refinds=True)
    with PtySamServer(sam) as server:
        reader = reader_on(server, timeout=0.2)
        with CardWatcher(reader, event_log, poll_interval=0.02):
            assert isinstance(event_log.next(), ReaderReady)
            sam.place(citizens["child"])
            present = event_log.next()
            assert isinstance(present, CardPresent)
            assert event_log.quiet_for(0.4) == [], "the card stays: no second event"
            assert sam.reads == 1
            sam.remove()
            assert isinstance(event_log.next(), CardRemoved)
            sam.place(citizens["child"])
            again = event_log.next()
            assert isinstance(again, CardPresent), "a re-tap after removal is a new event"
            assert again.card == citizens["child"].expected_card()
            assert sam.reads == 2


def test_the_stay_ends_after_two_polls_without_the_card(
    pty_reader: PtySamServer, sam: SimulatedSam, citizens: dict[str, Citizen]
) -> None:
    sam.refinds = True
    with reader_on(pty_reader) as reader:
        sam.place(citizens["child"])
        assert reader.read_once() is not None and reader.holding()
        assert reader.read_once() is None and reader.holding()
        sam.remove()
        assert reader.read_once() is None and reader.holding(), "one miss is not a removal"
        sam.place(citizens["child"])
        assert reader.read_once() is None, "back within one poll: the same stay"
        sam.remove()
        assert reader.read_once() is None and reader.read_once() is None
        assert not reader.holding()
        sam.place(citizens["child"])
        assert reader.read_once() == citizens["child"].expected_card()


@pytest.mark.parametrize(
    ("label", "frame_size", "fingerprint_size"),
    [("mainland-long-term", 2321, 1024), ("over-85", 1809, 512), ("child", 1297, 0)],
)
def test_read_with_fingerprint_drops_it_unless_asked_to_keep_it(
    label: str,
    frame_size: int,
    fingerprint_size: int,
    pty_reader: PtySamServer,
    sam: SimulatedSam,
    citizens: dict[str, Citizen],
) -> None:
    citizen = citizens[label]
    for keep in (False, True):
        settings = SerialSettings(
            pty_reader.port, timeout=0.3, with_fingerprint=True, keep_fingerprint=keep
        )
        with serial_reader(settings) as reader:
            sam.remove()
            sam.place(citizen)
            card = reader.read_once()
        assert sam.last_read_size == frame_size
        assert card == citizen.expected_card()
        assert card is not None and card.photo == citizen.photo()
        assert card.fingerprint == (citizen.fingerprint() if keep else b"")
        assert len(citizen.fingerprint()) == fingerprint_size
        assert "fingerprint" not in card.to_dict() and "fingerprint" not in repr(card)


def test_an_appended_address_is_read_and_reported(
    pty_reader: PtySamServer, sam: SimulatedSam, citizens: dict[str, Citizen]
) -> None:
    moved, stayed = citizens["mainland-hui-ssc"], citizens["child"]
    assert moved.appended_address is not None
    with reader_on(pty_reader) as reader:
        sam.place(moved)
        card = reader.read_once()
        assert card is not None and card.appended_address is not None
        assert card.current_address.reveal() == moved.appended_address
        assert card.address.reveal() == moved.fields["address"]
        sam.remove()
        sam.place(stayed)
        card = reader.read_once()
        assert card is not None and card.appended_address is None
        assert card.current_address.reveal() == stayed.fields["address"]


def test_line_noise_is_skipped(
    pty_reader: PtySamServer, sam: SimulatedSam, citizens: dict[str, Citizen]
) -> None:
    sam.inject(Fault.GARBAGE, Fault.GARBAGE, Fault.GARBAGE)
    sam.place(citizens["rare-character"])
    with reader_on(pty_reader) as reader:
        card = reader.read_once()
    assert card is not None and card.name.reveal() == "邓𠮷龑"


def test_paced_at_115200_baud_a_read_takes_its_wire_time(
    sam: SimulatedSam, citizens: dict[str, Citizen]
) -> None:
    with PtySamServer(sam, paced=True) as server, reader_on(server, timeout=1.0) as reader:
        sam.place(citizens["child"])
        started = time.monotonic()
        card = reader.read_once()
        elapsed = time.monotonic() - started
    assert card == citizens["child"].expected_card()
    assert elapsed >= 1295 * 10 / 115200


def test_autodetection_finds_the_port_that_answers(pty_reader: PtySamServer) -> None:
    silent_master, silent_slave = os.openpty()
    try:
        silent = os.ttyname(silent_slave)
        assert not probe_port(silent, timeout=0.2)
        assert not probe_port("/dev/does-not-exist", timeout=0.2)
        assert detect_sam_port([silent, pty_reader.port], timeout=0.2) == pty_reader.port
        assert detect_sam_port([silent], timeout=0.2) is None
    finally:
        os.close(silent_master)
        os.close(silent_slave)


def test_unplugged_port_is_a_reader_error(pty_reader: PtySamServer) -> None:
    reader = reader_on(pty_reader)
    reader.open()
    pty_reader.stop()
    with pytest.raises(ReaderUnavailableError):
        reader.read_once()
    reader.close()
    with pytest.raises(ReaderUnavailableError):
        reader.open()


def test_watcher_one_event_per_tap_and_recovery_after_unplug(
    pty_reader: PtySamServer, sam: SimulatedSam, citizens: dict[str, Citizen], event_log: EventLog
) -> None:
    reader = reader_on(pty_reader, timeout=0.3)
    with CardWatcher(reader, event_log, poll_interval=0.02, reopen_interval=0.05):
        assert isinstance(event_log.next(), ReaderReady)
        sam.place(citizens["over-85"])
        present = event_log.next()
        assert isinstance(present, CardPresent)
        assert present.card == citizens["over-85"].expected_card()
        assert isinstance(event_log.next(), CardRemoved)
        assert event_log.quiet_for(0.3) == []
        assert sam.reads == 1

        pty_reader.stop()
        error = event_log.next()
        assert isinstance(error, ReaderErrorEvent)
        assert isinstance(error.error, ReaderUnavailableError)
        assert event_log.quiet_for(0.3) == [], "failed reopen attempts are reported once"

        sam.remove()
        pty_reader.start()
        assert isinstance(event_log.next(), ReaderReady)
        sam.place(citizens["child"])
        again = event_log.next()
        assert isinstance(again, CardPresent)
        assert again.card == citizens["child"].expected_card()


def test_cli_reads_over_the_serial_port(
    pty_reader: PtySamServer, sam: SimulatedSam, citizens: dict[str, Citizen]
) -> None:
    sam.place(citizens["foreign-2017-I"])
    result = subprocess.run(
        [sys.executable, "-m", "drivers.idcard", "read", "--serial", pty_reader.port, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    card = json.loads(result.stdout)
    assert (card["card_type"], card["name"], card["id_number"]) == ("I", "史*斯", "USA110*****1201")


def test_cli_reports_a_missing_port(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "drivers.idcard", "read", "--serial", str(tmp_path / "ttyNONE")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert "cannot open serial port" in result.stderr and "Traceback" not in result.stderr


def test_cli_serial_auto_detection_without_a_reader() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "drivers.idcard", "read", "--serial", "auto", "--timeout", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3
    assert "no SAM module answered on any serial port" in result.stderr
