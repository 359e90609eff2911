from datetime import date

import pytest

from caller_server.domain.errors import InvalidIdentity
from caller_server.domain.identity import (
    CardType,
    Sex,
    age_band,
    check_character,
    mask_id_number,
    mask_name,
    parse_id_number,
    person_key,
)


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_published_examples_pass(number: str) -> None:
    assert parse_id_number(number).value == number


def test_lowercase_x_and_spaces_are_normalised() -> None:
    assert parse_id_number(" 11010519491231002x ").value == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "check digit"),
        ("1101051949123100", "18 characters"),
        ("11010519491331002" + check_character("11010519491331002"), "birth date"),
        ("1101051949123100XX", "digits"),
        ("11010530491231002X", "check digit"),
    ],
)
def test_invalid_numbers_say_why(number: str, reason: str) -> None:
    with pytest.raises(InvalidIdentity) as err:
        parse_id_number(number)
    assert reason in err.value.message_en
    assert err.value.message_zh == "身份证号码有误，请核对"


def test_future_birth_date_is_rejected() -> None:
    body = "41010420990101001"
    with pytest.raises(InvalidIdentity, match="future"):
        parse_id_number(body + check_character(body), today=date(2026, 1, 1))


def test_birth_sex_age_and_province() -> None:
    idn = parse_id_number("11010519491231002X")
    assert idn.birth == date(1949, 12, 31)
    assert idn.sex is Sex.FEMALE  # 17th digit 2 is even
    assert idn.age_on(date(2026, 12, 30)) == 76
    assert idn.age_on(date(2026, 12, 31)) == 77
    assert idn.province_code == "11"
    assert parse_id_number("440524188001010014").sex is Sex.MALE


def test_repr_never_shows_the_number() -> None:
    idn = parse_id_number("11010519491231002X")
    assert "11010519491231002X" not in repr(idn)
    assert "11010519491231002X" not in str(idn)
    assert repr(idn) == "IdNumber('110105********002X', mainland)"


def test_foreign_2017_permit() -> None:
    idn = parse_id_number("USA110020160101", CardType.FOREIGN_2017)
    assert idn.birth is None and idn.province_code is None
    with pytest.raises(InvalidIdentity):
        parse_id_number("11010519491231002X", CardType.FOREIGN_2017)


def test_masks() -> None:
    assert mask_id_number("410104198001011234") == "410104********1234"
    assert mask_name("张三明") == "张*明"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧阳**"
    assert mask_name("JOHN SMITH") == "J*** S****"
    assert mask_name("") == ""


def test_person_key_is_keyed_and_normalised() -> None:
    a = person_key(b"k" * 32, "11010519491231002X")
    assert a == person_key(b"k" * 32, "11010519491231002x")
    assert a != person_key(b"j" * 32, "11010519491231002X")
    assert len(a) == 64 and "11010519491231002X" not in a


@pytest.mark.parametrize(
    ("age", "band"), [(None, "unknown"), (5, "0-17"), (18, "18-39"), (65, "60-69"), (70, "70+")]
)
def test_age_bands(age: int | None, band: str) -> None:
    assert age_band(age) == band
