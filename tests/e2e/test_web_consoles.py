"""The web consoles in Debian's Chromium (Playwright driving /usr/bin/chromium).

One server for the module: a clerk logs in and calls, the wall and the manager
dashboard follow; shortcuts; another counter refused; CSRF; session expiry.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from caller_server.services import auth
from caller_server.settings import load_secret
from caller_server.web import session
from tests.serverkit import (
    REPO,
    ServerProcess,
    dispose_engines,
    free_port,
    identity,
    sample_hall,
    sql_context,
)

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pass-word-1"
USERS = {"clerk1": ("clerk", 1), "clerk2": ("clerk", 2), "boss": ("manager", None)}


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


def start_hall(home: Path, log: Path) -> Hall:
    url = f"sqlite:///{home / 'yihao.db'}"
    env = {**os.environ, "YIHAO_HOME": str(home)}
    subprocess.run(
        [sys.executable, "-m", "caller_server.cli", "init"],
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
    server = ServerProcess(home, url, free_port(), log)
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


def api_session(hall: Hall, user: str) -> httpx.Client:
    """A plain HTTP client holding a browser session cookie (no JavaScript)."""
    client = httpx.Client(base_url=hall.url, timeout=10, follow_redirects=False)
    r = client.post("/login", data={"username": user, "password": PASSWORD})
    assert r.status_code == 303, r.text
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
