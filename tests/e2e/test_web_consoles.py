"""The web consoles in Debian's Chromium (Playwright driving /usr/bin/chromium).

One server for the module: a clerk logs in and calls, the wall and the manager
dashboard follow; shortcuts; another counter refused; CSRF; session expiry.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import httpx
import pytest

from caller_server.domain.hall import SAMPLE_HALL
from caller_server.services import auth, console, counters, tickets
from caller_server.settings import load_secret
from caller_server.web import session
from tests.serverkit import (
    REPO,
    SHANGHAI,
    FakeClock,
    ServerProcess,
    dispose_engines,
    free_port,
    identity,
    sample_hall,
    sql_context,
)

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pass-word-1"
USERS = {
    "clerk1": ("clerk", 1),
    "clerk2": ("clerk", 2),
    "clerk7": ("clerk", 7),
    "boss": ("manager", None),
    "root": ("admin", None),
}


@dataclass
class Hall:
    server: ServerProcess
    kiosk: str
    home: Path
    rng: random.Random = field(default_factory=lambda: random.Random(11))

    @property
    def url(self) -> str:
        return self.server.url

    def issue(self, category: str, age: int = 35) -> dict[str, object]:
        who = identity(self.rng, age).model_dump(mode="json")
        r = httpx.post(
            f"{self.url}/api/v1/tickets",
            json={"category": category, "identity": None if category == "D" else who},
            headers={"Authorization": f"Bearer {self.kiosk}"},
        )
        assert r.status_code == 201, r.text
        body: dict[str, object] = r.json()
        return body


YESTERDAY = datetime.now(SHANGHAI).date() - timedelta(days=1)


def _clerk_at(counter: int) -> str:
    """Who works at ``counter`` on the seeded day (an actor as the web session writes it)."""
    return f"clerk:login:{'clerk' if counter in (1, 2, 7) else 'staff'}{counter}"


def seed_day(url: str, day: date) -> None:
    """A whole served day (08:30–16:30) through the services, with a clock of that day:
    arrivals, calls, no-shows, outcomes and matters, ratings, a lunch pause."""
    rng = random.Random(7)
    clock = FakeClock(datetime.combine(day, dtime(8, 30), SHANGHAI))
    hall = sample_hall()
    ctx = sql_context(url, hall, clock)
    tokens: dict[str, str] = {}
    busy_until = dict.fromkeys(hall.counters, clock.now)
    outcomes = ("done", "done", "done", "back_office", "needs_more", "consult")
    for minute in range(8 * 60):
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            code = rng.choice("ABBCD")
            who = None if code == "D" else identity(rng, rng.choice((30, 45, 75)))
            out = tickets.issue(ctx, code, who, "k1", "kiosk:k")
            tokens[out.number] = out.token
        for n in hall.counters:
            actor = _clerk_at(n)
            if n == 3 and minute == 210:
                counters.pause(ctx, 3, actor, "lunch")
            if n == 3 and minute == 270:
                counters.resume(ctx, 3, actor)
            if (n == 3 and 210 <= minute < 270) or clock.now < busy_until[n]:
                continue
            current = console.console(ctx, n).current
            if current is not None:
                matters = hall.categories[current.category].matters
                matter = rng.choice(matters).names.zh_cn if matters and rng.random() < 0.6 else None
                counters.finish(ctx, n, actor, rng.choice(outcomes), matter)
                if rng.random() < 0.5:
                    level = rng.choices((5, 4, 3, 2, 1), (55, 25, 12, 5, 3))[0]
                    tickets.rate(ctx, tokens[current.number], level, "c")
            call = counters.call_next(ctx, n, actor)
            if call.ticket is not None and rng.random() < 0.05:
                counters.skip(ctx, n, actor)
            elif call.ticket is not None:
                minutes = hall.categories[call.ticket.category].service_minutes
                busy_until[n] = clock.now + rng.expovariate(1 / minutes) * 60
        clock.advance(60)
    for n in hall.counters:  # closing time: the last citizens are served
        if console.console(ctx, n).current is not None:
            counters.finish(ctx, n, _clerk_at(n))
    dispose_engines()


def start_hall(home: Path, log: Path) -> Hall:
    """A served hall whose long-wait alert fires at once (threshold 0 minutes)."""
    url = f"sqlite:///{home / 'yihao.db'}"
    config = home.parent / "hall.toml"
    config.write_text(
        SAMPLE_HALL.read_text(encoding="utf-8").replace(
            "alert_wait_minutes = 30", "alert_wait_minutes = 0"
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "YIHAO_HOME": str(home)}
    subprocess.run(
        [sys.executable, "-m", "caller_server.cli", "init", "--config", str(config)],
        cwd=REPO,
        check=True,
        capture_output=True,
        env=env,
    )
    ctx = sql_context(url, sample_hall())
    for name, (role, counter) in USERS.items():
        auth.add_user(ctx, name, PASSWORD, role, counter)
    kiosk = auth.create_token(ctx, "kiosk", None, "k")
    dispose_engines()
    seed_day(url, YESTERDAY)
    server = ServerProcess(home, url, free_port(), log, config=config)
    server.start()
    return Hall(server, kiosk, home)


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    base = tmp_path_factory.mktemp("web")
    home = base / "home"
    home.mkdir()
    h = start_hall(home, base / "server.log")
    yield h
    h.server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("Debian chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def login(browser: object, hall: Hall, user: str, viewport: tuple[int, int] = (1366, 768)):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})  # type: ignore[attr-defined]
    page.goto(f"{hall.url}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    return page


def login_reply(
    client: httpx.Client, user: str, password: str = PASSWORD, next: str = ""
) -> httpx.Response:
    """Fill in the login form as a browser does (with its CSRF field)."""
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form)
    assert csrf is not None, form
    data = {"username": user, "password": password, "csrf": csrf.group(1), "next": next}
    return client.post("/login", data=data)


def try_login(client: httpx.Client, user: str, password: str = PASSWORD) -> int:
    return login_reply(client, user, password).status_code


def api_session(hall: Hall, user: str) -> httpx.Client:
    """A plain HTTP client holding a browser session cookie (no JavaScript)."""
    client = httpx.Client(base_url=hall.url, timeout=10, follow_redirects=False)
    assert try_login(client, user) == 303
    return client


def csrf_of(client: httpx.Client, path: str) -> str:
    html = client.get(path).text
    start = html.index('name="csrf" content="') + len('name="csrf" content="')
    return html[start : html.index('"', start)]


def test_clerk_calls_and_the_wall_and_manager_follow_within_a_second(
    browser: object, hall: Hall
) -> None:
    hall.issue("A")
    hall.issue("B")
    clerk = login(browser, hall, "clerk1")
    assert clerk.url.endswith("/counter/1")
    wall = browser.new_page(viewport={"width": 1920, "height": 1080})  # type: ignore[attr-defined]
    wall.goto(f"{hall.url}/wall")
    manager = login(browser, hall, "boss")
    assert manager.url.endswith("/manager")
    wall.wait_for_function("document.querySelectorAll('.tile').length === 8")
    time.sleep(0.5)  # both event streams connected
    clerk.keyboard.press("F1")
    t0 = time.monotonic()
    wall.wait_for_selector('.tile[data-counter="1"] .num:text("A001")', timeout=1000)
    manager.wait_for_selector('#counters td:text("A001")', timeout=1000)
    elapsed = time.monotonic() - t0
    print(f"call visible on wall and manager after {elapsed * 1000:.0f} ms")
    clerk.wait_for_selector('#cur-number:text("A001")')
    assert "token" not in clerk.content()


def _console(client: httpx.Client, n: int) -> dict[str, object]:
    r = client.get(f"/api/v1/counters/{n}/console")
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def test_keyboard_shortcuts_drive_the_counter(browser: object, hall: Hall) -> None:
    hall.issue("B")
    clerk = login(browser, hall, "clerk2")
    watcher = api_session(hall, "clerk2")
    clerk.keyboard.press("F1")
    clerk.wait_for_function("document.getElementById('cur-number').textContent !== '—'")
    number = clerk.inner_text("#cur-number")
    clerk.keyboard.press("F4")  # 开始办理
    clerk.wait_for_selector('#cur-info dd:text("分钟")')
    assert _console(watcher, 2)["current"]["status"] == "serving"  # type: ignore[index]
    clerk.keyboard.press("F5")  # 办结: the outcome dialog, one key per outcome
    clerk.wait_for_selector("#dlg-finish[open]")
    clerk.keyboard.press("2")  # 受理转后台
    clerk.wait_for_selector("#cur-number:text('—')")
    clerk.keyboard.press("F7")  # 暂停 with a reason
    clerk.wait_for_selector("#dlg-pause[open]")
    clerk.keyboard.press("1")  # 午休
    clerk.wait_for_selector("#status.paused")
    clerk.keyboard.press("F7")  # 恢复
    clerk.wait_for_selector("#status.open")
    events = httpx.get(f"{hall.url}/api/v1/queue").json()
    assert events["counters"][1]["status"] == "open"
    log = _events(hall)
    finished = [e for e in log if e["kind"] == "finished" and e["number"] == number]
    assert finished and finished[-1]["data"]["outcome"] == "back_office"
    paused = [e for e in log if e["kind"] == "paused" and e["counter"] == 2]
    assert paused[-1]["data"]["reason"] == "lunch"
    assert all("token" not in e["data"] for e in log)


def _events(hall: Hall) -> list[dict[str, object]]:
    """The whole audit log, read from the hall's database."""
    ctx = sql_context(hall.server.db_url, sample_hall())
    with ctx.unit(write=False) as uow:
        events = uow.repo.events_since(0, 1_000_000)
    dispose_engines()
    return [{**asdict(e), "kind": e.kind.value} for e in events]


