"""The PC/SC driver (pyscard) through a real pcscd, with vpcd virtual cards answering
the profiles' APDUs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from drivers.idcard.card import CardType, Source
from drivers.idcard.errors import (
    CardRemovedError,
    ReaderUnavailableError,
    UnreadableCardError,
    UnsupportedCardError,
)
from drivers.idcard.pcsc_reader import PcscReader, list_pcsc_readers
from drivers.idcard.sim.citizens import Citizen
from drivers.idcard.sim.vpcd import (
    SW_INS_NOT_SUPPORTED,
    BareIdCard,
    ForeignTypeBCard,
    SamReaderCard,
    SocialSecurityCard,
    VirtualCard,
    VpcdClient,
)
from drivers.idcard.watcher import CardPresent, CardRemoved, CardWatcher, ReaderReady

if TYPE_CHECKING:
    from tests.integration.idcard_fixtures import EventLog, VirtualReader, Waiter

pytest_plugins = ["tests.integration.idcard_fixtures"]
pytestmark = pytest.mark.usefixtures("no_thread_leak")


class OtherCard:
    """Some card no profile can read (a bank card, a transport card …)."""

    def __init__(self, atr: str) -> None:
        self.atr = bytes.fromhex(atr)

    def apdu(self, command: bytes) -> bytes:
        return b"\x6a\x82" if command[1] == 0xA4 else SW_INS_NOT_SUPPORTED


@pytest.fixture
def reader(pcscd: VirtualReader) -> Iterator[PcscReader]:
    reader = PcscReader(pcscd.name)
    reader.open()
    yield reader
    reader.close()


@pytest.fixture
def vpcd(pcscd: VirtualReader, reader: PcscReader, wait_until: Waiter) -> Iterator[VpcdClient]:
    client = VpcdClient(port=pcscd.port)
    yield client
    client.remove()
    wait_until(lambda: not reader.presence(), what="the virtual card to leave")


@pytest.fixture
def insert(vpcd: VpcdClient, reader: PcscReader, wait_until: Waiter) -> Callable[..., None]:
    """``insert(card, pull_after=None)``: put a virtual card on the reader and wait for pcscd."""

    def insert(card: VirtualCard, pull_after: int | None = None) -> None:
        vpcd.insert(card, pull_after=pull_after)
        wait_until(reader.presence, what="pcscd to see the virtual card")

    return insert


Insert = Callable[..., None]


def test_ffb0_reader_reads_cards_of_each_type_in_both_page_layouts(
    reader: PcscReader,
    vpcd: VpcdClient,
    insert: Insert,
    wait_until: Waiter,
    citizens: dict[str, Citizen],
) -> None:
    variants = [  # (citizen, length of page 0, status words sent)
        ("mainland-long-term", 256, True),
        ("hmt-residence-J", 260, True),
        ("foreign-2017-I", 256, False),
        ("foreign-2023-Y", 260, False),
    ]
    for label, first_page, status_words in variants:
        citizen = citizens[label]
        insert(SamReaderCard(citizen, first_page=first_page, status_words=status_words))
        card = reader.read_once()
        assert card == citizen.expected_card(), label
        assert card is not None and card.photo == citizen.photo() and card.source is Source.CARD
        vpcd.remove()
        wait_until(lambda: not reader.presence(), what="removal")
    assert reader.read_once() is None


def test_social_security_card(
    reader: PcscReader, insert: Insert, citizens: dict[str, Citizen]
) -> None:
    citizen = citizens["mainland-hui-ssc"]
    insert(SocialSecurityCard(citizen))
    card = reader.read_once()
    assert card is not None
    assert (card.source, card.card_type) == (Source.SSC, CardType.SOCIAL_SECURITY)
    assert card.id_number.reveal() == citizen.fields["id_number"]
    assert card.name.reveal() == citizen.fields["name"]
    assert card.nation == "回族"


def test_plain_contactless_reader_says_it_cannot_read_the_id_card(
    reader: PcscReader, insert: Insert, citizens: dict[str, Citizen]
) -> None:
    serial = citizens["child"].card_serial()
    insert(BareIdCard(serial))
    with pytest.raises(UnreadableCardError) as caught:
        reader.read_once()
    assert caught.value.serial == serial.hex().upper()
    assert "SAM" in caught.value.message_zh and "cannot read" in caught.value.message_en


def test_a_german_eid_like_type_b_card_is_not_reported_as_an_unreadable_id_card(
    reader: PcscReader, insert: Insert
) -> None:
    insert(ForeignTypeBCard())
    with pytest.raises(UnsupportedCardError) as caught:
        reader.read_once()
    assert not isinstance(caught.value, UnreadableCardError)
    assert caught.value.message_zh.startswith("无法识别的卡片")
    assert "SAM" not in caught.value.message_zh
    assert "no profile recognised the card" in caught.value.message_en


@pytest.mark.parametrize(
    ("atr", "reason"),
    [("3B 02 14 50", "no profile recognised"), ("3F 65 25 08 33 04 20 90 00", "no profile for")],
)
def test_unknown_card_is_reported(
    reader: PcscReader, insert: Insert, atr: str, reason: str
) -> None:
    insert(OtherCard(atr))
    with pytest.raises(UnsupportedCardError) as caught:
        reader.read_once()
    assert reason in caught.value.message_en and atr in caught.value.message_en


def test_card_pulled_mid_read(
    reader: PcscReader, insert: Insert, wait_until: Waiter, citizens: dict[str, Citizen]
) -> None:
    insert(SamReaderCard(citizens["child"]), pull_after=3)
    with pytest.raises(CardRemovedError):
        reader.read_once()
    wait_until(lambda: not reader.presence(), what="pcscd to see the card gone")


def test_unknown_reader_name(pcscd: VirtualReader) -> None:
    assert pcscd.name in list_pcsc_readers()
    with pytest.raises(ReaderUnavailableError):
        PcscReader("No Such Reader").open()


def test_watcher_one_event_per_tap_without_rereading_a_card_that_stays(
    pcscd: VirtualReader, vpcd: VpcdClient, citizens: dict[str, Citizen], event_log: EventLog
) -> None:
    with CardWatcher(PcscReader(pcscd.name), event_log, poll_interval=0.05, reopen_interval=0.1):
        assert isinstance(event_log.next(), ReaderReady)
        vpcd.insert(SamReaderCard(citizens["over-85"]))
        present = event_log.next()
        assert isinstance(present, CardPresent)
        assert present.card == citizens["over-85"].expected_card()
        apdus = vpcd.apdus
        assert event_log.quiet_for(1.0) == [], "the card stays: no event"
        assert vpcd.apdus == apdus, "the card stays: no APDU either"
        vpcd.remove()
        assert isinstance(event_log.next(), CardRemoved)
        vpcd.insert(SamReaderCard(citizens["child"]))
        again = event_log.next()
        assert isinstance(again, CardPresent)
        assert again.card == citizens["child"].expected_card()


def test_cli_read_and_ports(
    pcscd: VirtualReader, insert: Insert, citizens: dict[str, Citizen]
) -> None:
    insert(SamReaderCard(citizens["expired"]))
    command = [sys.executable, "-m", "drivers.idcard"]
    result = subprocess.run(
        [*command, "read", "--pcsc", pcscd.name, "--json", "--unmask", "--timeout", "5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    card = json.loads(result.stdout)
    assert (card["name"], card["valid_to"]) == ("王秀英", "2020-01-01")
    ports = subprocess.run([*command, "ports"], capture_output=True, text=True, timeout=60)
    assert ports.returncode == 0
    assert pcscd.name in ports.stdout


def test_cli_read_without_a_card_times_out(pcscd: VirtualReader) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "drivers.idcard", "read", "--pcsc", pcscd.name, "--timeout", "0.5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "no card was read within 0.5 s" in result.stderr
