"""PostgreSQL refusing connections answers 503 problem+json; service resumes when it is back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import text

from caller_server.services import auth
from caller_server.store.engine import make_engine
from tests.serverkit import (
    REPO,
    ServerProcess,
    dispose_engines,
    free_port,
    sample_hall,
    sql_context,
)


def _admin(url: str, *statements: str) -> None:
    """Run on the server's ``postgres`` database (the test database may refuse us)."""
    engine = make_engine(url.rsplit("/", 1)[0] + "/postgres")
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def test_database_outage_is_a_503_and_recovers(
    pg_url: str, yihao_home: Path, tmp_path: Path
) -> None:
    from tests.serverkit import reset_database

    reset_database(pg_url)
    init = [sys.executable, "-m", "caller_server.cli", "init", "--db", pg_url]
    subprocess.run(init, cwd=REPO, check=True, capture_output=True)
    ctx = sql_context(pg_url, sample_hall())
    token = auth.create_token(ctx, "kiosk", None, "k")
    dispose_engines()
    database = pg_url.rsplit("/", 1)[1]
    server = ServerProcess(yihao_home, pg_url, free_port(), tmp_path / "server.log")
    server.start()
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as http:
            assert http.post("/api/v1/tickets", json={"category": "D"}).status_code == 201
            _admin(
                pg_url,
                f'ALTER DATABASE "{database}" CONNECTION LIMIT 0',
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{database}'",
            )
            try:
                down = http.post("/api/v1/tickets", json={"category": "D"})
            finally:
                _admin(pg_url, f'ALTER DATABASE "{database}" CONNECTION LIMIT -1')
            assert down.status_code == 503, down.text
            assert down.headers["content-type"].startswith("application/problem+json")
            assert down.json()["code"] == "database_unavailable"
            assert "稍后再试" in down.json()["detail"]
            again = http.post("/api/v1/tickets", json={"category": "D"})
            assert again.status_code == 201 and again.json()["number"] == "D002"
    finally:
        server.stop()
