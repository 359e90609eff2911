"""The hall's configuration: categories, counters and rules, loaded from TOML.

Validation errors name the bad key (``categories[2].code``) so an installer can
fix the file without reading code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from caller_server.domain.errors import HallConfigError

_T = TypeVar("_T")
_HOURS = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


@dataclass(frozen=True)
class Names:
    """A display name in the three hall languages (zh-CN is the default)."""

    zh_cn: str
    zh_tw: str
    en: str

    def get(self, lang: str) -> str:
        return {"zh-TW": self.zh_tw, "en": self.en}.get(lang, self.zh_cn)


@dataclass(frozen=True)
class Matter:
    """A matter (事项) of a category; ``once`` flags it as 一次办妥 (done in one visit)."""

    names: Names
    once: bool = False


@dataclass(frozen=True)
class Category:
    """A service category (业务类别)."""

    code: str
    """One capital letter, the ticket prefix (A, B …)."""
    names: Names
    hours: tuple[tuple[time, time], ...]
    """Opening periods in local time; ``24:00`` closes at midnight."""
    days: frozenset[int]
    """ISO weekdays on which tickets are issued (1 = Monday)."""
    daily_cap: int
    """Most tickets issued per service day."""
    id_required: bool
    """Whether a ticket needs an identity (real-name queuing)."""
    service_minutes: float
    """Seed for the mean service time before real samples exist."""
    matters: tuple[Matter, ...] = ()
    """The matters a clerk may record at 办结 (optional)."""

    def is_open(self, local: datetime) -> bool:
        if local.isoweekday() not in self.days:
            return False
        now = local.time()
        return any(
            start <= now < end or (end == time(0) and now >= start) for start, end in self.hours
        )


@dataclass(frozen=True)
class CounterCategory:
    code: str
    weight: int | None
    """None: strict order (serve the first category with someone waiting)."""


@dataclass(frozen=True)
class Counter:
    """A counter (窗口) and the categories it serves, in order."""

    number: int
    name: str
    categories: tuple[CounterCategory, ...]
    name_tw: str = ""
    """Its name in Traditional Chinese (``name_tw``); empty: screens draw 「3號窗口」."""
    name_en: str = ""
    """Its name in English (``name_en``); empty: screens draw "Counter 3"."""

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)


@dataclass(frozen=True)
class Rules:
    priority_age: int = 70
    """Citizens this old or older are called first (绿色通道)."""
    max_active_per_category: int = 1
    """Active tickets one person may hold in one category."""
    max_tickets_per_day: int = 5
    """Tickets one person may take per service day."""
    reactivation_minutes: int = 30
    """How long after a no-show a tap on the card rejoins the queue."""
    appointment_early_minutes: int = 30
    """How early before its slot an appointment may check in."""
    appointment_late_minutes: int = 15
    """How late after its slot starts an appointment may still check in."""
    alert_wait_minutes: int = 30
    """A waiting ticket older than this raises a long-wait alert."""
    alert_idle_minutes: int = 10
    """An open counter that calls nobody this long while people wait raises an alert."""
    alert_pause_minutes: int = 60
    """A counter paused this long raises an alert on the manager's dashboard."""
    service_samples: int = 20
    """Recent service times used for the wait estimate."""
    login_hours: int = 12
    """A login (web console or ``/auth/login``) token ends this many hours after it began."""
    retention_days: int = 7
    """Days a service day's personal fields (person keys, masked names, its day key) are
    kept; older ones are erased by ``yihao purge`` and the server's daily job."""


@dataclass(frozen=True)
class Hall:
    id: str
    names: Names
    timezone: ZoneInfo
    categories: Mapping[str, Category]
    counters: Mapping[int, Counter]
    rules: Rules = field(default_factory=Rules)

    @property
    def unserved(self) -> frozenset[str]:
        """Categories no counter serves: their tickets would never be called, so none is issued."""
        served = {entry.code for counter in self.counters.values() for entry in counter.categories}
        return frozenset(self.categories) - served


def _get(table: Mapping[str, Any], key: str, kind: type[_T], path: str, default: Any = ...) -> _T:
    if key not in table:
        if default is ...:
            raise HallConfigError(f"{path}{key}", "is missing")
        return default
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise HallConfigError(f"{path}{key}", f"must be {kind.__name__}, not {value!r}")
    return value


def _only(table: Mapping[str, Any], path: str, known: Iterable[str]) -> None:
    """Refuse keys the hall does not know: a misspelt key must not fall back to a default."""
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise HallConfigError(
            f"{path}{unknown[0]}", f"is not a known key; known: {', '.join(known)}"
        )


_NAME_KEYS = ("name", "name_tw", "name_en")
_CATEGORY_KEYS = (
    "code",
    *_NAME_KEYS,
    "hours",
    "days",
    "daily_cap",
    "id_required",
    "service_minutes",
    "matters",
)
_COUNTER_KEYS = ("number", *_NAME_KEYS, "categories")
_HALL_KEYS = ("id", *_NAME_KEYS, "timezone")


def _names(table: Mapping[str, Any], path: str) -> Names:
    zh = _get(table, "name", str, path)
    return Names(zh, _get(table, "name_tw", str, path, zh), _get(table, "name_en", str, path, zh))


def _hours(spec: list[Any], path: str) -> tuple[tuple[time, time], ...]:
    periods = []
    for i, item in enumerate(spec):
        m = _HOURS.match(item) if isinstance(item, str) else None
        key = f"{path}hours[{i}]"
        if not m:
            raise HallConfigError(key, f"must look like '08:30-12:00', not {item!r}")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise HallConfigError(key, f"{item!r} is not a time of day")
        start, end = time(h1, m1), time(0) if h2 == 24 else time(h2, m2)
        if end != time(0) and end <= start:
            raise HallConfigError(key, f"{item!r} ends before it starts")
        periods.append((start, end))
    return tuple(periods)