def test_a_clerk_acts_on_their_own_counter_only(hall: Hall) -> None:
    client = api_session(hall, "clerk1")
    page = client.get("/counter/2")
    assert page.status_code == 403 and "您只能操作 1 号窗口" in page.text
    csrf = csrf_of(client, "/counter/1")
    refused = client.post("/api/v1/counters/2/call-next", headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403
    assert client.get("/api/v1/counters/2/console").status_code == 403
    assert client.get("/manager").status_code == 403


def test_a_post_without_the_csrf_token_is_refused(hall: Hall) -> None:
    client = api_session(hall, "clerk1")
    before = httpx.get(f"{hall.url}/healthz").json()["seq"]
    assert client.post("/api/v1/counters/1/recall").status_code == 403
    wrong = client.post("/api/v1/counters/1/recall", headers={"X-CSRF-Token": "0" * 32})
    assert wrong.status_code == 403
    assert client.post("/logout").status_code == 403  # the form field is missing
    for target, landing in (
        ("/manager", "/manager"),
        ("//evil.example", "/counter/1"),
        ("/\\evil.example", "/counter/1"),
    ):
        reply = login_reply(httpx.Client(base_url=hall.url), "clerk1", next=target)
        assert reply.status_code == 303 and reply.headers["location"] == landing
    bare = httpx.post(f"{hall.url}/login", data={"username": "clerk1", "password": PASSWORD})
    assert bare.status_code == 403 and session.COOKIE not in bare.cookies
    assert httpx.get(f"{hall.url}/healthz").json()["seq"] == before  # nothing happened


def test_double_calls_from_two_browsers_call_once(hall: Hall) -> None:
    hall.issue("C")
    hall.issue("C")
    a, b = api_session(hall, "boss"), api_session(hall, "boss")
    ha = {"X-CSRF-Token": csrf_of(a, "/manager")}
    hb = {"X-CSRF-Token": csrf_of(b, "/manager")}
    shown = _console(a, 6)["current"]
    expect = shown["number"] if shown else ""  # type: ignore[index]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        replies = list(
            pool.map(
                lambda c_h: c_h[0].post(
                    f"/api/v1/counters/6/call-next?if_current={expect}", headers=c_h[1]
                ),
                [(a, ha), (b, hb)],
            )
        )
    codes = sorted(r.status_code for r in replies)
    assert codes == [200, 409], [r.text for r in replies]
    refused = next(r for r in replies if r.status_code == 409).json()
    assert refused["code"] == "counter_state_changed"
    called = next(r for r in replies if r.status_code == 200).json()
    assert "token" not in called["ticket"] and "status_url" not in called["ticket"]


