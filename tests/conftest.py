"""Shared test fixtures.

Every test runs with ``YIHAO_HOME`` pointing at its own temporary directory.
A test may skip when a system part (PostgreSQL, pcscd, espeak-ng, a CJK font …)
is missing on a developer's machine; with ``YIHAO_REQUIRE_ALL=1`` (set by
``.ci/run``) every such skip is turned into a failure, so CI cannot pass by
skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRE_ALL = os.environ.get("YIHAO_REQUIRE_ALL") == "1"


@pytest.fixture(autouse=True)
def yihao_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private data directory for each test."""
    home = tmp_path / "yihao-home"
    home.mkdir()
    monkeypatch.setenv("YIHAO_HOME", str(home))
    yield home


@pytest.fixture
def pg_url() -> str:
    """URL of the real PostgreSQL test database (``YIHAO_TEST_PG``)."""
    url = os.environ.get("YIHAO_TEST_PG")
    if not url:
        pytest.skip("YIHAO_TEST_PG is not set: no PostgreSQL server to test against")
    return url


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"YIHAO_REQUIRE_ALL=1 forbids skips: {reason}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database on each engine: a SQLite file, and the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'yihao.db'}"
    url = os.environ.get("YIHAO_TEST_PG")
    if not url:
        pytest.skip("YIHAO_TEST_PG is not set: no PostgreSQL server to test against")
    from tests.serverkit import reset_database

    reset_database(url)
    return url
