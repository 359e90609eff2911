"""Card text parser, IdentityCard, masked values and the nation table.

The ID number and masking rules themselves are tested once, in tests/unit/test_identity.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from drivers.idcard.card import CardType, Sex, Source, card_from_fields
from drivers.idcard.cardtext import build_text_block, parse_text_block, text_fields
from drivers.idcard.errors import CardDataError, UnsupportedCardError
from drivers.idcard.masking import sensitive_name, sensitive_text
from drivers.idcard.nations import NATIONS, nation_name


def ucs2(text: str, size: int) -> bytes:
    """Space-padded UCS-2 LE, written here from HARDWARE.md, not from the driver's tables."""
    raw = text.encode("utf-16-le")
    assert len(raw) <= size
    return raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)


def mainland_block(
    *,
    name: str = "张建国",
    sex: str = "1",
    nation: str = "01",
    valid_to: str = "长期",
    letter: str = " ",
) -> bytes:
    block = (
        ucs2(name, 30)
        + ucs2(sex, 2)
        + ucs2(nation, 4)
        + ucs2("19580315", 16)
        + ucs2("河南省郑州市金水区文化路97号", 70)
        + ucs2("410105195803150034", 36)
        + ucs2("郑州市公安局金水分局", 30)
        + ucs2("20130610", 16)
        + ucs2(valid_to, 16)
        + ucs2("", 28)
        + ucs2(letter, 2)
        + ucs2("", 6)
    )
    assert len(block) == 256
    return block


def test_hand_built_mainland_block_parses() -> None:
    card = parse_text_block(mainland_block(), photo=b"\x01" * 1024)
    assert card.card_type is CardType.MAINLAND and card.source is Source.CARD
    assert card.name.reveal() == "张建国"
    assert card.id_number.reveal() == "410105195803150034"
    assert card.sex is Sex.MALE and card.nation == "汉族" and card.nation_code == "01"
    assert card.birth == date(1958, 3, 15)
    assert card.address.reveal() == "河南省郑州市金水区文化路97号"
    assert card.authority == "郑州市公安局金水分局"
    assert card.valid_from == date(2013, 6, 10)
    assert card.valid_to is None
    assert card.photo == b"\x01" * 1024


def test_dated_validity_and_blank_nation() -> None:
    card = parse_text_block(mainland_block(valid_to="20330610", nation=""))
    assert card.valid_to == date(2033, 6, 10)
    assert card.nation is None and card.nation_code is None


def test_nul_padding_is_stripped_like_spaces() -> None:
    block = bytearray(mainland_block(name="李娜"))
    block[4:30] = bytes(26)
    assert parse_text_block(bytes(block)).name.reveal() == "李娜"


def test_unknown_nation_code_leaves_the_name_empty() -> None:
    card = parse_text_block(mainland_block(nation="77"))
    assert card.nation is None and card.nation_code == "77"


def test_j_card_fields() -> None:
    block = bytearray(mainland_block(nation="", letter="J"))
    block[122:158] = ucs2("810000199005050018", 36)
    block[220:238] = ucs2("H12345678", 18)
    block[238:242] = ucs2("01", 4)
    card = parse_text_block(bytes(block))
    assert card.card_type is CardType.HMT_RESIDENCE
    assert card.nation is None
    assert card.document_number is not None and card.document_number.reveal() == "H12345678"
    assert card.issue_count == "01"


def test_i_card_fields() -> None:
    block = (
        ucs2("SMITH, JOHN WILLIAM", 120)
        + ucs2("1", 2)
        + ucs2("USA110085071201", 30)
        + ucs2("USA", 6)
        + ucs2("史密斯", 30)
        + ucs2("20190320", 16)
        + ucs2("20290320", 16)
        + ucs2("19850712", 16)
        + ucs2("01", 4)
        + ucs2("1500", 8)
        + ucs2("I", 2)
        + ucs2("", 6)
    )
    card = parse_text_block(block)
    assert card.card_type is CardType.FOREIGN_2017
    assert card.name.reveal() == "史密斯"
    assert card.english_name is not None and card.english_name.reveal() == "SMITH, JOHN WILLIAM"
    assert card.id_number.reveal() == "USA110085071201"
    assert (card.nationality, card.authority, card.card_version) == ("USA", "1500", "01")
    assert card.birth == date(1985, 7, 12) and card.sex is Sex.MALE


def test_i_card_without_chinese_name_uses_the_english_one() -> None:
    fields = text_fields(build_text_block(CardType.FOREIGN_2017, _i_fields(name="")))[1]
    card = card_from_fields(fields, CardType.FOREIGN_2017, Source.CARD)
    assert card.name.reveal() == "SMITH, JOHN WILLIAM"


def _i_fields(**override: str) -> dict[str, str]:
    fields = {
        "english_name": "SMITH, JOHN WILLIAM",
        "sex": "1",
        "id_number": "USA110085071201",
        "nationality": "USA",
        "name": "史密斯",
        "valid_from": "20190320",
        "valid_to": "20290320",
        "birth": "19850712",
    }
    return fields | override


