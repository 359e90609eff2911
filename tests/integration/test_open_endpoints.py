"""Endpoints without login are guarded by where they are called from.

``WS /api/v1/events`` (the wall and the status page follow it): a page of another site may
not open it, and one address holds a bounded number of subscriptions. ``/metrics``: a
scraper on this host, or a manager's token. ``--host 0.0.0.0`` prints a LAN address on the
tickets, never ``0.0.0.0``.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from caller_server.api.app import create_app
from caller_server.runtime import initialise, open_runtime
from caller_server.services import auth
from caller_server.settings import Settings, create_secret
from tests.serverkit import REPO, ServerProcess, free_port, initialised


@pytest.fixture
def server(yihao_home: Path, tmp_path: Path) -> Iterator[ServerProcess]:
    url = f"sqlite:///{yihao_home / 'yihao.db'}"
    initialised(yihao_home, url)
    proc = ServerProcess(
        yihao_home, url, free_port(), tmp_path / "server.log", ("--ws-per-address", "2"), grace=2
    )
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


def _events_url(server: ServerProcess) -> str:
    return server.url.replace("http://", "ws://") + "/api/v1/events"


def test_the_event_stream_refuses_other_origins_and_too_many_subscriptions(
    server: ServerProcess,
) -> None:
    url = _events_url(server)
    with pytest.raises(InvalidStatus) as foreign:
        connect(url, proxy=None, origin="http://evil.example", open_timeout=5)  # type: ignore[arg-type]
    assert foreign.value.response.status_code == 403
    same = f"http://127.0.0.1:{server.port}"
    with (
        connect(url, proxy=None, origin=same, open_timeout=5) as first,  # type: ignore[arg-type]
        connect(url, proxy=None, open_timeout=5) as second,
    ):
        assert json.loads(first.recv(timeout=5))["type"] == "snapshot"
        assert json.loads(second.recv(timeout=5))["type"] == "snapshot"
        with pytest.raises(InvalidStatus) as third:
            connect(url, proxy=None, open_timeout=5)
        assert third.value.response.status_code == 403
    with connect(url, proxy=None, open_timeout=5) as again:  # the two left: room again
        assert json.loads(again.recv(timeout=5))["type"] == "snapshot"


def test_metrics_need_loopback_or_a_manager_token(yihao_home: Path) -> None:
    settings = Settings(home=yihao_home, db_url=f"sqlite:///{yihao_home / 'yihao.db'}")
    create_secret(yihao_home)
    initialise(settings)
    rt = open_runtime(settings)
    try:
        manager = auth.create_token(rt.ctx, "manager", None, "m")
        kiosk = auth.create_token(rt.ctx, "kiosk", None, "k")
        app = create_app(rt)

        async def fetch(client: tuple[str, int], token: str | None) -> httpx.Response:
            transport = httpx.ASGITransport(app=app, client=client)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            async with httpx.AsyncClient(transport=transport, base_url="http://hall") as http:
                return await http.get("/metrics", headers=headers)

        def get(client: tuple[str, int], token: str | None = None) -> httpx.Response:
            return asyncio.run(fetch(client, token))

        assert get(("127.0.0.1", 5000)).status_code == 200
        assert get(("::1", 5000)).status_code == 200
        assert get(("192.168.1.20", 5000)).status_code == 401
        assert get(("192.168.1.20", 5000), kiosk).status_code == 403
        scraped = get(("192.168.1.20", 5000), manager)
        assert scraped.status_code == 200 and "yihao_event_seq" in scraped.text
    finally:
        rt.close()


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare (util-linux)")
def test_a_wildcard_listener_prints_the_lan_address_or_refuses() -> None:
    probe = (
        f"{sys.executable} -c 'from caller_server.settings import lan_url; print(lan_url(8600))'"
    )
    bare = subprocess.run(
        ["unshare", "-n", "sh", "-c", probe], capture_output=True, text=True, cwd=REPO, check=False
    )
    if "Operation not permitted" in bare.stderr:
        pytest.skip("network namespaces are not permitted here (needs root)")
    assert bare.returncode != 0 and "pass --public-url" in bare.stderr
    lan = (
        "ip link add v0 type veth peer name v1 && ip addr add 10.9.8.7/24 dev v0 && "
        "ip link set v0 up && ip link set v1 up && ip route add default dev v0 && " + probe
    )
    routed = subprocess.run(
        ["unshare", "-n", "sh", "-c", lan], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert routed.stdout.strip() == "http://10.9.8.7:8600", routed.stderr
