"""An admin's hall edit is applied by every ``yihao serve`` process on the database.

Two real server processes, each with its own home and hall file, share one database
(SQLite and PostgreSQL). The admin edits the hall through process A's ``/admin`` page;
process B enforces the new cap and the counter's new categories within a second or two,
and keeps the edit in its own hall file.
"""

from __future__ import annotations

import random
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from caller_server.domain.hall import SAMPLE_HALL, load_hall
from caller_server.services import auth
from tests.serverkit import (
    ServerProcess,
    dispose_engines,
    free_port,
    identity,
    initialised,
)

PASSWORD = "pass-word-1"


class Pair:
    def __init__(self, a: ServerProcess, b: ServerProcess, kiosk: str, clerk7: str) -> None:
        self.a, self.b = a, b
        self.kiosk = {"Authorization": f"Bearer {kiosk}"}
        self.clerk7 = {"Authorization": f"Bearer {clerk7}"}

    def issue_on_b(self, category: str) -> httpx.Response:
        who = identity(random.Random(5)).model_dump(mode="json") if category != "D" else None
        body = {"category": category, "identity": who}
        return httpx.post(f"{self.b.url}/api/v1/tickets", json=body, headers=self.kiosk)


@pytest.fixture
def pair(db_url: str, tmp_path: Path) -> Iterator[Pair]:
    home_a, home_b = tmp_path / "home-a", tmp_path / "home-b"
    home_a.mkdir()
    (home_a / "hall.toml").write_text(SAMPLE_HALL.read_text(encoding="utf-8"), encoding="utf-8")
    ctx = initialised(home_a, db_url)
    auth.add_user(ctx, "root", PASSWORD, "admin", None)
    kiosk = auth.create_token(ctx, "kiosk", None, "kiosk")
    clerk7 = auth.create_token(ctx, "clerk", 7, "clerk 7")
    dispose_engines()
    shutil.copytree(home_a, home_b)  # the same hall secret, its own hall file
    a = ServerProcess(home_a, db_url, free_port(), tmp_path / "a.log", grace=3)
    b = ServerProcess(home_b, db_url, free_port(), tmp_path / "b.log", grace=3)
    a.start()
    b.start()
    try:
        yield Pair(a, b, kiosk, clerk7)
    finally:
        a.stop()
        b.stop()


def _admin_session(server: ServerProcess) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=server.url, timeout=10)
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form)
    assert csrf is not None
    data = {"username": "root", "password": PASSWORD, "csrf": csrf.group(1)}
    assert client.post("/login", data=data).status_code == 303
    page = client.get("/admin").text
    token = re.search(r'name="csrf" content="([0-9a-f]+)"', page)
    assert token is not None
    return client, token.group(1)


def _within(seconds: float, check: Callable[[], bool], what: str) -> float:
    """How long until ``check`` holds; fails past a generous bar (a stall, not a timing)."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"process B never applied: {what}"
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    print(f"process B applied {what} after {elapsed * 1000:.0f} ms")
    return elapsed


def test_a_hall_edit_through_one_process_is_enforced_by_the_other(pair: Pair) -> None:
    admin, csrf = _admin_session(pair.a)
    for _ in range(2):
        assert pair.issue_on_b("D").status_code == 201
    reply = admin.post(
        "/admin/categories/D", data={"csrf": csrf, "hours": "00:00-24:00", "daily_cap": 2}
    )
    assert reply.status_code == 303 and "msg=" in reply.headers["location"]
    refused: list[httpx.Response] = []

    def at_cap() -> bool:
        r = pair.issue_on_b("D")
        refused.append(r)
        return r.status_code == 423

    _within(10, at_cap, "the daily cap of D")
    assert refused[-1].json()["code"] == "category_at_cap"

    c_ticket = pair.issue_on_b("C")
    assert c_ticket.status_code == 201
    reply = admin.post("/admin/counters/7", data={"csrf": csrf, "categories": "C, D"})
    assert reply.status_code == 303 and "msg=" in reply.headers["location"]

    def serves_c() -> bool:
        snap = httpx.get(f"{pair.b.url}/api/v1/queue").json()
        return next(c for c in snap["counters"] if c["number"] == 7)["categories"] == ["C", "D"]

    _within(10, serves_c, "counter 7's categories")
    called = httpx.post(f"{pair.b.url}/api/v1/counters/7/call-next", headers=pair.clerk7)
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["number"] == c_ticket.json()["number"]  # C before D now

    kept = load_hall(pair.b.home / "hall.toml")  # a restart of B keeps the edit
    assert kept.categories["D"].daily_cap == 2
    assert list(kept.counters[7].codes) == ["C", "D"]


def _counter_categories(server: ServerProcess, number: int) -> list[str]:
    snap = httpx.get(f"{server.url}/api/v1/queue").json()
    categories: list[str] = next(c for c in snap["counters"] if c["number"] == number)["categories"]
    return categories


def test_a_server_down_during_a_hall_edit_applies_it_when_it_starts(pair: Pair) -> None:
    pair.b.stop()
    admin, csrf = _admin_session(pair.a)
    reply = admin.post("/admin/counters/7", data={"csrf": csrf, "categories": "C, D"})
    assert reply.status_code == 303 and "msg=" in reply.headers["location"]
    pair.b.start()
    assert _counter_categories(pair.b, 7) == ["C", "D"]  # at once, not at the next edit
    assert list(load_hall(pair.b.home / "hall.toml").counters[7].codes) == ["C", "D"]
    assert "made while this server was down, applied" in pair.b.log_path.read_text()

    # A hall file changed after the edit (``yihao init --config``, a new file) is newer: kept.
    pair.b.stop()
    hall_b = pair.b.home / "hall.toml"
    hall_b.write_text(SAMPLE_HALL.read_text(encoding="utf-8"), encoding="utf-8")
    pair.b.start()
    assert _counter_categories(pair.b, 7) == list(load_hall(SAMPLE_HALL).counters[7].codes)
    assert "differs from it: the file is used" in pair.b.log_path.read_text()
