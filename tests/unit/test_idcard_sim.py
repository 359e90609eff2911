"""The fixture citizens, the simulated SAM (in-process) and the PC/SC profiles run
against the virtual cards without pcscd."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import drivers.idcard.profiles
from drivers.idcard.card import CardType, IdentityCard, Source
from drivers.idcard.errors import (
    CardDataError,
    CardRemovedError,
    ChecksumError,
    ProfileError,
    ReaderTimeoutError,
    ReadFailedError,
    SamNotAuthorizedError,
    UnreadableCardError,
)
from drivers.idcard.frames import Command, FrameDecoder, Response, build_request
from drivers.idcard.idrules import is_valid_id_number
from drivers.idcard.profile import (
    Profile,
    Transmit,
    load_profiles,
    profile_from_dict,
    run_profile,
)
from drivers.idcard.sim.citizens import Citizen, find_citizen, load_citizens
from drivers.idcard.sim.sam import Fault, SimulatedSam, sim_reader
from drivers.idcard.sim.vpcd import (
    BareIdCard,
    ForeignTypeBCard,
    SamReaderCard,
    SocialSecurityCard,
    VirtualCard,
)

TODAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def people() -> dict[str, Citizen]:
    return {c.label: c for c in load_citizens()}


def test_fixture_set_covers_every_case(people: dict[str, Citizen]) -> None:
    cards = {label: c.expected_card() for label, c in people.items()}
    assert {c.card_type for c in cards.values()} == {
        CardType.MAINLAND,
        CardType.HMT_RESIDENCE,
        CardType.FOREIGN_2017,
        CardType.FOREIGN_2023,
    }
    assert any(c.card_type is CardType.MAINLAND and c.valid_to is None for c in cards.values())
    assert cards["expired"].is_expired(TODAY)
    assert cards["child"].age_on(TODAY) < 14
    assert cards["over-85"].age_on(TODAY) > 85
    assert any(ord(ch) > 0xFFFF for ch in cards["rare-character"].name.reveal())
    assert any(c.ssc is not None for c in people.values())
    for label, card in cards.items():
        if card.card_type is not CardType.FOREIGN_2017:
            assert is_valid_id_number(card.id_number.reveal()), label


def test_find_citizen_by_label_or_index(people: dict[str, Citizen]) -> None:
    citizens = list(people.values())
    assert find_citizen(citizens, "child").label == "child"
    assert find_citizen(citizens, "1") is citizens[1]
    with pytest.raises(CardDataError):
        find_citizen(citizens, "nobody")


def test_bad_citizen_files_are_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(CardDataError):
        load_citizens(broken)
    bad_number = tmp_path / "bad.json"
    entry = {
        "label": "x",
        "card_type": "mainland",
        "fields": {"name": "某", "sex": "1", "birth": "19900101", "id_number": "110105199001010000",
                   "valid_to": "长期"},
    }  # fmt: skip
    bad_number.write_text(json.dumps({"citizens": [entry]}))
    with pytest.raises(CardDataError, match="x"):
        load_citizens(bad_number)


def ask(sam: SimulatedSam, command: Command) -> Response:
    decoder = FrameDecoder()
    decoder.feed(sam.receive(build_request(command)))
    return Response.parse(decoder.next_body() or b"")


def test_sam_finds_a_card_once_per_stay(people: dict[str, Citizen]) -> None:
    sam = SimulatedSam()
    assert ask(sam, Command.FIND).status == 0x80
    sam.place(people["child"])
    assert ask(sam, Command.SELECT).status == 0x81
    assert ask(sam, Command.FIND).status == 0x9F
    assert ask(sam, Command.SELECT).data == people["child"].card_serial()
    assert len(ask(sam, Command.READ).data) == 4 + 256 + 1024
    assert ask(sam, Command.FIND).status == 0x80
    sam.remove()
    sam.place(people["child"])
    assert ask(sam, Command.FIND).status == 0x9F
    assert ask(sam, Command.SAM_ID).ok


def test_sam_rejects_a_request_with_a_bad_checksum() -> None:
    frame = bytearray(build_request(Command.FIND))
    frame[-1] ^= 1
    decoder = FrameDecoder()
    decoder.feed(SimulatedSam().receive(bytes(frame)))
    assert Response.parse(decoder.next_body() or b"").status == 0x10


def test_loopback_reader_reads_every_citizen(people: dict[str, Citizen]) -> None:
    sam = SimulatedSam()
    with sim_reader(sam, timeout=0.2) as reader:
        assert reader.read_once() is None
        for citizen in people.values():
            sam.place(citizen)
            assert reader.read_once() == citizen.expected_card()
            assert reader.read_once() is None
            sam.remove()
    assert sam.reads == len(people)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("pulled", ReadFailedError),
        ("checksum", ChecksumError),
        ("timeout", ReaderTimeoutError),
        ("unauthorized", SamNotAuthorizedError),
    ],
)
def test_each_fault_gives_its_typed_error(
    fault: str, error: type[Exception], people: dict[str, Citizen]
) -> None:
    sam = SimulatedSam()
    sam.place(people["mainland-long-term"])
    sam.inject(Fault(fault))
    reader = sim_reader(sam, timeout=0.1, read_timeout=0.1)
    with reader, pytest.raises(error):
        reader.read_once()
    assert sam.pending_faults == []


def test_garbage_before_an_answer_is_skipped(people: dict[str, Citizen]) -> None:
    sam = SimulatedSam()
    sam.inject(Fault.GARBAGE, Fault.GARBAGE)
    sam.place(people["over-85"])
    with sim_reader(sam, timeout=0.2) as reader:
        assert reader.read_once() == people["over-85"].expected_card()


def profile_named(name: str) -> Profile:
    return next(p for p in load_profiles() if p.name == name)


def transmit_to(card: VirtualCard) -> tuple[list[bytes], Transmit]:
    sent: list[bytes] = []

    def transmit(apdu: bytes) -> bytes:
        sent.append(apdu)
        return card.apdu(apdu)

    return sent, transmit


def test_builtin_profiles_load_in_priority_order() -> None:
    names = [p.name for p in load_profiles()]
    assert names == ["ffb0-sam", "resident-id-no-sam", "ssse-social-security"]


@pytest.mark.parametrize("status_words", [True, False])
@pytest.mark.parametrize("first_page", [256, 260])
def test_ffb0_profile_reads_both_page_layouts_with_or_without_status_words(
    first_page: int, status_words: bool, people: dict[str, Citizen]
) -> None:
    citizen = people["foreign-2023-Y"]  # its old-number link sits in text bytes 250-255
    card = SamReaderCard(citizen, first_page=first_page, status_words=status_words)
    profile = profile_named("ffb0-sam")
    assert profile.matches(card.atr)
    sent, transmit = transmit_to(card)
    identity = run_profile(profile, transmit)
    assert identity == citizen.expected_card()
    assert identity is not None and identity.photo == citizen.photo()
    assert identity.old_card_link == citizen.fields["old_card_link"]
    assert [a.hex() for a in sent] == [f"ffb00{p}0000" for p in range(6)]


def test_ffb0_page_lengths_are_checked(people: dict[str, Citizen]) -> None:
    profile = profile_named("ffb0-sam")
    card = SamReaderCard(people["child"])

    def short_page_3(apdu: bytes) -> bytes:
        answer = card.apdu(apdu)
        return answer[:100] + answer[-2:] if apdu[2] == 3 else answer

    with pytest.raises(ReadFailedError, match="102-byte answer to ff b0 03 00 00"):
        run_profile(profile, short_page_3)
    with pytest.raises(ReadFailedError, match="258-byte answer"):
        run_profile(profile, lambda apdu: card.apdu(apdu)[:256] + b"\x62\x82")
    with pytest.raises(CardDataError, match="announces 512 text bytes"):
        run_profile(profile, lambda apdu: b"\x02\x00\x04\x00" + card.apdu(apdu)[4:])


def check_ssc_identity(identity: IdentityCard | None, citizen: Citizen) -> None:
    assert identity is not None
    assert (identity.source, identity.card_type) == (Source.SSC, CardType.SOCIAL_SECURITY)
    assert identity.id_number.reveal() == citizen.fields["id_number"]
    assert identity.name.reveal() == citizen.fields["name"]
    assert identity.nation == "回族" and identity.birth == date(1992, 8, 21)
    assert (identity.valid_from, identity.valid_to) == (date(2019, 3, 1), date(2029, 3, 1))
    assert identity.document_number is not None
    assert identity.document_number.reveal() == "K12345678"


def test_ssc_profile_reads_records_by_number_with_the_exact_le(people: dict[str, Citizen]) -> None:
    citizen = people["mainland-hui-ssc"]
    card = SocialSecurityCard(citizen)
    profile = profile_named("ssse-social-security")
    assert profile.matches(card.atr) and not profile_named("ffb0-sam").matches(card.atr)
    sent, transmit = transmit_to(card)
    check_ssc_identity(run_profile(profile, transmit), citizen)
    assert any(a.startswith(b"\x00\xc0") for a in sent), "61 xx must be followed by GET RESPONSE"
    assert [r.hex(" ") for r in card.reads] == [
        "00 b2 05 04 06", "00 b2 06 04 06", "00 b2 07 04 0b",  # EF05: numbers = tags
        "00 b2 01 04 14", "00 b2 02 04 20", "00 b2 03 04 03", "00 b2 04 04 03", "00 b2 06 04 06",
    ]  # fmt: skip


def test_the_simulated_card_addresses_records_like_iso_7816_4(people: dict[str, Citizen]) -> None:
    card = SocialSecurityCard(people["mainland-hui-ssc"])
    card.apdu(b"\x00\xa4\x04\x00\x0f" + card.AID)
    card.apdu(bytes.fromhex("00A4020002EF06"))
    number = people["mainland-hui-ssc"].fields["id_number"].encode()
    assert card.apdu(bytes.fromhex("00B2080014")) == b"\x08\x12" + number + b"\x90\x00"
    assert card.apdu(bytes.fromhex("00B2010414")) == b"\x08\x12" + number + b"\x90\x00"
    assert card.apdu(bytes.fromhex("00B2080414")) == b"\x6a\x83", "there is no record 8"
    assert card.apdu(bytes.fromhex("00B2010400")) == b"\x6c\x14", "wrong Le"
    assert card.apdu(bytes.fromhex("00B2072C0B"))[:2] == b"\x07\x09", "EF05 by short file id"
    assert card.apdu(bytes.fromhex("00B2020400"))[:1] == b"\x6c"
    assert SocialSecurityCard(people["mainland-hui-ssc"]).apdu(bytes.fromhex("00B2010414")) == (
        b"\x69\x86"
    )


def test_ssc_records_in_another_order_fall_back_to_identifiers(
    people: dict[str, Citizen],
) -> None:
    citizen = people["mainland-hui-ssc"]
    card = SocialSecurityCard(citizen, ef06_order=(0x09, 0x08, 0x0C, 0x0D, 0x0A, 0x0B))
    _, transmit = transmit_to(card)
    check_ssc_identity(run_profile(profile_named("ssse-social-security"), transmit), citizen)
    ef06 = [r.hex(" ") for r in card.reads[3:]]
    # record 1 is the name here: 6C 20 for the Le of the ID number, then the wrong tag
    assert ef06[:3] == ["00 b2 01 04 14", "00 b2 01 04 20", "00 b2 08 00 14"]
    assert ef06[3:] == ["00 b2 09 00 20", "00 b2 0a 00 03", "00 b2 0b 00 03", "00 b2 0d 00 06"]


def test_ssc_card_without_identifier_addressing_is_read_by_number(
    people: dict[str, Citizen],
) -> None:
    citizen = people["mainland-hui-ssc"]
    _, transmit = transmit_to(SocialSecurityCard(citizen, by_identifier=False))
    check_ssc_identity(run_profile(profile_named("ssse-social-security"), transmit), citizen)


def test_ssc_profile_without_record_numbers_or_lengths_uses_identifiers_and_6c(
    people: dict[str, Citizen],
) -> None:
    citizen = people["mainland-hui-ssc"]
    data = json.loads(
        (Path(drivers.idcard.profiles.__file__).parent / "ssse-social-security.json").read_text()
    )
    for file in data["files"]:
        for record in file["records"]:
            del record["record"], record["length"]
    card = SocialSecurityCard(citizen)
    sent, transmit = transmit_to(card)
    check_ssc_identity(run_profile(profile_from_dict(data), transmit), citizen)
    assert card.reads[0].hex(" ") == "00 b2 05 00 00"
    assert any(a.hex(" ") == "00 b2 05 00 06" for a in sent), "6C xx must resend with Le"


def test_a_missing_ssc_record_is_a_card_data_error(people: dict[str, Citizen]) -> None:
    card = SocialSecurityCard(people["mainland-hui-ssc"], ef06_order=(0x08, 0x09, 0x0A))
    _, transmit = transmit_to(card)
    with pytest.raises(CardDataError, match="no record 0B"):
        run_profile(profile_named("ssse-social-security"), transmit)


def test_ssc_profile_passes_on_a_card_without_the_application(people: dict[str, Citizen]) -> None:
    _, transmit = transmit_to(SamReaderCard(people["child"]))
    assert run_profile(profile_named("ssse-social-security"), transmit) is None


def test_bare_id_card_is_reported_with_its_serial(people: dict[str, Citizen]) -> None:
    serial = people["child"].card_serial()
    card = BareIdCard(serial)
    profile = profile_named("resident-id-no-sam")
    assert profile.matches(card.atr) and not profile_named("ffb0-sam").matches(card.atr)
    _, transmit = transmit_to(card)
    with pytest.raises(UnreadableCardError) as caught:
        run_profile(profile, transmit)
    assert caught.value.serial == serial.hex().upper()
    assert serial.hex().upper() in caught.value.message_zh
    assert "no SAM" in caught.value.message_en


def test_a_foreign_type_b_card_with_the_same_atr_is_not_called_an_id_card() -> None:
    card = ForeignTypeBCard()
    profile = profile_named("resident-id-no-sam")
    assert profile.matches(card.atr), "the ATR alone cannot tell the two apart"
    sent, transmit = transmit_to(card)
    assert run_profile(profile, transmit) is None
    assert [a.hex(" ") for a in sent] == ["00 36 00 00 08"]


def test_an_id_card_answering_a_short_serial_is_not_taken_for_one() -> None:
    profile = profile_named("resident-id-no-sam")
    assert run_profile(profile, lambda apdu: b"\x01\x02\x03\x04\x90\x00") is None


def test_short_or_failing_answers_are_typed_errors(people: dict[str, Citizen]) -> None:
    profile = profile_named("ffb0-sam")
    with pytest.raises(CardRemovedError):
        run_profile(profile, lambda apdu: b"")
    with pytest.raises(ReadFailedError, match="6A82"):
        run_profile(profile, lambda apdu: b"\x6a\x82")
    with pytest.raises(ReadFailedError, match="4-byte answer"):
        run_profile(profile, lambda apdu: b"\x01\x02\x90\x00")


@pytest.mark.parametrize(
    "broken",
    [
        {"name": "x", "kind": "text_block", "atr": "^3B"},
        {"name": "x", "kind": "records", "atr": "^3B", "application": "00A4"},
        {"name": "x", "kind": "magic", "atr": "^3B"},
        {"name": "x", "kind": "unreadable", "atr": "(("},
        {"name": "x", "kind": "unreadable", "atr": "^3B", "serial_apdu": "zz"},
    ],
)
def test_broken_profiles_raise_profile_errors(broken: dict[str, object]) -> None:
    with pytest.raises(ProfileError):
        profile_from_dict(broken)


def test_extra_profile_files_join_the_builtin_ones(tmp_path: Path) -> None:
    extra = tmp_path / "vendor.json"
    extra.write_text(
        json.dumps({"name": "vendor", "kind": "unreadable", "atr": "^3B 00", "priority": 1})
    )
    assert load_profiles([extra])[0].name == "vendor"
    extra.write_text("[")
    with pytest.raises(ProfileError):
        load_profiles([extra])
