"""The HTTP API through real HTTP: a real ``yihao serve`` subprocess on a loopback port.

One server per database engine (a SQLite file, the real PostgreSQL) runs for the whole
module on a hall TOML of our own, passed with ``--config`` to ``yihao init`` and
``yihao serve``. Every test works on its own categories and counters, so the tests
do not depend on each other's leftovers:

====  =========================  =======  ======================================
code  used by                    counter  note
====  =========================  =======  ======================================
A     happy path and stats       1        15 min seed, one counter → ETA 15 min
B     elderly first              2
C, E  transfer C → E             3, 4
F     pause / resume             5
G     recall, skip, reactivate   6
D     identity optional          7
H     ticket JSON, repeated tap  8
K     daily cap 2                —
L     closed today (days)        —
O     closed now (hours)         —
M..Q  per-person daily limit     —        rules.max_tickets_per_day = 3
====  =========================  =======  ======================================

The helpers here (servers, databases, identities) are shared with
``test_events_ws.py`` and ``test_privacy.py``.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from caller_server.domain.hall import SAMPLE_HALL, Hall, load_hall
from caller_server.domain.identity import check_character
from caller_server.services import auth
from caller_server.services.context import ServiceContext
from caller_server.store import tables as t
from caller_server.store.engine import make_engine
from tests.serverkit import REPO, SHANGHAI, ServerProcess, free_port, sql_context

# --------------------------------------------------------------------------- harness

YIHAO = Path(sys.executable).with_name("yihao")
"""The ``yihao`` console script of the virtual environment running the tests."""

CJK = re.compile(r"[\u4e00-\u9fff]")
PROBLEM = "application/problem+json"


def run_cli(home: Path, *args: str, stdin: str | None = None, script: bool = False) -> str:
    """Run ``python -m caller_server.cli`` (or the ``yihao`` script) with ``YIHAO_HOME=home``."""
    env = {**os.environ, "YIHAO_HOME": str(home), "PYTHONIOENCODING": "utf-8"}
    cmd = [str(YIHAO)] if script else [sys.executable, "-m", "caller_server.cli"]
    done = subprocess.run(
        [*cmd, *args],
        env=env,
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"yihao {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _pg_admin(base: str, statement: str) -> None:
    engine = make_engine(base)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
"""Parameters of the module-scoped server fixtures: a SQLite file and the real PostgreSQL."""


@contextmanager
def fresh_database(
    kind: str, directory: Path, name: str, pg_url: str | None = None
) -> Iterator[str]:
    """A fresh, empty database: a SQLite file in ``directory``, or a PostgreSQL schema.

    On PostgreSQL each module gets a private schema (``search_path`` in the URL) in
    the ``YIHAO_TEST_PG`` database, so engineers running PostgreSQL tests at the same
    time cannot drop our tables under a running server, nor we theirs. Like the
    ``pg_url`` fixture, it skips without ``YIHAO_TEST_PG`` (a failure under
    ``YIHAO_REQUIRE_ALL=1``). Module-scoped fixtures cannot use the function-scoped
    ``db_url``/``pg_url`` fixtures; function-scoped tests pass ``pg_url`` in.
    """
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'yihao.db'}"
        return
    base = pg_url or os.environ.get("YIHAO_TEST_PG")
    if not base:
        pytest.skip("YIHAO_TEST_PG is not set: no PostgreSQL server to test against")
    schema = f"t_{name}_{os.getpid()}"
    _pg_admin(base, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    _pg_admin(base, f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        _pg_admin(base, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@dataclass
class RunningHall:
    """An initialised data directory, its database and a running ``yihao serve``."""

    home: Path
    db_url: str
    config: Path | None
    server: ServerProcess
    ctx: ServiceContext
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=15))
    _tokens: dict[tuple[str, int | None], str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def log_path(self) -> Path:
        return self.server.log_path

    def token(self, role: str, counter: int | None = None) -> str:
        """A bearer token made in-process with ``auth.create_token`` on the same database."""
        key = (role, counter)
        if key not in self._tokens:
            label = f"{role} {counter}" if counter else role
            self._tokens[key] = auth.create_token(self.ctx, role, counter, label)
        return self._tokens[key]

    def auth(self, role: str, counter: int | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, counter)}"}

    def issue(
        self, category: str, identity: dict[str, Any] | None = None, kiosk_id: str = "kiosk-1"
    ) -> httpx.Response:
        body: dict[str, Any] = {"category": category, "kiosk_id": kiosk_id}
        if identity is not None:
            body["identity"] = identity
        return self.http.post(f"{self.url}/api/v1/tickets", json=body, headers=self.auth("kiosk"))

    def new_ticket(self, category: str, identity: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.issue(category, identity)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def counter(
        self, n: int, action: str, body: dict[str, Any] | None = None, role: str = "clerk"
    ) -> httpx.Response:
        headers = self.auth(role, n if role == "clerk" else None)
        return self.http.post(
            f"{self.url}/api/v1/counters/{n}/{action}", json=body, headers=headers
        )

    def act(self, n: int, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """A counter action by the clerk of counter ``n`` that must succeed."""
        response = self.counter(n, action, body)
        assert response.status_code == 200, response.text
        out: dict[str, Any] = response.json()
        return out

    def status(self, token: str) -> dict[str, Any]:
        response = self.http.get(f"{self.url}/api/v1/tickets/{token}")
        assert response.status_code == 200, response.text
        out: dict[str, Any] = response.json()
        return out

    def close(self) -> None:
        self.http.close()
        self.server.stop()


@contextmanager
def running_hall(
    directory: Path,
    db_url: str,
    config: Path | None = None,
    grace: float = 15.0,
    verbose: bool = False,
) -> Iterator[RunningHall]:
    """``yihao init`` then ``yihao serve`` (both with ``--config`` when given); stopped after."""
    home = directory / "home"
    home.mkdir(parents=True, exist_ok=True)
    init = ["init", "--db", db_url] + (["--config", str(config)] if config else [])
    run_cli(home, *init)
    log = directory / "server.log"
    server = ServerProcess(
        home, db_url, free_port(), log, config=config, grace=grace, verbose=verbose
    )
    server.start()
    hall = None
    try:
        hall = RunningHall(home, db_url, config, server, sql_context(db_url, _hall(config)))
        yield hall
    finally:
        if hall is not None:
            hall.close()
        server.stop()


def _hall(config: Path | None) -> Hall:
    return load_hall(config or SAMPLE_HALL)


def today() -> date:
    """The hall's service day (Asia/Shanghai)."""
    return datetime.now(SHANGHAI).date()


_SEQUENCE = itertools.count(101)


def make_id(birth: date, area: str = "410104") -> str:
    """A valid resident ID number born on ``birth``, unique within this test run."""
    body = f"{area}{birth:%Y%m%d}{next(_SEQUENCE) % 1000:03d}"
    return body + check_character(body)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def id_of_age(age: int) -> str:
    """Someone ``age`` years old today (born on 1 January)."""
    return make_id(date(today().year - age, 1, 1))


