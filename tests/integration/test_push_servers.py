"""TLS with a pinned certificate, and several ``yihao serve`` processes on one database."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx

from caller_server.push.tls import cert_fingerprint, paths
from tests.devicekit import Hall, LocalDevice, init_home, start_hall, wait_for
from tests.serverkit import ServerProcess, free_port

COUNTER = 7


def _pair(hall: Hall, device: LocalDevice) -> None:
    identity = device.core.identity
    wait_for(lambda: hall.device(identity.id), what="device listed")
    answer = hall.pair(identity.id, identity.pin)
    assert answer.status_code == 200, answer.text


def test_tls_certificate_is_pinned_and_another_one_refused(
    yihao_home: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{yihao_home / 'yihao.db'}"
    hall = start_hall(yihao_home, url, tmp_path / "srv.log", counters=(7,), tls=True)
    device = LocalDevice.start(tmp_path / "screen", counter=COUNTER, insecure=False)
    try:
        cert = paths(yihao_home)
        assert stat.S_IMODE(cert.key.stat().st_mode) == 0o600
        assert hall.server.url.startswith("https://")
        _pair(hall, device)
        pinned = json.loads((tmp_path / "screen" / "device.json").read_text())["server"]
        assert pinned["url"] == hall.server.url
        assert pinned["fp"] == cert_fingerprint(cert.cert.read_bytes())
        wait_for(lambda: device.of_type("snapshot"), what="snapshot over WSS")
        hall.issue("D")
        hall.act(COUNTER, "call-next")
        wait_for(lambda: device.events("called"), what="call over WSS")

        # The same address now presents another certificate (the hall was re-keyed, or an
        # impostor took the address): the device refuses it and takes nothing.
        hall.server.stop()
        cert.cert.unlink()
        cert.key.unlink()
        init_home(yihao_home, url)
        assert pinned["fp"] != cert_fingerprint(cert.cert.read_bytes())
        seen = len(device.messages)
        hall.server.start()
        wait_for(lambda: "wrong_server" in device.statuses, what="certificate refused")
        hall.act(COUNTER, "call-next")
        assert len(device.messages) == seen
    finally:
        device.core.close()
        hall.close()


def test_several_servers_on_one_database(yihao_home: Path, tmp_path: Path, db_url: str) -> None:
    hall = start_hall(yihao_home, db_url, tmp_path / "a.log", counters=(7,))
    other = ServerProcess(yihao_home, db_url, free_port(), tmp_path / "b.log")
    other.start()
    device = LocalDevice.start(tmp_path / "screen", counter=COUNTER)
    try:
        _pair(hall, device)
        wait_for(lambda: device.of_type("snapshot"), what="snapshot from server A")
        # The clerk works through server B; the device is connected to server A.
        headers = hall.clerks[COUNTER].headers
        number = hall.issue("D")
        answer = httpx.post(f"{other.url}/api/v1/counters/{COUNTER}/call-next", headers=headers)
        assert answer.status_code == 200, answer.text
        calls = wait_for(lambda: device.events("called"), what="call made through B")
        assert calls[0].number == number and calls[0].counter == COUNTER

        # Both servers see it online (heartbeats are written to the shared database).
        def seen_by_b() -> bool:
            listed = httpx.get(f"{other.url}/api/v1/devices", headers=hall.manager.headers).json()
            return [d["online"] for d in listed if d["id"] == device.core.identity.id] == [True]

        wait_for(seen_by_b, what="server B lists the device online")
    finally:
        device.core.close()
        other.stop()
        hall.close()
