"""The page behind the ticket's QR code, rendered by real Chromium, and its rating form."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from caller_server.services import auth
from tests.serverkit import (
    REPO,
    ServerProcess,
    dispose_engines,
    free_port,
    sample_hall,
    sql_context,
)


@pytest.fixture
def server(yihao_home: Path, tmp_path: Path) -> Iterator[tuple[ServerProcess, str, str]]:
    url = f"sqlite:///{yihao_home / 'yihao.db'}"
    subprocess.run(
        [sys.executable, "-m", "caller_server.cli", "init"],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    ctx = sql_context(url, sample_hall())
    kiosk = auth.create_token(ctx, "kiosk", None, "k")
    clerk = auth.create_token(ctx, "clerk", 7, "c7")
    dispose_engines()
    proc = ServerProcess(yihao_home, url, free_port(), tmp_path / "server.log")
    proc.start()
    yield proc, kiosk, clerk
    proc.stop()


def _chromium_dom(url: str, profile: Path) -> str:
    binary = shutil.which("chromium")
    if binary is None:
        pytest.skip("Debian chromium is not installed")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    flags += ["--disable-component-update", "--disable-sync", "--no-first-run"]
    out = subprocess.run(
        [binary, *flags, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=90,
    )
    return out.stdout


def test_page_follows_the_ticket_and_takes_one_rating(
    server: tuple[ServerProcess, str, str], tmp_path: Path
) -> None:
    proc, kiosk, clerk = server
    with httpx.Client(base_url=proc.url, timeout=10) as http:
        issued = [
            http.post(
                "/api/v1/tickets",
                json={"category": "D"},
                headers={"Authorization": f"Bearer {kiosk}"},
            ).json()
            for _ in range(2)
        ]
        page = issued[1]["status_url"].replace("http://127.0.0.1:8600", proc.url)
        assert page.endswith(f"/t/{issued[1]['token']}")
        dom = _chromium_dom(page, tmp_path / "chrome")
        assert "D002" in dom and "前面还有 <b>1</b> 人" in dom and "综合咨询" in dom
        staff = {"Authorization": f"Bearer {clerk}"}
        http.post("/api/v1/counters/7/call-next", headers=staff)
        http.post("/api/v1/counters/7/call-next", headers=staff)
        assert "请到 <b>7</b> 号窗口办理" in http.get(f"/t/{issued[1]['token']}").text
        http.post("/api/v1/counters/7/finish", headers=staff)
        done = http.get(f"/t/{issued[1]['token']}").text
        assert "已办结" in done and 'name="level" value="1"' in done
        rated = http.post(f"/t/{issued[1]['token']}/rating", data={"level": "4"})
        assert rated.status_code == 303
        again = http.post(f"/t/{issued[1]['token']}/rating", data={"level": "1"})
        assert again.status_code == 303
        final = http.get(f"/t/{issued[1]['token']}").text
        assert "您的评价：满意" in final and 'name="level"' not in final
        assert http.get(f"/api/v1/tickets/{issued[1]['token']}").json()["rating"] == 4
        missing = http.get("/t/not-a-ticket")
        assert missing.status_code == 404 and "没有找到该号票" in missing.text