def person(age: int = 35, name: str = "张三丰", source: str = "card") -> dict[str, Any]:
    return {"id_number": id_of_age(age), "name": name, "source": source}


def wrong_check(id_number: str) -> str:
    """The same number with a check character that does not match."""
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


def masked(id_number: str) -> str:
    return id_number[:6] + "*" * 8 + id_number[-4:]


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """An RFC 9457 problem document with a stable code, Chinese and English detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0].strip() == PROBLEM, response.headers
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["status"] == status, body
    assert body["title"], body
    assert body["type"], body
    assert CJK.search(body["detail"]), f"detail is not Chinese: {body}"
    assert body["detail_en"].strip(), body
    assert not CJK.search(body["detail_en"]), f"detail_en is not English: {body}"
    return body


def assert_no_raw(text_: str, *raw: str) -> None:
    """None of ``raw`` appears, neither as is nor JSON-escaped (``\\u5f20…``)."""
    for value in raw:
        assert value not in text_
        escaped = json.dumps(value)[1:-1]
        assert escaped not in text_


# --------------------------------------------------------------------------- the hall


def write_api_hall(path: Path) -> Path:
    """The module's hall: one category per scenario; L is closed today, O closed now."""
    now = datetime.now(SHANGHAI)
    tomorrow = (now + timedelta(days=1)).isoweekday()
    other_hours = "20:00-21:00" if now.hour < 12 else "06:00-07:00"
    categories = [
        ("A", "投资项目类", 'hours = ["00:00-24:00"]\nservice_minutes = 15'),
        ("B", "民生服务类", "service_minutes = 8"),
        ("C", "社会管理类", "service_minutes = 10"),
        ("D", "综合咨询", "id_required = false\nservice_minutes = 5"),
        ("E", "不动产登记", "service_minutes = 12"),
        ("F", "公积金业务", "service_minutes = 6"),
        ("G", "社会保障", "service_minutes = 6"),
        ("H", "户籍业务", "service_minutes = 6"),
        ("K", "出入境业务", "daily_cap = 2"),
        ("L", "税务业务", f"days = [{tomorrow}]"),
        ("O", "车驾管业务", f'hours = ["{other_hours}"]'),
        ("M", "医保业务", ""),
        ("N", "残联业务", ""),
        ("P", "公证业务", ""),
        ("Q", "法律援助", ""),
    ]
    counters = [(1, "A"), (2, "B"), (3, "C"), (4, "E"), (5, "F"), (6, "G"), (7, "D"), (8, "H")]
    counters.append((9, "KLOMNPQ"))  # limits and hours only; nobody calls there
    parts = [
        "[hall]",
        'id = "api-test-hall"',
        'name = "接口测试政务服务中心"',
        'name_en = "API Test Service Center"',
        'timezone = "Asia/Shanghai"',
        "",
        "[rules]",
        "priority_age = 70",
        "max_active_per_category = 1",
        "max_tickets_per_day = 3",
        "reactivation_minutes = 20",
        "",
    ]
    for code, name, extra in categories:
        parts += ["[[categories]]", f'code = "{code}"', f'name = "{name}"', extra, ""]
    for number, codes in counters:
        served = ", ".join(f'"{c}"' for c in codes)
        parts += ["[[counters]]", f"number = {number}", f"categories = [{served}]", ""]
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=ENGINES)
def hall(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningHall]:
    directory = tmp_path_factory.mktemp(f"api-{request.param}")
    config = write_api_hall(directory / "api-hall.toml")
    with (
        fresh_database(request.param, directory, "api") as db_url,
        running_hall(directory, db_url, config) as running,
    ):
        yield running


def rows(db_url: str, table: Any, *where: Any) -> list[Any]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(table).where(*where)).mappings())
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- happy path


