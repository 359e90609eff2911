"""The server side of the kiosk: the idempotency key of a tap, and kiosk health reports.

Against a real ``yihao serve`` on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from caller_server.store import tables as t
from tests.integration.test_api_http import (
    ENGINES,
    RunningHall,
    fresh_database,
    person,
    rows,
    running_hall,
)


@pytest.fixture(scope="module", params=ENGINES)
def hall(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningHall]:
    directory = tmp_path_factory.mktemp(f"kiosk-server-{request.param}")
    with (
        fresh_database(request.param, directory, "kiosk") as db_url,
        running_hall(directory, db_url) as running,
    ):
        yield running


def post(hall: RunningHall, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return hall.http.post(f"{hall.url}/api/v1/tickets", json=body, headers=hall.auth("kiosk"))


def test_the_same_key_returns_the_same_ticket_and_a_new_key_a_new_one(hall: RunningHall) -> None:
    key = uuid.uuid4().hex
    body = {"category": "D", "kiosk_id": "k1", "request_id": key}
    first, again = post(hall, body), post(hall, body)
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"]
    assert first.json()["token"] == again.json()["token"]
    other = post(hall, {**body, "request_id": uuid.uuid4().hex})
    assert other.status_code == 201 and other.json()["number"] != first.json()["number"]
    kept = rows(hall.db_url, t.issue_requests, t.issue_requests.c.request_id == key)
    assert len(kept) == 1


def test_a_retried_tap_with_an_identity_gets_its_ticket_not_a_limit_error(
    hall: RunningHall,
) -> None:
    key = uuid.uuid4().hex
    body = {"category": "B", "kiosk_id": "k1", "request_id": key, "identity": person(40)}
    first, again = post(hall, body), post(hall, body)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["number"] == first.json()["number"]
    assert again.json()["identity"] == first.json()["identity"]


def test_a_bad_key_is_refused_before_anything_is_issued(hall: RunningHall) -> None:
    response = post(hall, {"category": "D", "request_id": "bad key!"})
    assert response.status_code == 422


def test_kiosk_health_reaches_the_manager(hall: RunningHall) -> None:
    report = {
        "reader": "fault",
        "printer": "paper_near_end",
        "paper_near_end": True,
        "printing_paused": False,
        "version": "0.1.0",
    }
    url = f"{hall.url}/api/v1/kiosks"
    done = hall.http.put(f"{url}/kiosk-7/health", json=report, headers=hall.auth("kiosk"))
    assert done.status_code == 204, done.text
    listed = hall.http.get(url, headers=hall.auth("manager"))
    assert listed.status_code == 200
    [kiosk] = [k for k in listed.json() if k["id"] == "kiosk-7"]
    assert kiosk["online"] is True
    assert {k: kiosk[k] for k in report} == report
    forbidden = hall.http.get(url, headers=hall.auth("kiosk"))
    assert forbidden.status_code == 403


def test_health_needs_a_kiosk_token(hall: RunningHall) -> None:
    report = {"reader": "ok", "printer": "ok", "version": "1"}
    url = f"{hall.url}/api/v1/kiosks/kiosk-8/health"
    assert hall.http.put(url, json=report).status_code == 401
    clerk = hall.http.put(url, json=report, headers=hall.auth("clerk", 1))
    assert clerk.status_code == 403


def test_kiosks_are_listed_in_the_devices_with_their_health(hall: RunningHall) -> None:
    report = {
        "reader": "ok",
        "printer": "paper_out",
        "paper_near_end": False,
        "printing_paused": True,
        "version": "0.2.0",
    }
    put = f"{hall.url}/api/v1/kiosks/kiosk-dev/health"
    assert hall.http.put(put, json=report, headers=hall.auth("kiosk")).status_code == 204
    listed = hall.http.get(f"{hall.url}/api/v1/devices", headers=hall.auth("manager"))
    assert listed.status_code == 200, listed.text
    [kiosk] = [d for d in listed.json() if d["id"] == "kiosk-dev"]
    assert kiosk["role"] == "kiosk"
    assert kiosk["online"] is True and kiosk["status"] == "online"
    assert kiosk["health"] == report
    assert kiosk["detail"] == "打印机缺纸，请立即加纸 the printer is out of paper · v0.2.0"
    others = [d for d in listed.json() if d["role"] != "kiosk"]
    assert all(d["health"] is None for d in others)
    kiosk_list = hall.http.get(f"{hall.url}/api/v1/kiosks", headers=hall.auth("manager")).json()
    assert "kiosk-dev" in {k["id"] for k in kiosk_list}  # the kiosk list stays
