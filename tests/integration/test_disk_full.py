"""A full disk: every write answers 503 ``disk_full``, /healthz says so, nothing issued is lost.

The database lives on a small tmpfs the test mounts (root only) and fills up itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from caller_server.services import auth
from caller_server.store import tables as t
from tests.serverkit import (
    ServerProcess,
    dispose_engines,
    free_port,
    initialised,
    tmpfs,
)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "disk") as mount:
        yield mount


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


def test_disk_full_is_said_and_service_resumes(small_disk: Path, tmp_path: Path) -> None:
    home = small_disk / "home"
    home.mkdir()
    url = f"sqlite:///{home / 'yihao.db'}"
    token = auth.create_token(initialised(home, url), "kiosk", None, "k")
    dispose_engines()
    server = ServerProcess(home, url, free_port(), tmp_path / "server.log", grace=5)
    server.start()
    issued: list[str] = []
    try:
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        ) as http:

            def issue() -> httpx.Response:
                response = http.post("/api/v1/tickets", json={"category": "D"})
                if response.status_code == 201:
                    issued.append(response.json()["number"])
                return response

            assert issue().status_code == 201
            filler = _fill(small_disk)
            refused = [issue() for _ in range(200)]
            full = [r for r in refused if r.status_code == 503]
            assert full, "the disk never filled up"
            assert {r.json()["code"] for r in full} == {"disk_full"}
            assert "磁盘空间不足" in full[-1].json()["detail"]
            health = http.get("/healthz")
            assert health.status_code == 503
            assert health.json()["writes"] == "disk_full"

            filler.unlink()
            assert issue().status_code == 201
            assert http.get("/healthz").status_code == 200
    finally:
        server.stop()
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(select(t.tickets.c.number)).scalars().all()
        count = conn.execute(select(func.count()).select_from(t.tickets)).scalar_one()
    engine.dispose()
    assert sorted(stored) == sorted(issued) and count == len(issued)
    assert "Traceback" not in (tmp_path / "server.log").read_text(encoding="utf-8")