def test_happy_path_issue_call_start_finish_rate_and_stats(hall: RunningHall) -> None:
    first_person, second_person = person(name="李小龙"), person(name="王五")
    first = hall.new_ticket("A", first_person)
    second = hall.new_ticket("A", second_person)
    assert (first["number"], second["number"]) == ("A001", "A002")
    assert (first["ahead"], first["eta_minutes"]) == (0, 0)
    # One open counter serves A and no service was measured yet: the 15-minute seed.
    assert (second["ahead"], second["eta_minutes"]) == (1, 15)

    time.sleep(0.8)  # a measurable wait (stats are in minutes, two decimals)
    call = hall.act(1, "call-next")
    assert call["counter"] == 1
    assert call["ticket"]["number"] == "A001"
    assert call["ticket"]["status"] == "called"
    assert call["ticket"]["counter"] == 1
    assert call["finished"] is None
    assert hall.status(second["token"])["ahead"] == 0

    started = hall.act(1, "start")
    assert started["ticket"]["status"] == "serving"
    time.sleep(0.8)
    finished = hall.act(1, "finish")
    assert finished["ticket"]["number"] == "A001"
    assert finished["ticket"]["status"] == "done"

    call = hall.act(1, "call-next")
    assert call["ticket"]["number"] == "A002"
    assert call["finished"] is None
    hall.act(1, "start")
    time.sleep(0.8)
    # call-next closes the current ticket; nobody else waits.
    closing = hall.act(1, "call-next")
    assert closing["finished"] == "A002"
    assert closing["ticket"] is None
    assert hall.status(second["token"])["status"] == "done"

    rated = hall.http.post(f"{hall.url}/api/v1/tickets/{first['token']}/rating", json={"level": 5})
    assert rated.status_code == 200, rated.text
    rated = hall.http.post(f"{hall.url}/api/v1/tickets/{second['token']}/rating", json={"level": 2})
    assert rated.status_code == 200, rated.text

    response = hall.http.get(f"{hall.url}/api/v1/stats", headers=hall.auth("manager"))
    assert response.status_code == 200, response.text
    stats = response.json()
    assert stats["day"] == today().isoformat()
    by_scope = {(r["scope"], r["key"]): r for r in stats["rows"]}

    tickets = sorted(
        rows(hall.db_url, t.tickets, t.tickets.c.category == "A"), key=lambda r: r["number"]
    )
    assert [r["number"] for r in tickets] == ["A001", "A002"]
    waits = [r["called_at"] - r["issued_at"] for r in tickets]
    services = [r["finished_at"] - r["started_at"] for r in tickets]
    mean_wait = round(sum(waits) / 2 / 60, 2)
    mean_service = round(sum(services) / 2 / 60, 2)
    assert mean_wait >= 0.01 and mean_service >= 0.01

    category = by_scope[("category", "A")]
    assert category["issued"] == 2
    assert category["called"] == 2
    assert category["done"] == 2
    assert category["no_show"] == 0
    assert category["no_show_rate"] == 0
    assert category["ratings"] == 2
    assert category["bad_reviews"] == 1
    assert category["satisfaction_rate"] == 0.5
    assert category["mean_wait_minutes"] == pytest.approx(mean_wait, abs=0.011)
    assert category["mean_service_minutes"] == pytest.approx(mean_service, abs=0.011)

    counter = by_scope[("counter", "1")]
    assert (counter["called"], counter["done"], counter["ratings"]) == (2, 2, 2)
    assert counter["mean_service_minutes"] == pytest.approx(mean_service, abs=0.011)
    at = [e["at"] for e in rows(hall.db_url, t.events, t.events.c.counter == 1)]
    assert counter["utilisation"] == pytest.approx(
        min(1.0, sum(services) / (max(at) - min(at))), abs=0.01
    )

    # The hall row adds up the categories, and counts every ticket row of the day.
    everything = rows(hall.db_url, t.tickets, t.tickets.c.service_day == today().isoformat())
    category_rows = [r for r in stats["rows"] if r["scope"] == "category"]
    assert by_scope[("hall", "all")]["issued"] == len(everything)
    assert by_scope[("hall", "all")]["issued"] == sum(r["issued"] for r in category_rows)

    # stats.csv carries the same figures.
    response = hall.http.get(f"{hall.url}/api/v1/stats.csv", headers=hall.auth("manager"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    csv_row = next(r for r in table if (r["scope"], r["key"]) == ("category", "A"))
    for key, value in category.items():
        if value is None:
            assert csv_row[key] == "", key
        elif isinstance(value, str):
            assert csv_row[key] == value, key
        else:
            assert float(csv_row[key]) == pytest.approx(value), key
    assert len(table) == len(stats["rows"])


def test_stats_of_another_day_are_empty_and_a_bad_day_is_malformed(hall: RunningHall) -> None:
    manager = hall.auth("manager")
    response = hall.http.get(f"{hall.url}/api/v1/stats?day=2020-01-01", headers=manager)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["day"] == "2020-01-01"
    assert body["rows"][0]["scope"] == "hall"
    assert body["rows"][0]["issued"] == 0
    bad = hall.http.get(f"{hall.url}/api/v1/stats?day=yesterday", headers=manager)
    assert_problem(bad, 422, "malformed_request")


def test_stats_need_a_manager(hall: RunningHall) -> None:
    for path in ("/api/v1/stats", "/api/v1/stats.csv"):
        assert_problem(hall.http.get(f"{hall.url}{path}"), 401, "unauthorized")
        for role, counter in (("kiosk", None), ("clerk", 1)):
            response = hall.http.get(f"{hall.url}{path}", headers=hall.auth(role, counter))
            assert_problem(response, 403, "forbidden")


# --------------------------------------------------------------------------- the ticket


def test_ticket_json_is_complete_and_masked(hall: RunningHall) -> None:
    identity = person(name="欧阳娜娜")
    response = hall.issue("H", identity)
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/json")
    ticket = response.json()
    assert re.fullmatch(r"H\d{3}", ticket["number"])
    assert ticket["category"] == "H"
    assert ticket["category_name"] == "户籍业务"
    assert ticket["status"] == "waiting"
    assert isinstance(ticket["ahead"], int) and isinstance(ticket["eta_minutes"], int)
    assert ticket["token"]
    assert ticket["status_url"] == f"{hall.url}/t/{ticket['token']}"
    assert ticket["identity"] == {"id_number": masked(identity["id_number"]), "name": "欧阳**"}
    assert re.fullmatch(r"410104\*{8}\d{3}[\dX]", ticket["identity"]["id_number"])
    assert ticket["hall_name"] == "接口测试政务服务中心"
    assert ticket["outcome"] == "new"
    assert_no_raw(response.text, identity["id_number"], identity["name"])


def test_names_are_masked_by_length(hall: RunningHall) -> None:
    for name, shown in (("王五", "王*"), ("张三丰", "张*丰"), ("司马相如", "司马**")):
        identity = person(name=name)
        response = hall.issue("D", identity)
        assert response.status_code == 201, response.text
        assert response.json()["identity"]["name"] == shown
        assert_no_raw(response.text, identity["id_number"], name)


def test_id_number_ending_in_x_is_accepted_and_masked(hall: RunningHall) -> None:
    for _ in range(200):
        number = id_of_age(41)
        if number.endswith("X"):
            break
    else:
        pytest.fail("no ID number with check character X generated")
    response = hall.issue("D", {"id_number": number.lower(), "name": "赵六", "source": "manual"})
    assert response.status_code == 201, response.text
    assert response.json()["identity"]["id_number"] == masked(number)
    assert_no_raw(response.text, number, number.lower())


def test_repeated_tap_returns_the_same_ticket_with_200(hall: RunningHall) -> None:
    identity = person(name="孙悟空")
    first = hall.issue("H", identity)
    assert first.status_code == 201, first.text
    again = hall.issue("H", {**identity, "source": "manual", "name": "孙悟空"}, kiosk_id="k2")
    assert again.status_code == 200, again.text
    body, original = again.json(), first.json()
    assert body["outcome"] == "existing"
    for key in ("number", "token", "category", "status_url", "identity", "issued_at"):
        assert body[key] == original[key], key
    assert_no_raw(again.text, identity["id_number"], identity["name"])
    # Only one ticket row exists for that number.
    assert len(rows(hall.db_url, t.tickets, t.tickets.c.token == original["token"])) == 1
    assert len(rows(hall.db_url, t.tickets, t.tickets.c.number == original["number"])) == 1


def test_concurrent_taps_make_one_ticket_per_person_and_unique_numbers(
    hall: RunningHall,
) -> None:
    """A card left on the reader, a kiosk retrying: the same person gets one ticket."""
    identity = person(name="曹二四")
    others = [person(name="曹二五") for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        same = list(pool.map(lambda _: hall_issue(hall, "D", identity), range(6)))
        different = list(pool.map(lambda who: hall_issue(hall, "D", who), others))
    assert sorted(r.status_code for r in same) == [200] * 5 + [201], [r.text for r in same]
    assert len({r.json()["token"] for r in same}) == 1
    assert sorted(r.json()["outcome"] for r in same) == ["existing"] * 5 + ["new"]
    stored = rows(hall.db_url, t.tickets, t.tickets.c.token == same[0].json()["token"])
    assert len(stored) == 1
    assert [r.status_code for r in different] == [201] * 6, [r.text for r in different]
    numbers = sorted(int(r.json()["number"][1:]) for r in [*different, same[0]])
    assert len(set(numbers)) == 7
    assert numbers[-1] - numbers[0] == 6, f"numbers are consecutive: {numbers}"


def hall_issue(hall: RunningHall, category: str, identity: dict[str, Any]) -> httpx.Response:
    """``hall.issue`` on a fresh connection (httpx clients are not shared across threads)."""
    return httpx.post(
        f"{hall.url}/api/v1/tickets",
        json={"category": category, "identity": identity, "kiosk_id": "kiosk-9"},
        headers=hall.auth("kiosk"),
        timeout=30,
    )


def test_public_status_and_html_status_page(hall: RunningHall) -> None:
    ahead = hall.new_ticket("H", person(name="周杰"))
    mine_identity = person(name="郑成功")
    mine = hall.new_ticket("H", mine_identity)
    waiting_before = hall.status(mine["token"])["ahead"]
    assert waiting_before >= 1

    status = hall.status(mine["token"])
    assert status["number"] == mine["number"]
    assert status["status"] == "waiting"
    assert status["outcome"] == "status"
    # The masked number was shown once, to the kiosk that sent it; it is not stored.
    assert status["identity"] == {"id_number": None, "name": "郑*功"}

    page = hall.http.get(f"{hall.url}/t/{mine['token']}")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    assert mine["number"] in html
    assert "户籍业务" in html
    assert f"前面还有 <b>{waiting_before}</b> 人" in html
    assert f"预计等待 <b>{status['eta_minutes']}</b> 分钟" in html
    assert "接口测试政务服务中心" in html
    assert_no_raw(html, mine_identity["id_number"], mine_identity["name"])

    # Drain H at counter 8 until our ticket is called: the page names the counter.
    for _ in range(50):
        call = hall.act(8, "call-next")
        if call["ticket"] is None or call["ticket"]["number"] == mine["number"]:
            break
    assert call["ticket"] is not None and call["ticket"]["number"] == mine["number"]
    assert hall.status(ahead["token"])["status"] == "done"
    page = hall.http.get(f"{hall.url}/t/{mine['token']}")
    assert "请到 <b>8</b> 号窗口办理" in page.text
    hall.act(8, "finish")
    assert "已办结" in hall.http.get(f"{hall.url}/t/{mine['token']}").text


def test_unknown_ticket_is_404(hall: RunningHall) -> None:
    assert_problem(
        hall.http.get(f"{hall.url}/api/v1/tickets/no-such-token"), 404, "ticket_not_found"
    )
    rating = hall.http.post(f"{hall.url}/api/v1/tickets/no-such-token/rating", json={"level": 5})
    assert_problem(rating, 404, "ticket_not_found")
    page = hall.http.get(f"{hall.url}/t/no-such-token")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "没有找到该号票" in page.text


# --------------------------------------------------------------------------- call policy


def test_elderly_are_called_first(hall: RunningHall) -> None:
    day = today()
    young = hall.new_ticket("B", person(35, "钱一"))
    almost = hall.new_ticket(
        "B",
        {"id_number": make_id(years_before(day + timedelta(days=1), 70)), "name": "钱二"},
    )
    seventy = hall.new_ticket(
        "B", {"id_number": make_id(years_before(day, 70)), "name": "钱三", "source": "card"}
    )
    old = hall.new_ticket("B", person(85, "钱四"))
    assert young["priority"] is None
    assert almost["priority"] is None, "69 years old (70 tomorrow) is not yet elderly"
    assert seventy["priority"] == "elderly", "70 years old today is elderly"
    assert old["priority"] == "elderly"
    assert seventy["ahead"] == 0
    assert old["ahead"] == 1  # behind the other elderly citizen only
    assert hall.status(young["token"])["ahead"] == 2
    assert hall.status(almost["token"])["ahead"] == 3

    order = []
    rules = []
    for _ in range(4):
        call = hall.act(2, "call-next")
        order.append(call["ticket"]["number"])
        rules.append(call["rule"])
        if call["rule"] == "priority":
            assert call["reason_zh"] == "绿色通道：长者优先"
            assert call["reason_tw"] == "綠色通道：長者優先"
            assert call["reason_en"]
    assert order == [seventy["number"], old["number"], young["number"], almost["number"]]
    assert rules == ["priority", "priority", "order", "order"]
    assert hall.act(2, "call-next")["ticket"] is None


def test_transfer_keeps_the_arrival_place(hall: RunningHall) -> None:
    moved_identity = person(name="冯七")
    moved = hall.new_ticket("C", moved_identity)
    time.sleep(0.01)
    later = hall.new_ticket("E", person(name="陈八"))
    assert later["ahead"] == 0

    assert hall.act(3, "call-next")["ticket"]["number"] == moved["number"]
    out = hall.act(3, "transfer", {"category": "E"})
    assert out["ticket"]["number"] == moved["number"]  # the number stays
    assert out["ticket"]["category"] == "E"
    assert out["ticket"]["status"] == "waiting"
    assert out["ticket"]["ahead"] == 0
    assert_no_raw(json.dumps(out, ensure_ascii=False), moved_identity["id_number"])

    # It arrived before the E ticket, so it is ahead of it.
    assert hall.status(later["token"])["ahead"] == 1
    assert hall.act(3, "call-next")["ticket"] is None  # counter 3 serves C only
    first = hall.act(4, "call-next")
    assert first["ticket"]["number"] == moved["number"]
    assert hall.act(4, "call-next")["ticket"]["number"] == later["number"]
    hall.act(4, "finish")


def test_transfer_errors(hall: RunningHall) -> None:
    hall.new_ticket("C", person(name="褚九"))
    hall.act(3, "call-next")
    assert_problem(hall.counter(3, "transfer", {"category": "Z"}), 404, "unknown_category")
    assert_problem(
        hall.counter(3, "transfer", {"category": "E", "counter": 99}), 404, "unknown_counter"
    )
    assert_problem(hall.counter(3, "transfer", {"category": "e"}), 422, "malformed_request")
    assert_problem(hall.counter(3, "transfer", {}), 422, "malformed_request")
    hall.act(3, "finish")
    assert_problem(hall.counter(3, "transfer", {"category": "E"}), 409, "no_current_ticket")


def test_pause_blocks_call_next_and_resume_restores(hall: RunningHall) -> None:
    waiting = hall.new_ticket("F", person(name="卫十"))
    paused = hall.act(5, "pause")
    assert paused == {
        "counter": 5,
        "ticket": None,
        "rule": None,
        "reason_zh": None,
        "reason_tw": None,
        "reason_en": None,
        "finished": None,
    }
    queue = hall.http.get(f"{hall.url}/api/v1/queue").json()
    assert next(c for c in queue["counters"] if c["number"] == 5)["status"] == "paused"
    assert 'yihao_counter_open{counter="5"} 0' in hall.http.get(f"{hall.url}/metrics").text

    problem = assert_problem(hall.counter(5, "call-next"), 409, "counter_not_open")
    assert "暂停" in problem["detail"] or "paused" in problem["detail_en"]
    assert hall.status(waiting["token"])["status"] == "waiting"

    hall.act(5, "resume")
    queue = hall.http.get(f"{hall.url}/api/v1/queue").json()
    assert next(c for c in queue["counters"] if c["number"] == 5)["status"] == "open"
    assert 'yihao_counter_open{counter="5"} 1' in hall.http.get(f"{hall.url}/metrics").text
    call = hall.act(5, "call-next")
    assert call["ticket"]["number"] == waiting["number"]
    hall.act(5, "finish")


def test_recall_skip_and_tap_again_reactivates(hall: RunningHall) -> None:
    identity = person(name="蒋十一")
    missed = hall.new_ticket("G", identity)
    assert hall.act(6, "call-next")["ticket"]["number"] == missed["number"]
    recalled = hall.act(6, "recall")
    assert recalled["ticket"]["number"] == missed["number"]
    assert recalled["ticket"]["status"] == "called"
    skipped = hall.act(6, "skip")
    assert skipped["ticket"]["status"] == "no_show"
    assert hall.status(missed["token"])["status"] == "no_show"
    assert_problem(hall.counter(6, "skip"), 409, "no_current_ticket")
    assert_problem(hall.counter(6, "recall"), 409, "no_current_ticket")

    assert "已过号" in hall.http.get(f"{hall.url}/t/{missed['token']}").text

    meanwhile = hall.new_ticket("G", person(name="沈十二"))
    again = hall.issue("G", identity)
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["outcome"] == "reactivated"
    assert body["number"] == missed["number"] and body["token"] == missed["token"]
    assert body["status"] == "waiting"
    assert body["ahead"] == 1, "a reactivated ticket rejoins at the back of the queue"
    assert_no_raw(again.text, identity["id_number"], identity["name"])

    assert hall.act(6, "call-next")["ticket"]["number"] == meanwhile["number"]
    assert hall.act(6, "call-next")["ticket"]["number"] == missed["number"]
    hall.act(6, "start")
    conflict = assert_problem(hall.counter(6, "start"), 409, "illegal_transition")
    assert missed["number"] in conflict["detail"]
    hall.act(6, "finish")

    stats = hall.http.get(f"{hall.url}/api/v1/stats", headers=hall.auth("manager")).json()
    g = next(r for r in stats["rows"] if (r["scope"], r["key"]) == ("category", "G"))
    assert (g["issued"], g["no_show"], g["done"]) == (2, 1, 2)


def test_no_show_page_states_the_configured_window(hall: RunningHall) -> None:
    ticket = hall.new_ticket("G", person(name="韩十三"))
    assert hall.act(6, "call-next")["ticket"]["number"] == ticket["number"]
    hall.act(6, "skip")
    page = hall.http.get(f"{hall.url}/t/{ticket['token']}").text
    # rules.reactivation_minutes = 20 in this hall.
    assert "20 分钟内在取号机再次刷证可恢复排队" in page, page


def test_rating_rules(hall: RunningHall) -> None:
    ticket = hall.new_ticket("H", person(name="杨十四"))
    url = f"{hall.url}/api/v1/tickets/{ticket['token']}/rating"
    assert_problem(hall.http.post(url, json={"level": 5}), 409, "rating_not_allowed")
    for _ in range(50):
        call = hall.act(8, "call-next")
        if call["ticket"] is None or call["ticket"]["number"] == ticket["number"]:
            break
    hall.act(8, "finish")
    assert_problem(hall.http.post(url, json={"level": 6}), 422, "malformed_request")
    assert_problem(hall.http.post(url, json={"level": "good"}), 422, "malformed_request")
    rated = hall.http.post(url, json={"level": 1})
    assert rated.status_code == 200, rated.text
    assert rated.json()["status"] == "done"
    assert_problem(hall.http.post(url, json={"level": 5}), 409, "rating_not_allowed")
    # A bad review raises an alert event for the manager.
    alerts = rows(hall.db_url, t.events, t.events.c.kind == "alert")
    assert any(a["number"] == ticket["number"] for a in alerts)


def test_manager_priority_lane_and_cancel(hall: RunningHall) -> None:
    first = hall.new_ticket("M", person(name="沈一"))
    second = hall.new_ticket("M", person(name="韦二"))
    url = f"{hall.url}/api/v1/queue"
    clerk = hall.http.post(f"{url}/{second['number']}/priority", headers=hall.auth("clerk", 9))
    assert_problem(clerk, 403, "forbidden")
    marked = hall.http.post(f"{url}/{second['number']}/priority", headers=hall.auth("manager"))
    assert marked.status_code == 200, marked.text
    assert marked.json()["priority"] == "staff" and "token" not in marked.json()
    assert hall.status(second["token"])["ahead"] == 0  # now ahead of the earlier ticket
    assert hall.status(first["token"])["ahead"] == 1
    cancelled = hall.http.post(f"{url}/{first['number']}/cancel", headers=hall.auth("manager"))
    assert cancelled.json()["status"] == "cancelled"
    again = hall.http.post(f"{url}/{first['number']}/cancel", headers=hall.auth("manager"))
    assert_problem(again, 409, "illegal_transition")
    assert_problem(
        hall.http.post(f"{url}/M999/cancel", headers=hall.auth("manager")), 404, "ticket_not_found"
    )


# --------------------------------------------------------------------------- error paths


def test_bad_check_digit_is_422(hall: RunningHall) -> None:
    bad = wrong_check(id_of_age(30))
    body = assert_problem(
        hall.issue("H", {"id_number": bad, "name": "朱十五"}), 422, "invalid_id_number"
    )
    assert body["detail"] == "身份证号码有误，请核对"
    assert "check digit" in body["detail_en"]
    assert bad not in json.dumps(body)


def test_other_invalid_identities_are_422(hall: RunningHall) -> None:
    short = assert_problem(hall.issue("H", {"id_number": "4101041990"}), 422, "invalid_id_number")
    assert "18" in short["detail_en"]
    letters = hall.issue("H", {"id_number": "41010419900101A23X"})
    assert_problem(letters, 422, "invalid_id_number")
    future = make_id(today() + timedelta(days=400))
    assert_problem(hall.issue("H", {"id_number": future}), 422, "invalid_id_number")
    expired = {"id_number": id_of_age(40), "valid_to": "2020-01-01"}
    assert_problem(hall.issue("H", expired), 422, "card_expired")


def test_identity_required_is_422(hall: RunningHall) -> None:
    body = assert_problem(hall.issue("H"), 422, "identity_required")
    assert body["detail"] == "该业务需要刷身份证取号"
    # A category without the requirement issues anonymous tickets.
    anonymous = hall.issue("D")
    assert anonymous.status_code == 201, anonymous.text
    assert anonymous.json()["identity"] is None


def test_unknown_category_is_404(hall: RunningHall) -> None:
    body = assert_problem(hall.issue("Z", person()), 404, "unknown_category")
    assert "Z" in body["detail"]


def test_person_daily_limit_is_409_with_the_existing_ticket(hall: RunningHall) -> None:
    identity = person(name="秦十六")
    issued = [hall.new_ticket(code, identity) for code in ("M", "N", "P")]
    response = hall.issue("Q", identity)
    body = assert_problem(response, 409, "person_daily_limit")
    assert body["detail"] == "今日取号次数已达上限"
    assert body["ticket"]["number"] == issued[-1]["number"]
    assert body["ticket"]["token"] == issued[-1]["token"]
    assert body["ticket"]["identity"]["id_number"] == masked(identity["id_number"])
    assert_no_raw(response.text, identity["id_number"], identity["name"])
    assert rows(hall.db_url, t.tickets, t.tickets.c.category == "Q") == []
    # At the limit, a repeated tap still reprints the ticket already held.
    again = hall.issue("M", identity)
    assert again.status_code == 200, again.text
    assert again.json()["token"] == issued[0]["token"]


def test_category_at_cap_is_423(hall: RunningHall) -> None:
    first_identity = person(name="尤十七")
    first = hall.new_ticket("K", first_identity)
    second = hall.new_ticket("K", person(name="许十八"))
    assert (first["number"], second["number"]) == ("K001", "K002")
    body = assert_problem(hall.issue("K", person(name="何十九")), 423, "category_at_cap")
    assert body["detail"] == "该业务今日已停止取号"
    assert "2" in body["detail_en"]
    assert len(rows(hall.db_url, t.tickets, t.tickets.c.category == "K")) == 2
    # Someone already holding a K ticket still gets it back.
    again = hall.issue("K", first_identity)
    assert again.status_code == 200, again.text
    assert again.json()["number"] == "K001"


def test_category_closed_now_is_423(hall: RunningHall) -> None:
    for code in ("L", "O"):  # L: not on today's weekday; O: outside its hours
        body = assert_problem(hall.issue(code, person(name="吕二十")), 423, "category_closed")
        assert body["detail"] == "该业务今日已停止取号"
        assert rows(hall.db_url, t.tickets, t.tickets.c.category == code) == []
    queue = hall.http.get(f"{hall.url}/api/v1/queue").json()
    is_open = {c["code"]: c["open"] for c in queue["categories"]}
    assert (is_open["L"], is_open["O"], is_open["A"]) == (False, False, True)


def test_missing_or_wrong_token_is_401(hall: RunningHall) -> None:
    url = f"{hall.url}/api/v1/tickets"
    body = {"category": "D"}
    assert_problem(hall.http.post(url, json=body), 401, "unauthorized")
    wrong = {"Authorization": "Bearer not-a-token"}
    assert_problem(hall.http.post(url, json=body, headers=wrong), 401, "unauthorized")
    basic = {"Authorization": "Basic a2lvc2s6a2lvc2s="}
    assert_problem(hall.http.post(url, json=body, headers=basic), 401, "unauthorized")
    assert_problem(hall.http.post(f"{hall.url}/api/v1/counters/7/call-next"), 401, "unauthorized")


def test_401_carries_a_bearer_challenge(hall: RunningHall) -> None:
    """RFC 9110 §15.5.2: a 401 response MUST send WWW-Authenticate."""
    response = hall.http.post(f"{hall.url}/api/v1/tickets", json={"category": "D"})
    assert response.status_code == 401
    assert response.headers.get("www-authenticate", "").lower().startswith("bearer")


def test_clerk_of_another_counter_and_wrong_roles_are_403(hall: RunningHall) -> None:
    other = {"Authorization": f"Bearer {hall.token('clerk', 8)}"}
    for action in ("call-next", "recall", "skip", "start", "finish", "pause", "resume"):
        response = hall.http.post(f"{hall.url}/api/v1/counters/1/{action}", headers=other)
        body = assert_problem(response, 403, "forbidden")
        assert "8" in body["detail"]
    transfer = hall.http.post(
        f"{hall.url}/api/v1/counters/1/transfer", json={"category": "B"}, headers=other
    )
    assert_problem(transfer, 403, "forbidden")
    kiosk = hall.auth("kiosk")
    response = hall.http.post(f"{hall.url}/api/v1/counters/7/call-next", headers=kiosk)
    assert_problem(response, 403, "forbidden")
    response = hall.http.post(
        f"{hall.url}/api/v1/tickets", json={"category": "D"}, headers=hall.auth("clerk", 7)
    )
    assert_problem(response, 403, "forbidden")
    queue = hall.http.get(f"{hall.url}/api/v1/queue").json()
    assert next(c for c in queue["counters"] if c["number"] == 1)["status"] == "open"


def test_unknown_counter_is_404(hall: RunningHall) -> None:
    response = hall.counter(99, "call-next", role="manager")
    body = assert_problem(response, 404, "unknown_counter")
    assert "99" in body["detail"]


def test_malformed_body_is_422(hall: RunningHall) -> None:
    bodies: list[Any] = [
        {"category": "a"},
        {"category": "AB"},
        {},
        {"category": "D", "identity": {"id_number": 410104}},
        {"category": "D", "identity": {"name": "无号码"}},
        {"category": "D", "identity": {"id_number": id_of_age(30), "source": "fax"}},
        {"category": "D", "unexpected": True},
        ["D"],
    ]
    for body in bodies:
        response = hall.http.post(
            f"{hall.url}/api/v1/tickets", json=body, headers=hall.auth("kiosk")
        )
        problem = assert_problem(response, 422, "malformed_request")
        assert problem["errors"], problem
        assert all({"loc", "msg", "type"} <= set(e) for e in problem["errors"])
    raw = id_of_age(30)
    response = hall.http.post(
        f"{hall.url}/api/v1/tickets",
        json={"category": "D", "identity": {"id_number": raw, "name": "钟无艳", "x": 1}},
        headers=hall.auth("kiosk"),
    )
    assert_problem(response, 422, "malformed_request")
    assert_no_raw(response.text, raw, "钟无艳")


def test_broken_json_is_422(hall: RunningHall) -> None:
    for payload in (b'{"category": "D",', b"not json at all", '{"category": "测'.encode()):
        response = hall.http.post(
            f"{hall.url}/api/v1/tickets",
            content=payload,
            headers={**hall.auth("kiosk"), "Content-Type": "application/json"},
        )
        assert_problem(response, 422, "malformed_request")


def test_unknown_path_and_wrong_method_are_problems(hall: RunningHall) -> None:
    assert_problem(hall.http.get(f"{hall.url}/api/v1/nothing-here"), 404, "not_found")
    assert_problem(hall.http.get(f"{hall.url}/api/v1/tickets"), 405, "method_not_allowed")


# --------------------------------------------------------------------------- tokens, users


def test_cli_token_create_prints_a_working_kiosk_token(hall: RunningHall) -> None:
    out = run_cli(hall.home, "token", "create", "--role", "kiosk", "--db", hall.db_url, script=True)
    token = out.strip().splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", token), out
    response = hall.http.post(
        f"{hall.url}/api/v1/tickets",
        json={"category": "D", "kiosk_id": "cli-kiosk"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    # Only the token's hash is stored.
    stored = rows(hall.db_url, t.tokens)
    assert token not in json.dumps([dict(r) for r in stored], default=str)
    clerk = run_cli(
        hall.home, "token", "create", "--role", "clerk", "--counter", "7", "--db", hall.db_url
    )
    clerk_token = clerk.strip().splitlines()[-1]
    pause = hall.http.post(
        f"{hall.url}/api/v1/counters/7/pause", headers={"Authorization": f"Bearer {clerk_token}"}
    )
    assert pause.status_code == 200, pause.text
    resume = hall.http.post(
        f"{hall.url}/api/v1/counters/7/resume", headers={"Authorization": f"Bearer {clerk_token}"}
    )
    assert resume.status_code == 200, resume.text


def test_user_add_and_login(hall: RunningHall) -> None:
    password = "正确的马电池订书钉-42"
    run_cli(
        hall.home,
        *("user", "add", "manager-li", "--role", "manager", "--password-stdin"),
        *("--db", hall.db_url),
        stdin=password + "\n",
    )
    run_cli(
        hall.home,
        *("user", "add", "clerk-wang", "--role", "clerk", "--counter", "7", "--password-stdin"),
        *("--db", hall.db_url),
        stdin="counter-seven-pw\n",
    )
    login = hall.http.post(
        f"{hall.url}/api/v1/auth/login", json={"username": "manager-li", "password": password}
    )
    assert login.status_code == 200, login.text
    session = login.json()
    assert session["role"] == "manager" and session.get("counter") is None
    stats = hall.http.get(
        f"{hall.url}/api/v1/stats", headers={"Authorization": f"Bearer {session['token']}"}
    )
    assert stats.status_code == 200, stats.text

    login = hall.http.post(
        f"{hall.url}/api/v1/auth/login",
        json={"username": "clerk-wang", "password": "counter-seven-pw"},
    )
    assert login.status_code == 200, login.text
    clerk = {"Authorization": f"Bearer {login.json()['token']}"}
    assert login.json()["counter"] == 7
    own = hall.http.post(f"{hall.url}/api/v1/counters/7/recall", headers=clerk)
    assert_problem(own, 409, "no_current_ticket")  # allowed, but nobody is at counter 7
    other = hall.http.post(f"{hall.url}/api/v1/counters/1/call-next", headers=clerk)
    assert_problem(other, 403, "forbidden")

    wrong = hall.http.post(
        f"{hall.url}/api/v1/auth/login", json={"username": "manager-li", "password": "wrong-pw"}
    )
    assert_problem(wrong, 401, "unauthorized")
    nobody = hall.http.post(
        f"{hall.url}/api/v1/auth/login", json={"username": "nobody", "password": "whatever1"}
    )
    assert_problem(nobody, 401, "unauthorized")
    assert_problem(
        hall.http.post(f"{hall.url}/api/v1/auth/login", json={"username": "x"}),
        422,
        "malformed_request",
    )
    # Passwords are stored as argon2 hashes only.
    stored = rows(hall.db_url, t.users)
    assert {r["username"] for r in stored} >= {"manager-li", "clerk-wang"}
    assert all(r["password_hash"].startswith("$argon2") for r in stored)
    assert password not in json.dumps([dict(r) for r in stored], default=str, ensure_ascii=False)


# --------------------------------------------------------------------------- operations


def test_healthz(hall: RunningHall) -> None:
    response = hall.http.get(f"{hall.url}/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["hall"] == "api-test-hall"
    engine = make_engine(hall.db_url)
    try:
        with engine.connect() as conn:
            newest = conn.execute(text("SELECT coalesce(max(seq), 0) FROM events")).scalar_one()
    finally:
        engine.dispose()
    assert body["seq"] == newest


_SAMPLE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)"
    r"(?:\{(?P<labels>[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"\\]*\""
    r"(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"\\]*\")*)\})?"
    r" (?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?Inf|NaN)"
    r"(?: -?\d+)?$"
)


def parse_prometheus(body: str) -> dict[str, dict[str, float]]:
    """A strict reader of the text exposition format 0.0.4: {family: {labels: value}}."""
    types: dict[str, str] = {}
    helps: set[str] = set()
    samples: dict[str, dict[str, float]] = {}
    assert body.endswith("\n")
    for line in body.splitlines():
        if line.startswith("# HELP "):
            helps.add(line.split()[2])
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            assert kind in {"counter", "gauge", "histogram", "summary", "untyped"}, line
            assert name not in types, f"TYPE twice for {name}"
            assert name not in samples, f"TYPE after samples of {name}"
            types[name] = kind
        elif line.startswith("#") or not line.strip():
            continue
        else:
            match = _SAMPLE.match(line)
            assert match, f"not a Prometheus sample line: {line!r}"
            name = match["name"]
            assert name in types, f"sample without TYPE: {line!r}"
            samples.setdefault(name, {})[match["labels"] or ""] = float(match["value"])
    assert set(types) <= helps, "every family has HELP"
    return samples


def test_metrics_is_prometheus_text(hall: RunningHall) -> None:
    hall.new_ticket("D", person(name="施二一"))
    response = hall.http.get(f"{hall.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    metrics = parse_prometheus(response.text)
    queue = hall.http.get(f"{hall.url}/api/v1/queue").json()
    waiting = metrics["yihao_waiting"]
    for category in queue["categories"]:
        assert waiting[f'category="{category["code"]}"'] == category["waiting"]
    assert waiting['category="D"'] >= 1
    assert metrics["yihao_event_seq"][""] == queue["seq"]
    assert len(metrics["yihao_counter_open"]) == 9


def test_queue_snapshot_lists_waiting_tickets_without_identity(hall: RunningHall) -> None:
    identity = person(name="张二二")
    ticket = hall.new_ticket("D", identity)
    response = hall.http.get(f"{hall.url}/api/v1/queue")
    assert response.status_code == 200
    queue = response.json()
    assert queue["day"] == today().isoformat()
    assert queue["hall"] == "接口测试政务服务中心"
    assert ticket["number"] in [w["number"] for w in queue["waiting"]]
    assert {c["number"] for c in queue["counters"]} == set(range(1, 10))
    assert_no_raw(response.text, identity["id_number"], identity["name"])
    d = next(c for c in queue["categories"] if c["code"] == "D")
    assert d["waiting"] >= 1 and d["eta_minutes"] >= 1 and d["full"] is False


def test_queue_snapshot_names_the_clerk_who_acts_at_each_counter(hall: RunningHall) -> None:
    hall.new_ticket("D")
    hall.act(7, "call-next")
    queue = hall.http.get(f"{hall.url}/api/v1/queue").json()
    assert {c["number"]: c["clerk"] for c in queue["counters"]}[7] == "clerk 7"


def test_appointment_booking_is_masked(hall: RunningHall) -> None:
    raw = id_of_age(50)
    body = {
        "identity": {"id_number": raw, "name": "孔二三"},
        "category": "D",
        "day": (today() + timedelta(days=1)).isoformat(),
        "start": "09:00",
        "end": "09:30",
        "reference": "WEB-1",
    }
    url = f"{hall.url}/api/v1/appointments"
    assert_problem(hall.http.post(url, json=body, headers=hall.auth("kiosk")), 403, "forbidden")
    response = hall.http.post(url, json=body, headers=hall.auth("manager"))
    assert response.status_code == 201, response.text
    booked = response.json()
    assert booked["identity"]["id_number"] == masked(raw)
    assert booked["category"] == "D"
    assert_no_raw(response.text, raw, "孔二三")

    header = "id_number,category,date,start,end,reference\n"
    csv_headers = {**hall.auth("manager"), "Content-Type": "text/csv"}
    good, wrong = id_of_age(44), wrong_check(id_of_age(45))
    line = f"{good},D,{today() + timedelta(days=2)},10:00,10:30,WEB-2\n"
    imported = hall.http.post(f"{url}/import", content=header + line, headers=csv_headers)
    assert imported.status_code == 201, imported.text
    assert [b["identity"]["id_number"] for b in imported.json()] == [masked(good)]
    assert_no_raw(imported.text, good)
    bad_line = f"{wrong},D,{today() + timedelta(days=2)},10:00,10:30,WEB-3\n"
    bad = hall.http.post(f"{url}/import", content=header + line + bad_line, headers=csv_headers)
    body = assert_problem(bad, 422, "appointment_invalid")
    assert "3" in body["detail"]  # names the line
    assert_no_raw(bad.text, wrong)


def test_bad_appointment_input_is_422_not_500(hall: RunningHall) -> None:
    url = f"{hall.url}/api/v1/appointments"
    body = {
        "identity": {"id_number": id_of_age(50)},
        "category": "D",
        "day": (today() + timedelta(days=1)).isoformat(),
        "start": "09:00",
        "end": "09:30",
    }
    for change in ({"start": "25:00"}, {"end": "09:61"}, {"reference": "WEB\x1b[2J"}):
        response = hall.http.post(url, json=body | change, headers=hall.auth("manager"))
        problem = assert_problem(response, 422, "malformed_request")
        assert [e["loc"][-1] for e in problem["errors"]] == list(change)

    header = "id_number,category,date,start,end,reference\n"
    day = today() + timedelta(days=2)
    csv_headers = {**hall.auth("manager"), "Content-Type": "text/csv"}
    bare_cr = f"{id_of_age(44)},D,{day},10:00,10:30,WEB\r2\n"
    huge = f"{id_of_age(44)},D,{day},10:00,10:30,{'x' * 140_000}\n"
    for rows in (bare_cr, huge):
        response = hall.http.post(f"{url}/import", content=header + rows, headers=csv_headers)
        problem = assert_problem(response, 422, "appointment_invalid")
        assert "第 2 行" in problem["detail"]
    broken_header = hall.http.post(f"{url}/import", content="m\rx,y\n", headers=csv_headers)
    assert "第 1 行" in assert_problem(broken_header, 422, "appointment_invalid")["detail"]


def test_control_characters_in_names_are_refused(hall: RunningHall) -> None:
    for name in ("\x00\x1b张三", "李\u202e四", "王\x7f五"):
        response = hall.http.post(
            f"{hall.url}/api/v1/tickets",
            json={"category": "D", "identity": {"id_number": id_of_age(30), "name": name}},
            headers=hall.auth("kiosk"),
        )
        problem = assert_problem(response, 422, "malformed_request")
        assert problem["errors"][0]["loc"][-1] == "name"


EXPECTED_PATHS = {
    ("post", "/api/v1/tickets"),
    ("get", "/api/v1/tickets/{token}"),
    ("post", "/api/v1/tickets/{token}/rating"),
    *(
        ("post", f"/api/v1/counters/{{n}}/{action}")
        for action in (
            "call-next",
            "recall",
            "skip",
            "start",
            "finish",
            "transfer",
            "pause",
            "resume",
        )
    ),
    ("get", "/api/v1/queue"),
    ("get", "/api/v1/stats"),
    ("get", "/api/v1/stats.csv"),
    ("post", "/api/v1/appointments"),
    ("post", "/api/v1/appointments/import"),
    ("post", "/api/v1/auth/login"),
    ("get", "/api/v1/devices"),
    ("post", "/api/v1/devices/{device_id}/pair"),
    ("get", "/healthz"),
    ("get", "/metrics"),
}


def test_openapi_lists_every_http_endpoint(hall: RunningHall) -> None:
    response = hall.http.get(f"{hall.url}/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    listed = {(method, path) for path, ops in spec["paths"].items() for method in ops}
    missing = EXPECTED_PATHS - listed
    assert not missing, f"not in /openapi.json: {sorted(missing)}"


def test_openapi_documents_the_events_websocket(hall: RunningHall) -> None:
    spec = hall.http.get(f"{hall.url}/openapi.json").json()
    assert "/api/v1/events" not in spec["paths"]  # not an HTTP operation
    socket = spec["x-websockets"]["/api/v1/events"]
    assert socket["message"] == {"$ref": "#/components/schemas/StreamMessage"}
    assert {"snapshot", "event"} <= set(
        spec["components"]["schemas"]["StreamMessage"]["properties"]["type"]["enum"]
    )


def test_http_errors_are_problems_with_titles(hall: RunningHall) -> None:
    wrong = hall.http.delete(f"{hall.url}/api/v1/queue")
    problem = assert_problem(wrong, 405, "method_not_allowed")
    assert wrong.headers["allow"] == "GET" and problem["title"] == "Method Not Allowed"
    for body in (b'{"category": "\xff\xfe"}', b"[" * 5000 + b"]" * 5000):
        bad = hall.http.post(
            f"{hall.url}/api/v1/tickets",
            content=body,
            headers={**hall.auth("kiosk"), "Content-Type": "application/json"},
        )
        if bad.status_code == 400:
            problem = assert_problem(bad, 400, "bad_request")
            assert problem["title"] == "Bad Request" and "UTF-8" in problem["detail"]
        else:
            assert_problem(bad, 422, "malformed_request")
    for day in ("0", "20261127", "2026-02-30", "-1"):
        refused = hall.http.get(
            f"{hall.url}/api/v1/stats", params={"day": day}, headers=hall.auth("manager")
        )
        assert_problem(refused, 422, "malformed_request")


def test_conflict_details_are_plain_chinese(hall: RunningHall) -> None:
    """Clerks read ``detail``: ticket and counter states in Chinese, not ``serving``/``paused``."""
    ticket = hall.new_ticket("G", person(name="严二六"))
    assert hall.act(6, "call-next")["ticket"]["number"] == ticket["number"]
    hall.act(6, "start")
    twice = assert_problem(hall.counter(6, "start"), 409, "illegal_transition")
    hall.act(6, "finish")
    hall.act(5, "pause")
    try:
        paused = assert_problem(hall.counter(5, "call-next"), 409, "counter_not_open")
    finally:
        hall.act(5, "resume")
    for body in (twice, paused):
        english = re.findall(r"[A-Za-z]{3,}", body["detail"])
        assert not english, f"English words {english} in the Chinese detail {body['detail']!r}"