def test_the_session_expires_after_twelve_hours_and_logout_ends_it(hall: Hall) -> None:
    client = api_session(hall, "clerk1")
    value = client.cookies[session.COOKIE]
    token = value.split(".")[0]
    secret = load_secret(hall.home)
    fresh = httpx.Client(
        base_url=hall.url, cookies={session.COOKIE: session.seal(secret, token, int(time.time()))}
    )
    assert fresh.get("/counter/1").status_code == 200
    old = int(time.time()) - session.LIFETIME - 60
    stale = httpx.Client(
        base_url=hall.url, cookies={session.COOKIE: session.seal(secret, token, old)}
    )
    assert stale.get("/counter/1").headers["location"].startswith("/login")
    assert stale.get("/api/v1/counters/1/console").status_code == 401
    csrf = csrf_of(client, "/counter/1")
    assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    assert fresh.get("/api/v1/counters/1/console").status_code == 401  # the token is revoked


def test_an_alert_is_raised_and_acknowledged(browser: object, hall: Hall) -> None:
    hall.issue("D")
    manager = login(browser, hall, "boss")
    manager.wait_for_selector("#alerts button[data-ack]")
    key = manager.get_attribute("#alerts button[data-ack]", "data-ack")
    manager.click(f'#alerts button[data-ack="{key}"]')
    manager.wait_for_selector(f'#alerts .alert.acked[data-key="{key}"]')
    shown = manager.inner_text(f'#alerts .alert.acked[data-key="{key}"]')
    acks = [e for e in _events(hall) if e["kind"] == "alert_acked"]
    assert acks[-1]["data"]["key"] == key
    when = datetime.fromtimestamp(float(acks[-1]["at"]), SHANGHAI).strftime("%H:%M:%S")  # type: ignore[arg-type]
    assert shown.endswith(f"boss · {when}")  # who and when