def test_y_card_joins_the_two_parts_of_the_english_name() -> None:
    english = "ALEXANDRA MARIA GONZALEZ FERNANDEZ DE LA TORRE"
    block = (
        ucs2("玛丽亚", 30)
        + ucs2("2", 2)
        + ucs2("00", 4)
        + ucs2("19900214", 16)
        + ucs2(english[:35], 70)
        + ucs2("91172419900214002X", 36)
        + ucs2("", 30)
        + ucs2("20240108", 16)
        + ucs2("20340108", 16)
        + ucs2(english[35:], 22)
        + ucs2("ESP", 6)
        + ucs2("Y", 2)
        + ucs2("", 6)
    )
    card = parse_text_block(block)
    assert card.card_type is CardType.FOREIGN_2023
    assert card.english_name is not None and card.english_name.reveal() == english
    assert card.nationality == "ESP" and card.issue_count == "00"
    assert card.sex is Sex.FEMALE and card.nation is None
    assert build_text_block(CardType.FOREIGN_2023, text_fields(block)[1]) == block


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b[:200], "256"),
        (lambda b: b[:36] + ucs2("19581315", 16) + b[52:], "birth"),
        (lambda b: b[:36] + ucs2("1958031X", 16) + b[52:], "birth"),
        (lambda b: b[:122] + ucs2("410105195803150035", 36) + b[158:], "check"),
        (lambda b: b[:30] + ucs2("5", 2) + b[32:], "sex"),
        (lambda b: b[:204] + ucs2("", 16) + b[220:], "valid_to"),
        (lambda b: b[:122] + ucs2("", 36) + b[158:], "ID number"),
        (lambda b: b"\x00\xd8" + b[2:], "UCS-2"),
    ],
)
def test_bad_blocks_raise_card_data_errors(mutate: Callable[[bytes], bytes], message: str) -> None:
    with pytest.raises(CardDataError) as caught:
        parse_text_block(mutate(mainland_block()))
    assert message in caught.value.message_en


def test_unknown_card_type_letter() -> None:
    with pytest.raises(UnsupportedCardError):
        parse_text_block(mainland_block(letter="Q"))


def test_build_refuses_values_that_do_not_fit_or_do_not_exist() -> None:
    with pytest.raises(CardDataError):
        build_text_block(CardType.MAINLAND, {"name": "名" * 16})
    with pytest.raises(CardDataError):
        build_text_block(CardType.MAINLAND, {"english_name": "X"})


def test_rare_character_outside_the_bmp_round_trips() -> None:
    card = parse_text_block(mainland_block(name="邓𠮷龑"))
    assert card.name.reveal() == "邓𠮷龑"
    assert str(card.name) == "邓*龑"


def test_repr_str_and_format_never_show_raw_personal_data() -> None:
    card = parse_text_block(mainland_block(name="欧阳娜娜"), photo=b"PHOTO" * 200)
    shown = " ".join([repr(card), str(card), f"{card.name} {card.id_number}", repr(card.address)])
    for secret in ("欧阳娜娜", "410105195803150034", "19580315", "金水区文化路", "PHOTO"):
        assert secret not in shown
    assert "欧阳**" in shown and "410105********0034" in shown


def test_to_dict_masks_unless_asked() -> None:
    card = parse_text_block(mainland_block())
    keys = [
        "name", "sex", "nation", "birth", "address", "appended_address", "id_number",
        "authority", "valid_from", "valid_to", "card_type", "source",
    ]  # fmt: skip
    masked, plain = card.to_dict(), card.to_dict(unmask=True)
    assert list(masked) == keys == list(plain)
    assert (masked["name"], masked["id_number"], masked["birth"]) == (
        "张*国",
        "410105********0034",
        "1958-**-**",
    )
    assert (plain["name"], plain["id_number"], plain["birth"]) == (
        "张建国",
        "410105195803150034",
        "1958-03-15",
    )
    assert plain["valid_to"] is None and plain["card_type"] == "mainland"
    assert masked["appended_address"] is None


def test_an_appended_address_is_the_current_address_and_is_masked() -> None:
    card = replace(
        parse_text_block(mainland_block()),
        appended_address=sensitive_text("上海市浦东新区世纪大道100号"),
    )
    assert card.current_address.reveal() == "上海市浦东新区世纪大道100号"
    assert card.to_dict()["appended_address"] == "上海市浦东新****"
    assert "世纪大道" not in repr(card)
    assert parse_text_block(mainland_block()).current_address == card.address


def test_age_and_expiry() -> None:
    card = parse_text_block(mainland_block(valid_to="20330610"))
    assert card.age_on(date(2024, 3, 14)) == 65
    assert card.age_on(date(2024, 3, 15)) == 66
    assert not card.is_expired(date(2033, 6, 10))
    assert card.is_expired(date(2033, 6, 11))
    assert not parse_text_block(mainland_block()).is_expired(date(2999, 1, 1))


def test_sensitive_values_use_the_shared_masking_rules() -> None:
    assert str(sensitive_name("张小明")) == "张*明"
    assert f"{sensitive_name('Li Xiaolong')}" == "L* X*******"


def test_nation_table() -> None:
    assert len(NATIONS) == 58
    assert (nation_name("01"), nation_name("56"), nation_name("98")) == (
        "汉族",
        "基诺族",
        "外国血统中国籍人士",
    )
    assert nation_name("3") == "回族"
    assert nation_name("  ") is None and nation_name("57") is None
