"""One client cannot cost the hall much: body size limits and a deadline for headers."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from caller_server.services import auth
from tests.serverkit import ServerProcess, dispose_engines, free_port, sample_hall, sql_context


@pytest.fixture
def server(yihao_home: Path, tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    url = f"sqlite:///{yihao_home / 'yihao.db'}"
    ctx = sql_context(url, sample_hall())
    token = auth.create_token(ctx, "manager", None, "m")
    dispose_engines()
    (yihao_home / "hall.secret").write_bytes(b"s" * 32)
    args = ("--header-timeout", "1", "--import-limit-kib", "256")
    proc = ServerProcess(yihao_home, url, free_port(), tmp_path / "server.log", args)
    proc.start()
    try:
        yield proc, token
    finally:
        proc.stop()


def test_bodies_over_the_limit_are_413_problems(server: tuple[ServerProcess, str]) -> None:
    proc, token = server
    headers = {"Authorization": f"Bearer {token}"}
    big = json.dumps({"category": "D", "kiosk_id": "x" * 100_000})
    with httpx.Client(base_url=proc.url, headers=headers, timeout=10) as http:
        declared = http.post(
            "/api/v1/tickets", content=big, headers={"Content-Type": "application/json"}
        )
        chunked = http.post(
            "/api/v1/tickets",
            content=iter([big[i : i + 8192].encode() for i in range(0, len(big), 8192)]),
            headers={"Content-Type": "application/json"},
        )
        csv_ok = http.post(
            "/api/v1/appointments/import",
            content="id_number,category,date,start,end\n" + "x" * 150_000,
            headers={"Content-Type": "text/csv"},
        )
        csv_big = http.post(
            "/api/v1/appointments/import",
            content="id_number,category,date,start,end\n" + "x" * 300_000,
            headers={"Content-Type": "text/csv"},
        )
        alive = http.get("/healthz")
    for response in (declared, chunked, csv_big):
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "body_too_large"
    assert "KiB" in declared.json()["detail"]
    assert csv_ok.status_code == 422  # within the larger import limit: parsed, then refused
    assert alive.status_code == 200


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False


def test_a_client_that_never_finishes_its_headers_is_cut_off(
    server: tuple[ServerProcess, str],
) -> None:
    proc, _token = server
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", proc.port)) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        assert _closed_by_server(slow, within=5)
    assert time.monotonic() - started < 4
    with socket.create_connection(("127.0.0.1", proc.port)) as silent:
        assert _closed_by_server(silent, within=5)
    with socket.create_connection(("127.0.0.1", proc.port)) as fine:
        fine.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        fine.settimeout(5)
        assert fine.recv(1024).startswith(b"HTTP/1.1 200")