def test_figures_equal_the_ones_recomputed_from_the_audit_events(hall: Hall) -> None:
    """Yesterday was served in full (``seed_day``); its CSV must match a recount of its events."""
    boss = api_session(hall, "boss")
    text = boss.get(f"/manager/figures.csv?day={YESTERDAY}").text.lstrip("\ufeff")
    rows = {(r["scope"], r["key"]): r for r in csv.DictReader(io.StringIO(text))}
    log = [
        e
        for e in _events(hall)
        if datetime.fromtimestamp(float(e["at"]), SHANGHAI).date() == YESTERDAY  # type: ignore[arg-type]
    ]
    assert sum(1 for e in log if e["kind"] == "issued") > 150  # a real day, not a handful

    def hour(e: dict[str, object]) -> int:
        return datetime.fromtimestamp(float(e["at"]), SHANGHAI).hour  # type: ignore[arg-type]

    for kind, column in (("issued", "issued"), ("finished", "done")):
        per_hour = [sum(1 for e in log if e["kind"] == kind and hour(e) == h) for h in range(24)]
        assert [int(rows[("hour", f"{h:02d}")][column]) for h in range(24)] == per_hour
    finished = [e for e in log if e["kind"] == "finished"]
    outcome = {id(e): e["data"].get("outcome", "done") for e in finished}  # type: ignore[union-attr]

    def once(group: list[dict[str, object]]) -> float:
        counted = [e for e in group if outcome[id(e)] != "consult"]
        return sum(outcome[id(e)] in ("done", "back_office") for e in counted) / len(counted)

    for code in "ABCD":
        group = [e for e in finished if e["category"] == code]
        if any(outcome[id(e)] != "consult" for e in group):
            assert float(rows[("category", code)]["once_rate"]) == pytest.approx(once(group))
    matters = {(e["category"], e["data"]["matter"]) for e in finished if e["data"].get("matter")}  # type: ignore[union-attr]
    assert len(matters) >= 3
    for code, matter in matters:
        group = [e for e in finished if e["category"] == code and e["data"].get("matter") == matter]  # type: ignore[union-attr]
        if any(outcome[id(e)] != "consult" for e in group):
            assert float(rows[("matter", f"{code}·{matter}")]["once_rate"]) == pytest.approx(
                once(group)
            )
    hall_row = rows[("hall", "all")]
    assert int(hall_row["done"]) == len(finished)
    assert int(hall_row["no_show"]) == sum(1 for e in log if e["kind"] == "no_show")
    levels = [int(e["data"]["level"]) for e in log if e["kind"] == "rated"]  # type: ignore[index]
    assert float(hall_row["satisfaction_rate"]) == pytest.approx(
        sum(level >= 3 for level in levels) / len(levels)
    )
    for n in (1, 2, 7):  # one clerk per counter on the seeded day
        served = sum(1 for e in finished if e["counter"] == n)
        assert int(rows[("clerk", f"clerk{n}")]["served"]) == served
    paused = float(rows[("clerk", "staff3")]["paused_minutes"])
    assert paused == 60.0  # the lunch pause of counter 3
    page = boss.get(f"/manager/figures?day={YESTERDAY}").text
    assert page.count("<svg") == 3 and "一次办妥率" in page and "非常不满意" in page


SHOTS = [("login", "/login", None), ("console", "/counter/1", "clerk1"), ("wall", "/wall", None)]
SHOTS += [("manager", "/manager", "boss"), ("figures", f"/manager/figures?day={YESTERDAY}", "boss")]
SHOTS += [("desk", "/manager/desk", "boss"), ("admin", "/admin", "root"), ("docs", "/docs", None)]


def test_screenshots_of_every_page_fit_the_screen(browser: object, hall: Hall) -> None:
    """Every page at 1366×768 and 1920×1080 in the three languages, none wider than the screen.

    Set ``YIHAO_WEB_SHOTS`` to a directory to keep the images (docs/img holds a chosen set).
    """
    out = Path(os.environ.get("YIHAO_WEB_SHOTS", hall.home.parent / "shots"))
    out.mkdir(parents=True, exist_ok=True)
    ticket = hall.issue("B", age=75)  # a priority ticket for the look-ahead
    near_end = {"reader": "ok", "printer": "paper_near_end", "version": "1.0"}
    kiosk = {"Authorization": f"Bearer {hall.kiosk}"}
    assert httpx.put(f"{hall.url}/api/v1/kiosks/1F-east/health", json=near_end, headers=kiosk)
    shots = [*SHOTS, ("ticket", f"/t/{ticket['token']}", None)]
    for width, height in ((1366, 768), (1920, 1080)):
        users = ("clerk1", "boss", "root")
        pages = {user: login(browser, hall, user, (width, height)) for user in users}
        pages[None] = browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
        for lang in ("zh-CN", "zh-TW", "en"):
            for name, path, user in shots:
                page = pages[user]
                page.goto(f"{hall.url}{path}{'&' if '?' in path else '?'}lang={lang}")
                page.wait_for_load_state("networkidle")
                if name == "docs":
                    page.wait_for_selector(".swagger-ui .opblock")
                overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
                assert overflow <= 0, f"{name} {lang} {width}: {overflow}px wider than the screen"
                page.screenshot(path=str(out / f"web-{name}-{lang}-{width}x{height}.png"))
        for page in pages.values():
            page.close()
    wall = browser.new_page(viewport={"width": 3840, "height": 2160})  # type: ignore[attr-defined]
    wall.goto(f"{hall.url}/wall")
    wall.wait_for_load_state("networkidle")
    assert wall.evaluate("document.documentElement.scrollHeight") <= 2160
    wall.screenshot(path=str(out / "web-wall-zh-CN-3840x2160.png"))
    wall.close()


def _form(client: httpx.Client, path: str, csrf_page: str, **data: object) -> str:
    """POST a form like the page does; returns the message or error it redirects with."""
    r = client.post(path, data={"csrf": csrf_of(client, csrf_page), **data})
    assert r.status_code == 303, r.text
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(r.headers["location"]).query)
    return (query.get("msg") or ["ERROR " + query.get("error", [""])[0]])[0]


