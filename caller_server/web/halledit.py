"""Admin edits of the hall TOML: counters ↔ categories and weights, opening hours and caps.

An edit changes the TOML data, is validated by :func:`parse_hall` (the same rules as the
file at start-up) and only then written back and applied to the running server.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from pathlib import Path
from typing import Any

from caller_server.domain.errors import HallConfigError
from caller_server.domain.hall import Hall, parse_hall

_ENTRY = re.compile(r"^\s*([A-Z])\s*(?::\s*(\d+))?\s*$")


def read(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def counter_spec(entries: list[Any]) -> str:
    """``A, B`` (strict order) or ``A:2, B:1`` (weights), as an admin types it."""
    return ", ".join(
        f"{e['code']}:{e['weight']}" if isinstance(e, dict) else str(e) for e in entries
    )


def set_counter(data: dict[str, Any], number: int, spec: str) -> tuple[dict[str, Any], Hall]:
    entries: list[Any] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        m = _ENTRY.match(part)
        if not m:
            raise HallConfigError(f"counters[{number}].categories", f"cannot read {part!r}")
        code, weight = m.groups()
        entries.append({"code": code, "weight": int(weight)} if weight else code)
    new = copy.deepcopy(data)
    target = next((c for c in new.get("counters", []) if c.get("number") == number), None)
    if target is None:
        raise HallConfigError(f"counters[{number}]", "no such counter")
    target["categories"] = entries
    return new, parse_hall(new)


def set_category(
    data: dict[str, Any], code: str, hours: str, daily_cap: int
) -> tuple[dict[str, Any], Hall]:
    new = copy.deepcopy(data)
    target = next((c for c in new.get("categories", []) if c.get("code") == code), None)
    if target is None:
        raise HallConfigError(f"categories[{code}]", "no such category")
    target["hours"] = [h.strip() for h in hours.split(",") if h.strip()]
    target["daily_cap"] = daily_cap
    return new, parse_hall(new)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def dump(data: dict[str, Any]) -> str:
    """TOML for the hall file's shape: plain tables and arrays of tables."""
    lines = ["# Written by yihao's admin page; edit by hand or there.", ""]
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"[{key}]")
            lines += [f"{k} = {_value(v)}" for k, v in value.items()]
            lines.append("")
        elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            for item in value:
                lines.append(f"[[{key}]]")
                lines += [f"{k} = {_value(v)}" for k, v in item.items()]
                lines.append("")
        else:
            lines.insert(2, f"{key} = {_value(value)}")
    return "\n".join(lines)
