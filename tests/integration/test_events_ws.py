"""``WS /api/v1/events`` through real WebSockets against real ``yihao serve`` processes.

One server per engine (a SQLite file, the real PostgreSQL) on the sample hall runs for
the module. Only ``test_every_queue_change_is_streamed_in_seq_order`` touches
categories A and B and counters 1 and 2; the other tests use category D (no ID needed)
and counter 7, which nobody calls, so no test picks up another test's tickets.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from caller_server.domain.events import Event, EventKind
from tests.integration.test_api_http import (
    ENGINES,
    RunningHall,
    fresh_database,
    person,
    running_hall,
)
from tests.serverkit import ServerProcess, free_port

STOP_GRACE = 2.0
"""A healthy server exits within a second of SIGTERM. Servers that had WebSocket clients
hang on shutdown (see ``test_server_stops_promptly_after_websocket_clients``), so the
fixtures do not wait the default 15 s before SIGKILL."""


@pytest.fixture(scope="module", params=ENGINES)
def hall(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningHall]:
    directory = tmp_path_factory.mktemp(f"ws-{request.param}")
    with (
        fresh_database(request.param, directory, "ws") as db_url,
        running_hall(directory, db_url, grace=STOP_GRACE) as running,
    ):
        yield running


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail a test that leaves a thread behind (WebSocket clients, thread pools)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not leaked:
            return
        time.sleep(0.05)
    pytest.fail(f"threads leaked: {leaked}")


def ws_url(base: str, since: int | None = None) -> str:
    url = base.replace("http://", "ws://") + "/api/v1/events"
    return url if since is None else f"{url}?since={since}"


def open_ws(base: str, since: int | None = None) -> ClientConnection:
    return connect(ws_url(base, since), proxy=None, open_timeout=10, close_timeout=2)


def recv(ws: ClientConnection, timeout: float = 10.0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return message


def recv_events(ws: ClientConnection, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The next ``count`` messages, each of which must be an event."""
    events = []
    deadline = time.monotonic() + timeout
    for _ in range(count):
        message = recv(ws, max(0.1, deadline - time.monotonic()))
        assert message["type"] == "event", message
        events.append(message["event"])
    return events


def assert_quiet(ws: ClientConnection, seconds: float = 0.7) -> None:
    """Nothing more arrives (the hub polls the database every 0.25 s)."""
    with pytest.raises(TimeoutError):
        extra = ws.recv(timeout=seconds)
        pytest.fail(f"unexpected message: {extra!r}")


def newest_seq(hall: RunningHall) -> int:
    seq: int = hall.http.get(f"{hall.url}/healthz").json()["seq"]
    return seq


def brief(event: dict[str, Any]) -> tuple[Any, ...]:
    return (event["kind"], event.get("number"), event.get("category"), event.get("counter"))


def test_every_queue_change_is_streamed_in_seq_order(hall: RunningHall) -> None:
    with open_ws(hall.url) as ws:
        first = recv(ws)
        assert first["type"] == "snapshot"
        start = first["snapshot"]["seq"]
        assert start == newest_seq(hall)

        citizen = person(name="王小明")
        a = hall.new_ticket("A", citizen)["number"]
        hall.act(1, "call-next")
        hall.act(1, "recall")
        hall.act(1, "skip")
        again = hall.issue("A", citizen)
        assert again.json()["outcome"] == "reactivated", again.text
        hall.act(1, "call-next")
        hall.act(1, "start")
        hall.act(1, "finish")
        b = hall.new_ticket("B", person(name="李小红"))["number"]
        hall.act(2, "call-next")
        hall.act(2, "transfer", {"category": "A"})
        hall.act(1, "call-next")
        hall.act(1, "call-next")  # finishes b, nobody else waits
        hall.act(2, "pause")
        hall.act(2, "resume")

        expected = [
            ("issued", a, "A", None),
            ("called", a, "A", 1),
            ("recalled", a, "A", 1),
            ("no_show", a, "A", 1),
            ("reactivated", a, "A", None),
            ("called", a, "A", 1),
            ("started", a, "A", 1),
            ("finished", a, "A", 1),
            ("issued", b, "B", None),
            ("called", b, "B", 2),
            ("transferred", b, "A", 2),
            ("called", b, "A", 1),
            ("finished", b, "A", 1),
            ("paused", None, None, 2),
            ("resumed", None, None, 2),
        ]
        events = recv_events(ws, len(expected))
        assert [brief(e) for e in events] == expected
        seqs = [e["seq"] for e in events]
        assert seqs == list(range(start + 1, start + 1 + len(expected))), seqs
        times = [e["at"] for e in events]
        assert times == sorted(times)
        assert events[0]["data"]["status"] == "waiting"
        assert events[1]["data"]["rule"] == "order"
        assert_quiet(ws)