def test_admin_manages_users_tokens_and_the_hall_without_restart(hall: Hall) -> None:
    root = api_session(hall, "root")
    assert api_session(hall, "boss").get("/admin").status_code == 403
    assert "已添加" in _form(
        root,
        "/admin/users",
        "/admin",
        username="li",
        password="li-pass-1",
        role="clerk",
        counter="3",
    )
    assert (
        _form(
            root,
            "/admin/users",
            "/admin",
            username="li",
            password="x-pass-12",
            role="clerk",
            counter="3",
        )
        == "ERROR 用户名已存在"
    )
    assert (
        _form(
            root,
            "/admin/users",
            "/admin",
            username="bad",
            password="short",
            role="clerk",
            counter="3",
        )
        == "ERROR 密码至少 8 位"
    )
    li = httpx.Client(base_url=hall.url)
    assert try_login(li, "li", "li-pass-1") == 303
    assert li.get("/api/v1/counters/3/console").status_code == 200
    assert "已停用" in _form(root, "/admin/users/li/disable", "/admin", disabled="1")
    assert li.get("/api/v1/counters/3/console").status_code == 401  # signed out at once
    assert try_login(httpx.Client(base_url=hall.url), "li", "li-pass-1") == 401
    assert "已启用" in _form(root, "/admin/users/li/disable", "/admin", disabled="0")
    assert "已重置" in _form(root, "/admin/users/li/password", "/admin", password="new-pass-2")
    assert try_login(httpx.Client(base_url=hall.url), "li", "li-pass-1") == 401
    assert try_login(httpx.Client(base_url=hall.url), "li", "new-pass-2") == 303

    extra = hall.issue("D")
    assert extra["number"]
    tokens = root.get("/admin").text
    assert ">k<" in tokens  # the kiosk token's label is listed, never the token itself
    assert hall.kiosk not in tokens
    row = re.search(r"<tr><td>(\d+)</td><td>自助取号机</td><td></td><td>k</td>", tokens)
    assert row is not None, tokens
    kiosk_id = row.group(1)

    # counters ↔ categories: validated by the hall rules, applied at once
    assert _form(root, "/admin/counters/7", "/admin", categories="D, Q").startswith(
        "ERROR 大厅配置错误"
    )
    assert "已改为" in _form(root, "/admin/counters/7", "/admin", categories="C:1, D:2")
    snap = httpx.get(f"{hall.url}/api/v1/queue").json()
    assert snap["counters"][6]["categories"] == ["C", "D"]
    assert "C:1, D:2" in root.get("/admin").text
    assert _form(
        root, "/admin/categories/D", "/admin", hours="25:00-26:00", daily_cap="100"
    ).startswith("ERROR")
    assert "已更新" in _form(
        root, "/admin/categories/D", "/admin", hours="00:00-24:00", daily_cap="400"
    )
    assert hall.server.config is not None  # the file it was started with is the one written
    assert "daily_cap = 400" in hall.server.config.read_text(encoding="utf-8")
    assert "已改为" in _form(root, "/admin/counters/7", "/admin", categories="D")
    admin_events = [e for e in _events(hall) if e["kind"] == "admin"]
    whats = [e["data"]["what"] for e in admin_events]
    assert whats.count("counter_categories") == 2 and "category_hours" in whats
    assert {"user_added", "user_disabled", "user_enabled", "password_reset"} <= set(whats)
    assert all(e["actor"] == "admin:login:root" for e in admin_events)

    assert "已吊销" in _form(root, f"/admin/tokens/{kiosk_id}/revoke", "/admin")
    r = httpx.post(
        f"{hall.url}/api/v1/tickets",
        json={"category": "D"},
        headers={"Authorization": f"Bearer {hall.kiosk}"},
    )
    assert r.status_code == 401
    hall.kiosk = _new_kiosk_token(hall)
    assert _form(root, "/admin/devices/nope/pair", "/admin", pin="1234").startswith("ERROR")


def _new_kiosk_token(hall: Hall) -> str:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "caller_server.cli",
            "token",
            "create",
            "--role",
            "kiosk",
            "--db",
            hall.server.db_url,
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "YIHAO_HOME": str(hall.home)},
    )
    return out.stdout.strip().splitlines()[-1]


