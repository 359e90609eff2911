"""The ID number and masking rules, tested once.

They have one implementation, ``drivers.idcard.idrules``; the server's
``caller_server.domain.identity`` re-exports it and the card driver masks with it.
"""

import ast
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from caller_server.domain import identity
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


def test_full_width_input_is_normalised_before_any_rule() -> None:
    """A Chinese input method on the kiosk's manual entry types full-width characters."""
    typed = "１１０１０５１９４９１２３１００２ｘ\u3000"
    assert parse_id_number(typed).value == "11010519491231002X"
    with pytest.raises(InvalidIdentity, match="check digit"):
        parse_id_number("１１０１０５１９４９１２３１００２１")
    assert person_key(b"k" * 32, "１１０１０５１９４９１２３１００２Ｘ") == person_key(
        b"k" * 32, "11010519491231002X"
    )


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


@pytest.mark.parametrize(
    ("document", "number", "masked"),
    [
        ("mainland", "410104198001011234", "410104********1234"),
        ("J card (Hong Kong)", "810000199408230005", "810000********0005"),
        ("Y card", "932682198501010017", "932682********0017"),
        ("I card", "USA110085071201", "USA110*****1201"),
        ("E-passport", "E12345678", "*****5678"),
        ("HK/Macau pass", "H1234567", "****4567"),
        ("social security card number", "K12345678", "*****5678"),
        ("too short to show anything", "A123456", "*******"),
        ("empty", "", ""),
    ],
)
def test_number_masking_per_document_type(document: str, number: str, masked: str) -> None:
    assert mask_id_number(number) == masked, document
    assert len(masked) == len(number)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三明", "张*明"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧阳**"),
        ("李", "*"),
        ("邓𠮷龑", "邓*龑"),
        ("JOHN SMITH", "J*** S****"),
        ("Li Xiaolong", "L* X*******"),
        ("  Li  Xiaolong ", "L* X*******"),
        ("", ""),
    ],
)
def test_name_masking(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_the_server_and_the_driver_share_one_implementation() -> None:
    from drivers.idcard import idrules, masking

    for name in ("check_character", "mask_id_number", "mask_name"):
        assert getattr(identity, name) is getattr(idrules, name), name
    assert masking.mask_name is idrules.mask_name
    assert masking.mask_id_number is idrules.mask_id_number


def test_the_shared_rules_module_imports_only_the_standard_library() -> None:
    from drivers.idcard import idrules

    tree = ast.parse(Path(idrules.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def test_importing_the_domain_rules_loads_no_hardware_or_server_library() -> None:
    probe = (
        "import sys, caller_server.domain.identity; "
        "print(sorted(m for m in ('serial', 'smartcard', 'sqlalchemy', 'fastapi', 'PySide6') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


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