def test_reconnect_with_since_receives_exactly_what_was_missed(hall: RunningHall) -> None:
    with open_ws(hall.url) as ws:
        assert recv(ws)["type"] == "snapshot"
        seen_number = hall.new_ticket("D")["number"]
        (seen,) = recv_events(ws, 1)
        assert (seen["kind"], seen["number"]) == ("issued", seen_number)
    last = seen["seq"]

    # While the client is away: two tickets and a pause/resume at counter 7.
    missed_numbers = [hall.new_ticket("D")["number"] for _ in range(2)]
    hall.act(7, "pause")
    hall.act(7, "resume")

    with open_ws(hall.url, since=last) as ws:
        missed = recv_events(ws, 4)
        assert [e["seq"] for e in missed] == [last + 1, last + 2, last + 3, last + 4]
        assert [brief(e) for e in missed] == [
            ("issued", missed_numbers[0], "D", None),
            ("issued", missed_numbers[1], "D", None),
            ("paused", None, None, 7),
            ("resumed", None, None, 7),
        ]
        assert_quiet(ws)
        live_number = hall.new_ticket("D")["number"]
        (live,) = recv_events(ws, 1)
        assert (live["seq"], live["kind"], live["number"]) == (last + 5, "issued", live_number)

    # Caught up exactly: nothing is replayed, the next change arrives live.
    with open_ws(hall.url, since=last + 5) as ws:
        assert_quiet(ws)
        hall.act(7, "pause")
        hall.act(7, "resume")
        assert [brief(e) for e in recv_events(ws, 2)] == [
            ("paused", None, None, 7),
            ("resumed", None, None, 7),
        ]


def _backlog(hall: RunningHall, count: int) -> None:
    """Append ``count`` pause/resume events at counter 7 in one transaction."""
    now = time.time()
    events = [
        Event(
            kind=EventKind.PAUSED if i % 2 == 0 else EventKind.RESUMED,
            at=now,
            actor="test:backlog",
            counter=7,
        )
        for i in range(count)
    ]
    with hall.ctx.unit(write=True) as uow:
        hall.ctx.record(uow, *events)


def test_since_too_old_absent_or_ahead_gives_a_snapshot_first(hall: RunningHall) -> None:
    _backlog(hall, 1002)
    newest = newest_seq(hall)
    assert newest >= 1002

    # Exactly 1000 behind: still the missed events, in order, no snapshot.
    with open_ws(hall.url, since=newest - 1000) as ws:
        events = recv_events(ws, 1000, timeout=30)
        assert [e["seq"] for e in events] == list(range(newest - 999, newest + 1))
        assert_quiet(ws)

    for since in (newest - 1001, 0, None, newest + 50):
        with open_ws(hall.url, since=since) as ws:
            first = recv(ws)
            assert first["type"] == "snapshot", (since, first)
            snapshot = first["snapshot"]
            assert snapshot["seq"] == newest
            assert {c["number"] for c in snapshot["counters"]} == set(range(1, 9))
            assert {c["code"] for c in snapshot["categories"]} == {"A", "B", "C", "D"}
            assert_quiet(ws, 0.4)
            number = hall.new_ticket("D")["number"]
            (event,) = recv_events(ws, 1)
            assert (event["seq"], event["number"]) == (newest + 1, number)
        newest += 1