def _category(table: Mapping[str, Any], path: str) -> Category:
    _only(table, path, _CATEGORY_KEYS)
    code = _get(table, "code", str, path)
    if not re.fullmatch(r"[A-Z]", code):
        raise HallConfigError(f"{path}code", f"must be one capital letter, not {code!r}")
    days = _get(table, "days", list, path, [1, 2, 3, 4, 5, 6, 7])
    if not days or any(not isinstance(d, int) or not 1 <= d <= 7 for d in days):
        raise HallConfigError(f"{path}days", "must list ISO weekdays 1..7")
    cap = _get(table, "daily_cap", int, path, 500)
    if not 1 <= cap <= 9999:
        raise HallConfigError(f"{path}daily_cap", "must be between 1 and 9999")
    minutes = _get(table, "service_minutes", float, path, 10.0)
    if minutes <= 0:
        raise HallConfigError(f"{path}service_minutes", "must be positive")
    matters = []
    for i, item in enumerate(_get(table, "matters", list, path, [])):
        key = f"{path}matters[{i}]."
        if not isinstance(item, dict):
            raise HallConfigError(key[:-1], "must be a table {name, once}")
        _only(item, key, (*_NAME_KEYS, "once"))
        matters.append(Matter(_names(item, key), _get(item, "once", bool, key, False)))
    if len({m.names.zh_cn for m in matters}) != len(matters):
        raise HallConfigError(f"{path}matters", "a matter is listed twice")
    return Category(
        code=code,
        names=_names(table, path),
        hours=_hours(_get(table, "hours", list, path, ["00:00-24:00"]), path),
        days=frozenset(days),
        daily_cap=cap,
        id_required=_get(table, "id_required", bool, path, True),
        service_minutes=minutes,
        matters=tuple(matters),
    )


def _counter(table: Mapping[str, Any], path: str, known: Mapping[str, Category]) -> Counter:
    _only(table, path, _COUNTER_KEYS)
    number = _get(table, "number", int, path)
    if not 1 <= number <= 999:
        raise HallConfigError(f"{path}number", "must be between 1 and 999")
    entries = []
    for i, item in enumerate(_get(table, "categories", list, path)):
        key = f"{path}categories[{i}]"
        if isinstance(item, str):
            code, weight = item, None
        elif isinstance(item, dict):
            _only(item, f"{key}.", ("code", "weight"))
            code = _get(item, "code", str, f"{key}.")
            weight = _get(item, "weight", int, f"{key}.")
            if weight < 1:
                raise HallConfigError(f"{key}.weight", "must be at least 1")
        else:
            raise HallConfigError(key, "must be a category code or {code, weight}")
        if code not in known:
            raise HallConfigError(key, f"unknown category {code!r}")
        entries.append(CounterCategory(code, weight))
    if not entries:
        raise HallConfigError(f"{path}categories", "a counter must serve at least one category")
    if len({e.weight is None for e in entries}) > 1:
        raise HallConfigError(f"{path}categories", "give a weight to every category or to none")
    if len({e.code for e in entries}) != len(entries):
        raise HallConfigError(f"{path}categories", "a category is listed twice")
    return Counter(
        number,
        _get(table, "name", str, path, f"{number}号窗口"),
        tuple(entries),
        _get(table, "name_tw", str, path, ""),
        _get(table, "name_en", str, path, ""),
    )


def _rules(table: Mapping[str, Any]) -> Rules:
    values = {}
    for name in Rules.__dataclass_fields__:
        if name in table:
            value = _get(table, name, int, "rules.")
            if value < 0:
                raise HallConfigError(f"rules.{name}", "must not be negative")
            values[name] = value
    unknown = set(table) - set(Rules.__dataclass_fields__)
    if unknown:
        raise HallConfigError(f"rules.{sorted(unknown)[0]}", "is not a known rule")
    return Rules(**values)


def parse_hall(data: Mapping[str, Any]) -> Hall:
    _only(data, "", ("hall", "categories", "counters", "rules"))
    hall = _get(data, "hall", dict, "")
    _only(hall, "hall.", _HALL_KEYS)
    tz_name = _get(hall, "timezone", str, "hall.", "Asia/Shanghai")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HallConfigError("hall.timezone", f"unknown time zone {tz_name!r}") from exc
    categories: dict[str, Category] = {}
    for i, table in enumerate(_get(data, "categories", list, "")):
        cat = _category(table, f"categories[{i}].")
        if cat.code in categories:
            raise HallConfigError(f"categories[{i}].code", f"{cat.code!r} is used twice")
        categories[cat.code] = cat
    if not categories:
        raise HallConfigError("categories", "the hall needs at least one category")
    counters: dict[int, Counter] = {}
    for i, table in enumerate(_get(data, "counters", list, "")):
        ctr = _counter(table, f"counters[{i}].", categories)
        if ctr.number in counters:
            raise HallConfigError(f"counters[{i}].number", f"counter {ctr.number} is used twice")
        counters[ctr.number] = ctr
    return Hall(
        id=_get(hall, "id", str, "hall."),
        names=_names(hall, "hall."),
        timezone=tz,
        categories=categories,
        counters=counters,
        rules=_rules(_get(data, "rules", dict, "", {})),
    )


def load_hall(path: Path) -> Hall:
    """Read and validate a hall TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise HallConfigError(str(path), f"is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise HallConfigError(str(path), f"cannot be read: {exc.strerror}") from exc
    return parse_hall(data)


SAMPLE_HALL = Path(__file__).resolve().parent.parent / "sample_hall.toml"