def test_bad_review_case_notice_and_appointments(hall: Hall) -> None:
    clerk = api_session(hall, "clerk7")
    csrf = {"X-CSRF-Token": csrf_of(clerk, "/counter/7")}
    ticket = hall.issue("D")
    clerk.post("/api/v1/counters/7/finish", headers=csrf)  # whatever was left
    called = clerk.post("/api/v1/counters/7/call-next", headers=csrf).json()["ticket"]
    while called["number"] != ticket["number"]:
        called = clerk.post("/api/v1/counters/7/call-next", headers=csrf).json()["ticket"]
    assert clerk.post("/api/v1/counters/7/finish", headers=csrf).status_code == 200
    rated = httpx.post(f"{hall.url}/api/v1/tickets/{ticket['token']}/rating", json={"level": 1})
    assert rated.status_code == 200
    boss = api_session(hall, "boss")
    assert f"{ticket['number']} 收到差评" in boss.get("/manager/live").text
    desk = boss.get("/manager/desk").text
    case_id = (
        desk.split(f"<td>{ticket['number']}</td>")[0].rsplit('data-case="', 1)[1].split('"')[0]
    )
    assert (
        _form(boss, f"/manager/cases/{case_id}/close", "/manager/desk")
        == "ERROR 请先记录回访和整改情况"
    )
    assert (
        _form(
            boss,
            f"/manager/cases/{case_id}/follow_up",
            "/manager/desk",
            text="已电话回访，群众反映等候过久",
        )
        == "已记录"
    )
    assert (
        _form(boss, f"/manager/cases/{case_id}/fix", "/manager/desk", text="午间增开窗口")
        == "已记录"
    )
    assert _form(boss, f"/manager/cases/{case_id}/close", "/manager/desk") == "差评工单已办结"
    assert (
        _form(boss, f"/manager/cases/{case_id}/fix", "/manager/desk", text="x")
        == "ERROR 该工单已办结"
    )
    ratings = boss.get("/manager/ratings.json").json()["ratings"]
    assert any(r["number"] == ticket["number"] and r["level"] == 1 and r["bad"] for r in ratings)
    assert ticket["number"] in boss.get("/manager/ratings.csv").text

    assert (
        _form(boss, "/manager/notice", "/manager/desk", text="今日 12:00-13:30 午间不间断服务")
        == "通知已更新"
    )
    assert "午间不间断服务" in httpx.get(f"{hall.url}/wall").text
    assert httpx.get(f"{hall.url}/wall.json").json()["notice"].startswith("今日")

    day = httpx.get(f"{hall.url}/api/v1/queue").json()["day"]
    who = identity(hall.rng).id_number

    def book(start: str) -> str:
        slot = {"id_number": who, "category": "B", "day": day, "start": start, "end": "23:50"}
        return _form(boss, "/manager/appointments", "/manager/desk", **slot)

    booked = book("23:30")
    assert booked.startswith("已预约") and who not in booked and who[-4:] in booked
    bad = book("9")
    assert bad.startswith("ERROR 预约信息有误") and who not in bad
    other = identity(hall.rng).id_number
    csv_text = f"id_number,category,date,start,end,reference\n{other},C,{day},23:00,23:20,WEB-1\n"
    assert (
        _form(boss, "/manager/appointments/import", "/manager/desk", csv_text=csv_text)
        == "已导入 1 条预约"
    )
    listed = boss.get(f"/manager/desk?day={day}").text
    assert (
        "23:30–23:50" in listed and "WEB-1" in listed and other not in listed and who not in listed
    )


RECORD_VIBRATE_AND_NOTIFY = """
(function () {
  function keep(name, value) {
    var list = JSON.parse(sessionStorage.getItem(name) || "[]");
    list.push(value);
    sessionStorage.setItem(name, JSON.stringify(list));
  }
  var Real = window.Notification;
  function Recorded(text, options) { keep("notes", text); return new Real(text, options); }
  Object.defineProperty(Recorded, "permission", {get: function () { return Real.permission; }});
  Recorded.requestPermission = Real.requestPermission.bind(Real);
  window.Notification = Recorded;
  navigator.vibrate = function (pattern) { keep("vibrate", pattern); return true; };
})();
"""


def test_status_page_follows_the_ticket_live_in_three_languages(
    browser: object, hall: Hall
) -> None:
    clerk = api_session(hall, "clerk7")
    csrf = {"X-CSRF-Token": csrf_of(clerk, "/counter/7")}
    while _console(clerk, 7)["waiting"]:
        clerk.post("/api/v1/counters/7/call-next", headers=csrf)
    clerk.post("/api/v1/counters/7/finish", headers=csrf)
    mine = [hall.issue("D") for _ in range(4)][-1]
    # the citizen allowed notifications; the phone's vibrator and notification centre are
    # the edge: calls to them are recorded (sessionStorage survives the page's reload)
    phone_context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 390, "height": 844}, permissions=["notifications"]
    )
    phone_context.add_init_script(RECORD_VIBRATE_AND_NOTIFY)
    phone = phone_context.new_page()
    phone.goto(f"{hall.url}/t/{mine['token']}")
    assert "前面还有" in phone.inner_text(".state") and "即将" not in phone.inner_text("body")
    clerk.post("/api/v1/counters/7/call-next", headers=csrf)
    phone.wait_for_selector(".soon:text('即将轮到您')", timeout=3000)  # two ahead now
    clerk.post("/api/v1/counters/7/call-next", headers=csrf)
    clerk.post("/api/v1/counters/7/call-next", headers=csrf)
    called = clerk.post("/api/v1/counters/7/call-next", headers=csrf).json()["ticket"]
    assert called["number"] == mine["number"]
    phone.wait_for_selector(".called:text('请到 7 号窗口办理')", timeout=3000)
    recorded = phone.evaluate("[sessionStorage.vibrate, sessionStorage.notes]")
    assert recorded == ["[[300,150,300,150,600]]", f'["{mine["number"]} · 请到 7 号窗口办理"]']
    phone.goto(f"{hall.url}/t/{mine['token']}?lang=en")
    assert "Please go to counter 7" in phone.inner_text(".state")
    phone.goto(f"{hall.url}/t/{mine['token']}?lang=zh-TW")
    assert "請到 7 號窗口辦理" in phone.inner_text(".state")
    clerk.post("/api/v1/counters/7/finish", headers=csrf)
    phone.wait_for_selector("button[name=level]", timeout=3000)  # the 好差評 form appears
    assert "非常滿意" in phone.inner_text("form")
    phone_context.close()


def test_two_browsers_on_one_counter_both_follow(browser: object, hall: Hall) -> None:
    hall.issue("A")
    first = login(browser, hall, "clerk1")
    second = login(browser, hall, "clerk1")
    time.sleep(0.5)  # both streams connected
    first.keyboard.press("F1")
    first.wait_for_function("document.getElementById('cur-number').textContent !== '—'")
    number = first.inner_text("#cur-number")
    second.wait_for_selector(f"#cur-number:text('{number}')", timeout=2000)
    second.keyboard.press("F2")  # 重呼 from the other browser: allowed, same ticket
    second.wait_for_selector("#error", state="hidden")
    first.close()
    second.close()


