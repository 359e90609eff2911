"""The password process: argon2 answers from a real worker process, which is replaced when it
dies and reported clearly when it cannot run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from caller_server import passwords
from caller_server.passwords import PasswordWorker, PasswordWorkerError, Verdict


@pytest.fixture
def worker() -> Iterator[PasswordWorker]:
    handle = PasswordWorker()
    try:
        yield handle
    finally:
        handle.close()


def test_the_worker_hashes_and_verifies_like_the_library(worker: PasswordWorker) -> None:
    stored = worker.hash("correct horse")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify(stored, "correct horse") == Verdict(True)
    assert worker.verify(stored, "correct horse") == Verdict(True)
    assert worker.verify(stored, "wrong horse") == Verdict(False)
    assert worker.verify(None, "correct horse") == Verdict(False)  # an unknown name
    assert worker.verify("not a hash", "correct horse") == Verdict(False)


def test_an_old_hash_comes_back_rehashed(worker: PasswordWorker) -> None:
    old = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash("old password")
    verdict = worker.verify(old, "old password")
    assert verdict.ok and verdict.rehashed is not None
    assert verdict.rehashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify(verdict.rehashed, "old password") == Verdict(True)
    assert worker.verify(old, "not it") == Verdict(False)


def test_any_string_hashes_even_a_lone_surrogate(worker: PasswordWorker) -> None:
    stored = worker.hash("密码\ud800口令")  # JSON may carry "\ud800"
    assert worker.verify(stored, "密码\ud800口令") == Verdict(True)
    assert worker.verify(stored, "密码口令") == Verdict(False)


def test_the_worker_runs_at_the_lowest_priority(worker: PasswordWorker) -> None:
    worker.hash("warm it up")
    assert worker.pid is not None and worker.pid != os.getpid()
    stat = Path(f"/proc/{worker.pid}/stat").read_text()
    assert int(stat.rsplit(")", 1)[1].split()[16]) == 19


def test_a_killed_worker_is_replaced(worker: PasswordWorker) -> None:
    stored = worker.hash("correct horse")
    first = worker.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    os.waitpid(first, 0)
    assert worker.verify(stored, "correct horse") == Verdict(True)
    assert worker.pid not in (None, first)


def test_a_worker_that_cannot_run_is_a_clear_error(
    worker: PasswordWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> subprocess.Popen[bytes]:  # a Python that exits at once (broken install)
        return subprocess.Popen(
            [sys.executable, "-c", "raise SystemExit(3)"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    monkeypatch.setattr(worker, "_start", broken)
    with pytest.raises(PasswordWorkerError) as caught:
        worker.verify(None, "whatever")
    assert caught.value.code == "login_unavailable"
    assert "登录服务暂时不可用" in caught.value.message_zh
