"""The watcher on the in-process simulated SAM: one event per tap, faults, recovery."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from drivers.idcard.card import IdentityCard
from drivers.idcard.errors import ChecksumError, ReaderError, SamNotAuthorizedError
from drivers.idcard.reader import CardReader
from drivers.idcard.sim.citizens import Citizen
from drivers.idcard.sim.sam import Fault, SimulatedSam, sim_reader
from drivers.idcard.watcher import (
    CardPresent,
    CardRemoved,
    CardWatcher,
    ReaderErrorEvent,
    ReaderReady,
    WatchEvent,
)

if TYPE_CHECKING:
    from tests.integration.idcard_fixtures import EventLog

pytest_plugins = ["tests.integration.idcard_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leak")


@pytest.fixture
def watcher(sam: SimulatedSam, event_log: EventLog) -> Iterator[CardWatcher]:
    watcher = CardWatcher(
        sim_reader(sam, timeout=0.1), event_log, poll_interval=0.02, reopen_interval=0.05
    )
    watcher.start()
    assert isinstance(event_log.next(), ReaderReady)
    yield watcher
    watcher.stop()


def tap(sam: SimulatedSam, citizen: Citizen) -> None:
    sam.remove()
    sam.place(citizen)


def test_one_event_per_tap_and_no_second_read_while_the_card_stays(
    watcher: CardWatcher, sam: SimulatedSam, event_log: EventLog, citizens: dict[str, Citizen]
) -> None:
    tap(sam, citizens["child"])
    present = event_log.next()
    assert isinstance(present, CardPresent)
    assert present.card == citizens["child"].expected_card()
    assert isinstance(event_log.next(), CardRemoved)
    assert event_log.quiet_for(0.4) == []
    assert sam.in_field is not None and sam.reads == 1
    tap(sam, citizens["over-85"])
    second = event_log.next()
    assert isinstance(second, CardPresent)
    assert second.card == citizens["over-85"].expected_card()
    assert sam.reads == 2


def test_a_failed_tap_is_one_error_and_the_next_tap_works(
    watcher: CardWatcher, sam: SimulatedSam, event_log: EventLog, citizens: dict[str, Citizen]
) -> None:
    sam.inject(Fault.CHECKSUM)
    tap(sam, citizens["expired"])
    error = event_log.next()
    assert isinstance(error, ReaderErrorEvent) and isinstance(error.error, ChecksumError)
    assert isinstance(event_log.next(), CardRemoved)
    assert event_log.quiet_for(0.2) == []
    tap(sam, citizens["expired"])
    assert isinstance(event_log.next(), CardPresent)


def test_a_reader_fault_reopens_the_reader(
    watcher: CardWatcher, sam: SimulatedSam, event_log: EventLog, citizens: dict[str, Citizen]
) -> None:
    sam.inject(Fault.UNAUTHORIZED)
    error = event_log.next()
    assert isinstance(error, ReaderErrorEvent) and isinstance(error.error, SamNotAuthorizedError)
    assert isinstance(event_log.next(), ReaderReady)
    tap(sam, citizens["child"])
    assert isinstance(event_log.next(), CardPresent)


def test_a_failing_event_handler_does_not_stop_the_watcher(
    sam: SimulatedSam, citizens: dict[str, Citizen], event_log: EventLog
) -> None:
    log = event_log

    def handler(event: WatchEvent) -> None:
        log(event)
        raise RuntimeError("handler bug")

    with CardWatcher(sim_reader(sam, timeout=0.1), handler, poll_interval=0.02):
        assert isinstance(log.next(), ReaderReady)
        tap(sam, citizens["child"])
        assert isinstance(log.next(), CardPresent)
        assert isinstance(log.next(), CardRemoved)


def test_start_twice_is_refused(watcher: CardWatcher) -> None:
    with pytest.raises(RuntimeError):
        watcher.start()


class FlakyDriver(CardReader):
    """A third-party driver with a bug: its first poll raises a plain exception."""

    def __init__(self) -> None:
        self.opened = 0
        self.polls = 0

    def open(self) -> None:
        self.opened += 1

    def close(self) -> None:
        pass

    def read_once(self) -> IdentityCard | None:
        self.polls += 1
        if self.polls == 1:
            raise KeyError("driver bug")
        return None


def test_an_unexpected_exception_is_a_reader_error_and_the_reader_is_reopened(
    event_log: EventLog,
) -> None:
    driver = FlakyDriver()
    with CardWatcher(driver, event_log, poll_interval=0.02, reopen_interval=0.02):
        assert isinstance(event_log.next(), ReaderReady)
        error = event_log.next()
        assert isinstance(error, ReaderErrorEvent) and type(error.error) is ReaderError
        assert "KeyError" in error.error.message_en
        assert isinstance(event_log.next(), ReaderReady)
        assert event_log.quiet_for(0.2) == []
    assert driver.opened == 2 and driver.polls > 2
