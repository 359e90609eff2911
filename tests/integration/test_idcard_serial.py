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
    ReaderTimeoutError,
    ReaderUnavailableError,
    ReadFailedError,
    SamNotAuthorizedError,
)
from drivers.idcard.sam_reader import SamReader
from drivers.idcard.serial_reader import SerialSettings, detect_sam_port, probe_port, serial_reader
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


def reader_on(server: PtySamServer, timeout: float = 0.3) -> SamReader:
    return serial_reader(SerialSettings(server.port, timeout=timeout))


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
    with PtySamServer(sam, baudrate=115200) as server, reader_on(server, timeout=1.0) as reader:
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