def test_change_through_a_second_process_reaches_the_first(
    hall: RunningHall, tmp_path: Path
) -> None:
    second = ServerProcess(
        hall.home, hall.db_url, free_port(), tmp_path / "second.log", grace=STOP_GRACE
    )
    second.start()
    try:
        with open_ws(hall.url) as first_ws, open_ws(second.url) as second_ws:
            start = recv(first_ws)["snapshot"]["seq"]
            assert recv(second_ws)["snapshot"]["seq"] == start

            # Only the second process takes this change; the first one streams it.
            clerk = hall.auth("clerk", 7)
            paused = httpx.post(f"{second.url}/api/v1/counters/7/pause", headers=clerk)
            assert paused.status_code == 200, paused.text
            (event,) = recv_events(first_ws, 1)
            assert brief(event) == ("paused", None, None, 7)
            assert event["seq"] == start + 1
            assert recv_events(second_ws, 1) == [event]
            resumed = httpx.post(f"{second.url}/api/v1/counters/7/resume", headers=clerk)
            assert resumed.status_code == 200, resumed.text
            assert recv_events(first_ws, 1) == recv_events(second_ws, 1)

            # Both processes issue at once: unique numbers, one gap-free event order.
            kiosk = hall.auth("kiosk")

            def take(base: str) -> httpx.Response:
                body = {"category": "D", "kiosk_id": base[-5:]}
                return httpx.post(f"{base}/api/v1/tickets", json=body, headers=kiosk, timeout=30)

            with ThreadPoolExecutor(4) as pool:
                bases = [hall.url, second.url] * 6
                responses = list(pool.map(take, bases))
            assert [r.status_code for r in responses] == [201] * 12, [r.text for r in responses]
            numbers = {r.json()["number"] for r in responses}
            assert len(numbers) == 12

            from_first = recv_events(first_ws, 12)
            from_second = recv_events(second_ws, 12)
            assert from_first == from_second
            assert [e["seq"] for e in from_first] == list(range(start + 3, start + 15))
            assert {e["number"] for e in from_first} == numbers
            assert {e["kind"] for e in from_first} == {"issued"}

            # One card tapped on kiosks of both processes at once: one ticket, one event.
            identity = person(name="欧阳锋")

            def tap(base: str) -> httpx.Response:
                body = {"category": "D", "identity": identity}
                return httpx.post(f"{base}/api/v1/tickets", json=body, headers=kiosk, timeout=30)

            with ThreadPoolExecutor(4) as pool:
                taps = list(pool.map(tap, [hall.url, second.url] * 3))
            assert sorted(r.status_code for r in taps) == [200] * 5 + [201]
            assert len({r.json()["token"] for r in taps}) == 1
            (issued,) = recv_events(first_ws, 1)
            assert (issued["seq"], issued["kind"]) == (start + 15, "issued")
            assert issued["number"] == taps[0].json()["number"]
            assert_quiet(first_ws)
            assert recv_events(second_ws, 1) == [issued]
    finally:
        second.stop()
    assert second.proc is not None and second.proc.returncode is not None


def test_server_stops_promptly_after_websocket_clients(hall: RunningHall, tmp_path: Path) -> None:
    """SIGTERM (systemd stop, Ctrl-C) ends ``yihao serve`` even if displays were connected.

    One client has come and gone, one is still connected; no queue change follows.
    """
    server = ServerProcess(hall.home, hall.db_url, free_port(), tmp_path / "third.log", grace=0.1)
    server.start()
    try:
        with open_ws(server.url) as gone:
            assert recv(gone)["type"] == "snapshot"
        with open_ws(server.url) as connected:
            assert recv(connected)["type"] == "snapshot"
            assert server.proc is not None
            server.proc.send_signal(signal.SIGTERM)
            with pytest.raises(ConnectionClosed):
                connected.recv(timeout=3)
        try:
            server.proc.wait(3)
        except subprocess.TimeoutExpired:
            pytest.fail(
                "yihao serve still running 3 s after SIGTERM; its log ends with: "
                + server.log_path.read_text()[-300:]
            )
    finally:
        server.kill()