def test_wall_and_status_page_show_the_state_without_javascript(
    browser: object, hall: Hall
) -> None:
    ticket = hall.issue("D")
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    tv = context.new_page()
    tv.goto(f"{hall.url}/wall")
    snap = httpx.get(f"{hall.url}/api/v1/queue").json()
    for c in snap["counters"]:
        shown = tv.inner_text(f'.tile[data-counter="{c["number"]}"] .num')
        assert shown == (c["current"]["number"] if c["current"] else "—")
    assert 'http-equiv="refresh"' in tv.content()  # the old TV reloads by itself
    phone = context.new_page()
    phone.goto(f"{hall.url}/t/{ticket['token']}")
    assert ticket["number"] in phone.inner_text("h1") and "前面还有" in phone.inner_text(".state")
    context.close()


def test_figures_print_on_one_page(browser: object, hall: Hall) -> None:
    page = login(browser, hall, "boss")
    page.goto(f"{hall.url}/manager/figures?day={YESTERDAY}")
    pdf = page.pdf(format="A4", landscape=True, print_background=False)
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    print(f"figures print view: {pages} page(s), {len(pdf)} bytes")
    out = Path(os.environ.get("YIHAO_WEB_SHOTS", hall.home.parent / "shots"))
    out.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    page.emulate_media(media="print")
    page.screenshot(path=str(out / "web-figures-print.png"), full_page=True)
    assert pages == 1
    page.close()


def test_a_kiosks_printer_fault_is_alerted_live_until_fixed(browser: object, hall: Hall) -> None:
    """A kiosk reports over HTTP; the open dashboard shows the alert, it is acknowledged,
    and it goes away when the kiosk reports the printer fixed."""
    manager = login(browser, hall, "boss")
    time.sleep(0.5)  # the dashboard's event stream connected

    def report(printer: str, near_end: bool = False) -> None:
        r = httpx.put(
            f"{hall.url}/api/v1/kiosks/kiosk-e2e/health",
            json={"reader": "ok", "printer": printer, "paper_near_end": near_end, "version": "t"},
            headers={"Authorization": f"Bearer {hall.kiosk}"},
        )
        assert r.status_code == 204, r.text

    report("ok")
    # this kiosk's alert only: the screenshots' kiosk 1F-east may still report paper near end
    fault = '#alerts .alert[data-key^="printer_fault:::kiosk-e2e:"]'
    assert manager.query_selector(fault) is None
    report("paper_out")
    manager.wait_for_selector(fault, timeout=5000)  # live: no reload
    assert "自助机 kiosk-e2e：打印机缺纸" in manager.inner_text(fault)
    row = '#kiosks tr[data-kiosk="kiosk-e2e"]'  # the kiosk's health, beside the alert
    assert "● kiosk-e2e" in manager.inner_text(row) and "缺纸" in manager.inner_text(row)
    manager.click(f"{fault} button[data-ack]")
    manager.wait_for_selector(f"{fault}.acked")
    assert "boss" in manager.inner_text(f"{fault}.acked")
    report("ok", near_end=True)  # a new condition: a new alert to acknowledge
    manager.wait_for_selector(f"{fault}:not(.acked) button[data-ack]", timeout=5000)
    assert "打印纸将用完" in manager.inner_text(fault)
    report("ok")
    manager.wait_for_selector(fault, state="detached", timeout=5000)
    assert manager.inner_text(row).split("\t")[2] == "正常"
    faults = [e["data"].get("fault") for e in _events(hall) if e["kind"] == "alert"]
    assert faults[-3:] == ["paper_out", "paper_near_end", "ok"]
    manager.close()


def test_the_session_cookie_is_secure_under_tls_only(
    browser: object, hall: Hall, tmp_path: Path
) -> None:
    plain = httpx.Client(base_url=hall.url)
    reply = login_reply(plain, "boss")
    cookie = reply.headers["set-cookie"]
    assert reply.status_code == 303 and session.COOKIE in cookie
    assert "secure" not in cookie.lower()  # the single-machine demo over plain HTTP
    assert plain.get("/manager").status_code == 200

    home = tmp_path / "home"
    home.mkdir()
    url = f"sqlite:///{home / 'yihao.db'}"
    env = {**os.environ, "YIHAO_HOME": str(home)}
    cmd = [sys.executable, "-m", "caller_server.cli", "init", "--db", url]
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True, env=env)
    ctx = sql_context(url, sample_hall())
    auth.add_user(ctx, "boss", PASSWORD, "manager", None)
    dispose_engines()
    server = ServerProcess(home, url, free_port(), tmp_path / "tls.log", tls=True)
    server.start()
    try:
        secure = httpx.Client(base_url=server.url, verify=False)
        form = secure.get("/login")
        assert "; secure" in form.headers["set-cookie"].lower()  # the login form's nonce too
        reply = login_reply(secure, "boss")
        cookie = reply.headers["set-cookie"]
        assert reply.status_code == 303 and session.COOKIE in cookie
        assert "; secure" in cookie.lower() and "httponly" in cookie.lower()
        assert secure.get("/manager").status_code == 200
        page = browser.new_page(ignore_https_errors=True)  # type: ignore[attr-defined]
        page.goto(f"{server.url}/login")
        page.fill("input[name=username]", "boss")
        page.fill("input[name=password]", PASSWORD)
        page.click("button.primary")
        page.wait_for_url(f"{server.url}/manager")
        (stored,) = [c for c in page.context.cookies() if c["name"] == session.COOKIE]
        assert stored["secure"] and stored["httpOnly"] and stored["sameSite"] == "Strict"
        page.close()
    finally:
        server.stop()


