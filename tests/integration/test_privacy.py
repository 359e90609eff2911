"""Real-name queuing keeps no recoverable identity: not in the database, the WAL, nor the log.

Citizens take tickets (and book appointments) with raw ID numbers and full names
through a real ``yihao serve``; then the bytes of the SQLite database and its WAL, every
row of every PostgreSQL table as text, and the server's log are searched. No fragment of
an ID number beyond its province code may be there in any encoding (not even the masked
``410104********1234``, which is computed for the answer and never stored); only masked
names (``张*丰``) and person keys under each day's own key.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from caller_server.domain.daykeys import unseal
from caller_server.domain.identity import person_key
from caller_server.store.engine import make_engine
from tests.integration.test_api_http import (
    RunningHall,
    assert_no_raw,
    fresh_database,
    id_of_age,
    masked,
    running_hall,
    today,
    wrong_check,
)


@dataclass
class Citizen:
    id_number: str
    name: str
    shown_name: str | None
    """The masked name when a ticket stores it; None when nothing with a name is stored."""
    ticket: bool = True
    """Whether a ticket (masked number, masked name, person key) is stored."""
    appointment: bool = False
    """Whether an appointment (person key only) is stored."""

    @property
    def stored(self) -> bool:
        return self.ticket or self.appointment


def _id_ending_in_x(age: int) -> str:
    while not (number := id_of_age(age)).endswith("X"):
        pass
    return number


def drive_traffic(hall: RunningHall) -> list[Citizen]:
    """A morning at the hall through HTTP; every response is checked for raw identities."""
    citizens = [
        Citizen(id_of_age(34), "张三丰", "张*丰"),
        Citizen(id_of_age(74), "欧阳娜娜", "欧阳**"),
        Citizen(id_of_age(25), "王五", "王*"),
        Citizen(_id_ending_in_x(48), "李四光", "李*光"),
        Citizen(id_of_age(51), "Li Xiaolong", "L* X*******"),
        Citizen(id_of_age(45), "慕容复", "慕*复"),
    ]
    rejected = [
        Citizen(wrong_check(id_of_age(30)), "钱多多", None, ticket=False),
        Citizen(id_of_age(66), "孙不二", None, ticket=False),  # expired card
        Citizen(id_of_age(29), "岳不群", None, ticket=False),  # malformed request
    ]
    booked = [
        Citizen(id_of_age(39), "周芷若", None, ticket=False, appointment=True),
        Citizen(id_of_age(58), "令狐冲", None, ticket=False, appointment=True),
    ]
    everyone = citizens + rejected + booked
    raw = [c.id_number for c in everyone] + [c.name for c in everyone]

    def checked(response: Any, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        assert_no_raw(response.text, *raw)
        body: dict[str, Any] = response.json()
        return body

    def identity(c: Citizen, **extra: Any) -> dict[str, Any]:
        return {"id_number": c.id_number, "name": c.name, "source": "card", **extra}

    tickets = {}
    for i, c in enumerate(citizens):
        category = "A" if i % 2 == 0 else "B"
        body = checked(hall.issue(category, identity(c)), 201)
        assert body["identity"] == {"id_number": masked(c.id_number), "name": c.shown_name}
        tickets[c.name] = body
    token_of = {t["number"]: t["token"] for t in tickets.values()}
    checked(hall.issue("A", identity(citizens[0], source="manual")), 200)  # repeated tap
    checked(hall.issue("D", identity(citizens[2])), 201)  # an optional identity

    served = checked(hall.counter(1, "call-next"), 200)["ticket"]
    assert "token" not in served and "status_url" not in served  # the QR stays the citizen's
    checked(hall.counter(1, "start"), 200)
    checked(hall.counter(1, "finish"), 200)
    rating = hall.http.post(
        f"{hall.url}/api/v1/tickets/{token_of[served['number']]}/rating", json={"level": 1}
    )
    checked(rating, 200)
    missed = checked(hall.counter(1, "call-next"), 200)["ticket"]
    checked(hall.counter(1, "skip"), 200)
    assert missed["identity"]["id_number"] is None  # the clerk sees the masked name only
    who = next(c for c in citizens if c.shown_name == missed["identity"]["name"])
    assert checked(hall.issue(missed["category"], identity(who)), 200)["outcome"] == "reactivated"
    checked(hall.counter(2, "call-next"), 200)
    checked(hall.counter(2, "transfer", {"category": "C"}), 200)
    status = hall.http.get(f"{hall.url}/api/v1/tickets/{tickets['王五']['token']}")
    checked(status, 200)
    page = hall.http.get(f"{hall.url}/t/{tickets['王五']['token']}")
    assert page.status_code == 200
    assert_no_raw(page.text, *raw)
    checked(hall.http.get(f"{hall.url}/api/v1/queue"), 200)

    checked(hall.issue("A", identity(rejected[0])), 422)
    checked(hall.issue("A", identity(rejected[1], valid_to="2021-06-30")), 422)
    checked(hall.issue("A", identity(rejected[2], unexpected="field")), 422)

    manager = hall.auth("manager")
    booking = {
        "identity": identity(booked[0]),
        "category": "B",
        "day": (today() + timedelta(days=1)).isoformat(),
        "start": "10:00",
        "end": "10:30",
        "reference": "WEB-7",
    }
    response = hall.http.post(f"{hall.url}/api/v1/appointments", json=booking, headers=manager)
    checked(response, 201)
    day = (today() + timedelta(days=2)).isoformat()
    csv_text = "id_number,category,date,start,end,reference\n"
    csv_text += f"{booked[1].id_number},C,{day},14:00,14:30,WEB-8\n"
    response = hall.http.post(
        f"{hall.url}/api/v1/appointments/import",
        content=csv_text.encode(),
        headers={**manager, "Content-Type": "text/csv"},
    )
    checked(response, 201)
    stats = hall.http.get(f"{hall.url}/api/v1/stats.csv", headers=manager)
    assert stats.status_code == 200
    assert_no_raw(stats.text, *raw)
    return everyone


def forbidden_forms(citizens: list[Citizen]) -> list[str]:
    """Every raw value, as text: numbers (also the first 17 digits and the masked form, which
    keeps digits 3-6 and 15-18), and full names."""
    forms: list[str] = []
    for c in citizens:
        forms += [c.id_number, c.id_number.lower(), c.id_number[:17], c.name]
        forms += [masked(c.id_number), masked(c.id_number).replace("*", "")]
        forms.append(json.dumps(c.name)[1:-1])  # \\u5f20\\u4e09\\u4e30 inside JSON
    return list(dict.fromkeys(forms))


def fragments(number: str) -> list[str]:
    """Digits 3–18 of an ID number, and every six of them in a row (a birth date, a
    sequence number and check digit, the tail a masked form shows …)."""
    tail = number[2:18]
    return [tail, *(tail[i : i + 6] for i in range(len(tail) - 5))]


def encodings(form: str) -> list[bytes]:
    blobs = [form.encode(e) for e in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le")]
    digits = form.upper().replace("X", "A")
    if len(digits) % 2 == 0 and all(c in "0123456789A" for c in digits):
        blobs.append(bytes.fromhex(digits))  # packed BCD
    return blobs


def assert_keys_and_names(
    blob: bytes, citizens: list[Citizen], day_keys: dict[str, bytes], secret: bytes, where: str
) -> None:
    """Stored instead: masked names, and person keys under one of the days' own keys (never
    under the hall secret, which would link a person across every day)."""
    for c in citizens:
        if c.stored:
            keyed = [person_key(key, c.id_number).encode() for key in day_keys.values()]
            assert any(k in blob for k in keyed), f"no day-keyed person key in {where}"
        assert person_key(secret, c.id_number).encode() not in blob
        if c.ticket:
            assert c.shown_name is not None
            assert c.shown_name.encode() in blob, f"{c.shown_name!r} not found in {where}"


def read_day_keys(rows: list[tuple[str, bytes]], secret: bytes) -> dict[str, bytes]:
    keys = {day: unseal(secret, day, bytes(sealed)) for day, sealed in rows}
    assert today().isoformat() in keys  # today's tickets, plus the booked days
    return keys


def assert_bytes_clean(blob: bytes, citizens: list[Citizen], where: str) -> None:
    for form in forbidden_forms(citizens):
        for encoding in ("utf-8", "utf-16-le", "gb18030"):
            assert form.encode(encoding) not in blob, f"raw identity {form!r} in {where}"
    for c in citizens:
        for fragment in fragments(c.id_number):
            for encoded in encodings(fragment):
                assert encoded not in blob, f"ID digits {fragment!r} ({encoded!r}) in {where}"


def test_sqlite_database_wal_and_log_hold_no_id_digits(tmp_path: Path) -> None:
    with (
        fresh_database("sqlite", tmp_path, "privacy") as db_url,
        running_hall(tmp_path, db_url, verbose=True) as hall,
    ):
        citizens = drive_traffic(hall)
        secret = (hall.home / "hall.secret").read_bytes()
        database = Path(db_url.removeprefix("sqlite:///"))
        wal = database.with_name(database.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0, "the server runs in WAL mode"
        files = sorted(database.parent.glob(database.name + "*"))
        blob = b"".join(f.read_bytes() for f in files)
        assert_bytes_clean(blob, citizens, "the SQLite database + WAL of a running server")
        log_path = hall.log_path

    # Server stopped: fold the WAL into the main file and read that file alone.
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rows = conn.execute("SELECT service_day, sealed FROM day_keys").fetchall()
        columns = {row[1] for row in conn.execute("PRAGMA table_info(tickets)")}
    conn.close()
    assert "masked_id" not in columns
    main = database.read_bytes()
    assert_bytes_clean(main, citizens, "the SQLite database file")
    assert_keys_and_names(main, citizens, read_day_keys(rows, secret), secret, "the database")

    # With debug logging (``yihao -v serve``) each issued ticket is logged, by number only.
    log = log_path.read_bytes()
    assert_bytes_clean(log, citizens, "the server's debug log")
    assert b"issued A001" in log


@pytest.mark.postgres
def test_postgres_rows_and_log_hold_no_id_digits(tmp_path: Path, pg_url: str) -> None:
    with (
        fresh_database("postgres", tmp_path, "privacy", pg_url) as db_url,
        running_hall(tmp_path, db_url) as hall,
    ):
        citizens = drive_traffic(hall)
        secret = (hall.home / "hall.secret").read_bytes()
        engine = make_engine(db_url)
        try:
            names = inspect(engine).get_table_names()
            assert {"tickets", "events", "appointments", "tokens", "users"} <= set(names)
            dump: list[str] = []
            with engine.connect() as conn:
                for name in names:
                    query = text(f'SELECT CAST(r AS text) FROM "{name}" AS r')
                    dump += [f"{name}: {row[0]}" for row in conn.execute(query)]
                rows = conn.execute(text("SELECT service_day, sealed FROM day_keys")).all()
        finally:
            engine.dispose()
        everything = "\n".join(dump).encode()
        assert_bytes_clean(everything, citizens, "the PostgreSQL rows")
        day_keys = read_day_keys([(r[0], r[1]) for r in rows], secret)
        assert_keys_and_names(everything, citizens, day_keys, secret, "PostgreSQL")
        log_path = hall.log_path
    log = log_path.read_bytes()
    assert b"Application startup complete" in log
    assert_bytes_clean(log, citizens, "the server log")
