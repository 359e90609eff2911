from datetime import datetime
from typing import Any

import pytest

from caller_server.domain.errors import HallConfigError
from caller_server.domain.hall import SAMPLE_HALL, load_hall, parse_hall
from tests.serverkit import SHANGHAI


def test_sample_hall_matches_the_issue() -> None:
    hall = load_hall(SAMPLE_HALL)
    assert {c: hall.categories[c].names.zh_cn for c in "ABCD"} == {
        "A": "投资项目类",
        "B": "民生服务类",
        "C": "社会管理类",
        "D": "综合咨询",
    }
    assert hall.categories["C"].id_required and not hall.categories["D"].id_required
    assert [hall.counters[n].codes for n in range(1, 9)] == [
        ("A", "B"),
        ("A", "B"),
        ("B", "C"),
        ("B", "C"),
        ("B", "C"),
        ("C", "D"),
        ("D",),
        ("A", "B", "C", "D"),
    ]
    rules = hall.rules
    assert (rules.priority_age, rules.max_active_per_category, rules.max_tickets_per_day) == (
        70,
        1,
        5,
    )
    assert rules.reactivation_minutes == 30
    assert all(c.daily_cap == 500 for c in hall.categories.values())
    night = datetime(2026, 11, 29, 3, 0, tzinfo=SHANGHAI)  # Sunday, 03:00
    assert all(c.is_open(night) for c in hall.categories.values())


def test_counter_names_in_three_languages() -> None:
    """A counter may be named in zh-TW and English too; without, screens draw 「N號窗口」."""
    hall = load_hall(SAMPLE_HALL)
    eight = hall.counters[8]
    assert (eight.name, eight.name_tw, eight.name_en) == (
        "8号窗口（绿色通道）",
        "8號窗口（綠色通道）",
        "Counter 8 (priority lane)",
    )
    one = hall.counters[1]
    assert (one.name, one.name_tw, one.name_en) == ("1号窗口", "", "")


def _hall(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "hall": {"id": "h", "name": "大厅"},
        "categories": [{"code": "A", "name": "甲", "hours": ["08:30-12:00", "13:30-17:00"]}],
        "counters": [{"number": 1, "categories": ["A"]}],
    }
    data.update(over)
    return data


def test_opening_hours_and_days() -> None:
    hall = parse_hall(_hall())
    cat = hall.categories["A"]
    assert cat.is_open(datetime(2026, 11, 27, 8, 30, tzinfo=SHANGHAI))
    assert not cat.is_open(datetime(2026, 11, 27, 12, 0, tzinfo=SHANGHAI))
    assert cat.is_open(datetime(2026, 11, 27, 16, 59, tzinfo=SHANGHAI))
    weekdays = parse_hall(
        _hall(categories=[{"code": "A", "name": "甲", "days": [1, 2, 3, 4, 5]}])
    ).categories["A"]
    assert not weekdays.is_open(datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI))


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"hall": {"name": "x"}}, "hall.id"),
        ({"hall": {"id": "h", "name": "x", "timezone": "Mars/Base"}}, "hall.timezone"),
        ({"categories": [{"code": "AA", "name": "x"}]}, "categories[0].code"),
        ({"categories": [{"code": "A"}]}, "categories[0].name"),
        ({"categories": [{"code": "A", "name": "x", "hours": ["9-17"]}]}, "categories[0].hours[0]"),
        ({"categories": [{"code": "A", "name": "x", "daily_cap": 0}]}, "categories[0].daily_cap"),
        ({"categories": [{"code": "A", "name": "x", "daily_cap": "9"}]}, "categories[0].daily_cap"),
        ({"counters": [{"number": 1, "categories": ["Z"]}]}, "counters[0].categories[0]"),
        (
            {"counters": [{"number": 1, "categories": [{"code": "A", "weight": 0}]}]},
            "counters[0].categories[0].weight",
        ),
        ({"counters": [{"number": 1, "categories": []}]}, "counters[0].categories"),
        (
            {"counters": [{"number": 1, "categories": ["A"]}, {"number": 1, "categories": ["A"]}]},
            "counters[1].number",
        ),
        ({"rules": {"priority_age": -1}}, "rules.priority_age"),
        ({"rules": {"colour": 3}}, "rules.colour"),
        ({"hall": {"id": "h", "name": "x", "timezon": "UTC"}}, "hall.timezon"),
        ({"categories": [{"code": "A", "name": "x", "daly_cap": 9}]}, "categories[0].daly_cap"),
        (
            {"categories": [{"code": "A", "name": "x", "id_requried": False}]},
            "categories[0].id_requried",
        ),
        ({"counters": [{"number": 1, "categories": ["A"], "nmae": "x"}]}, "counters[0].nmae"),
        (
            {"counters": [{"number": 1, "categories": [{"code": "A", "wieght": 2}]}]},
            "counters[0].categories[0].wieght",
        ),
        ({"rule": {"priority_age": 60}}, "rule"),
    ],
)
def test_errors_name_the_bad_key(change: dict[str, Any], key: str) -> None:
    with pytest.raises(HallConfigError) as err:
        parse_hall(_hall(**change))
    assert err.value.key == key
    assert key in err.value.message_zh


def test_mixed_weights_are_refused() -> None:
    data = _hall(
        categories=[{"code": "A", "name": "甲"}, {"code": "B", "name": "乙"}],
        counters=[{"number": 1, "categories": [{"code": "A", "weight": 2}, "B"]}],
    )
    with pytest.raises(HallConfigError, match="weight"):
        parse_hall(data)


def test_broken_toml_file(tmp_path: Any) -> None:
    path = tmp_path / "hall.toml"
    path.write_text("[hall\nid=", encoding="utf-8")
    with pytest.raises(HallConfigError, match="not valid TOML"):
        load_hall(path)


def test_categories_no_counter_serves_are_known() -> None:
    hall = parse_hall(
        _hall(
            categories=[{"code": "A", "name": "甲"}, {"code": "B", "name": "乙"}],
            counters=[{"number": 1, "categories": ["A"]}],
        )
    )
    assert hall.unserved == {"B"}