SIMPLIFIED_ONLY = frozenset(
    "与业个为于仅从价众优会体关内写况准则别办务动医单厂厅发变号后启员咨国备复头实审对导将尝"
    "属并广库应开异张当录态户报换据数断无时显暂机权条来标检没滚满状现电监盖盘码确离签简类约级"
    "纸线绑结络绝统绩续维综绿编网联补计认议记许设访证评试询该语误说请谢败资转轮载输达过还这进"
    "连选钟钥销错长闭问闲间队页项顺须预"
)
"""Simplified characters of the hall's texts whose Traditional form differs (an oracle
written out by hand, independent of the converter the pages use)."""


def _simplified(text: str) -> str:
    return "".join(sorted(SIMPLIFIED_ONLY & set(text)))


STAFF_TEXT_REMOVED = """(() => {
  document.querySelectorAll("[translate=no]").forEach((e) => e.remove());
  return document.body.innerText;
})()"""
"""The page's text without what staff typed (notice, case notes: shown as typed)."""


def test_zh_tw_pages_have_no_simplified_only_text(browser: object, hall: Hall) -> None:
    """Policy reasons, console errors, alerts, messages, refusals, figures and matters in
    zh-TW: no Simplified-only character anywhere on the page."""
    hall.issue("B", age=75)  # a priority reason in the look-ahead
    hall.issue("A")
    report = {"reader": "ok", "printer": "paper_out", "version": "t"}
    auth = {"Authorization": f"Bearer {hall.kiosk}"}
    assert httpx.put(f"{hall.url}/api/v1/kiosks/tw/health", json=report, headers=auth).is_success
    clerk_api = api_session(hall, "clerk1")
    csrf = {"X-CSRF-Token": csrf_of(clerk_api, "/counter/1")}
    clerk_api.post("/api/v1/counters/1/finish", headers=csrf)  # whatever was left
    problem = clerk_api.post("/api/v1/counters/1/skip", headers=csrf).json()
    assert problem["code"] == "no_current_ticket" and _simplified(problem["detail"])
    assert problem["detail_tw"] == "1 號窗口當前沒有號票"

    clerk = login(browser, hall, "clerk1")
    clerk.goto(f"{hall.url}/counter/1?lang=zh-TW")
    clerk.wait_for_selector("#next li small")
    clerk.keyboard.press("F3")  # no-show without a current ticket: the error in zh-TW
    clerk.wait_for_selector("#error:not([hidden])")
    assert clerk.inner_text("#error") == "1 號窗口當前沒有號票"
    assert "綠色通道：長者優先" in clerk.inner_text("#next")
    pages = {"console": clerk.inner_text("body")}
    clerk.goto(f"{hall.url}/counter/2?lang=zh-TW")
    pages["refusal"] = clerk.inner_text("body")
    assert "您只能操作 1 號窗口" in pages["refusal"]
    clerk.close()

    boss = login(browser, hall, "boss")
    for name, path in (
        ("manager", "/manager"),
        ("figures", f"/manager/figures?day={YESTERDAY}"),
        ("desk", "/manager/desk"),
        ("wall", "/wall"),
    ):
        boss.goto(f"{hall.url}{path}{'&' if '?' in path else '?'}lang=zh-TW")
        boss.wait_for_load_state("networkidle")
        pages[name] = boss.evaluate(STAFF_TEXT_REMOVED)
    assert "自助機 tw：印表機缺紙，請立即加紙" in pages["manager"]
    assert "已等候" in pages["manager"]  # the long-wait alerts (threshold 0 in this hall)
    assert "企業投資項目備案" in pages["figures"]  # a matter in its zh-TW name
    boss.close()

    root = api_session(hall, "root")
    root.cookies.set("yihao_lang", "zh-TW")
    pages["admin error"] = _form(root, "/admin/counters/1", "/admin", categories="A:x")
    pages["admin message"] = _form(root, "/admin/counters/1", "/admin", categories="A, B")
    assert pages["admin message"] == "1 號窗口已改為 A, B"
    # the language switch names each language in its own script: 简体 is meant to be there
    found = {name: _simplified(text.replace("简体", "")) for name, text in pages.items()}
    assert not any(found.values()), found


def test_api_docs_load_from_vendored_files_only(browser: object, hall: Hall) -> None:
    """Swagger UI at /docs works in a hall without internet: every request stays local."""
    html = httpx.get(f"{hall.url}/docs").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    page = browser.new_page()  # type: ignore[attr-defined]
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{hall.url}/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    assert len(page.query_selector_all(".swagger-ui .opblock")) > 20  # the whole API
    assert requested and all(u.startswith(hall.url) for u in requested), requested
    page.close()
