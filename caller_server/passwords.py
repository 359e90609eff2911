"""argon2id password hashing, and a worker process that does it for a server.

argon2 is slow on purpose: a check takes a few tens of milliseconds of one core and 19 MiB of
fresh memory. A server process checks passwords in a worker process of its own, at the lowest
CPU priority (nice 19), never in one of its threads: there a flood of guesses shared the
server's GIL and address space with issuing and calling (19 MiB mapped and unmapped per check),
and the issue tail under a flood was longer than without one. In a process of its own, a flood
takes only the CPU that the hall leaves idle.

Run as ``python -m caller_server.passwords``: one JSON request per line on stdin, one answer
per line on stdout.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import secrets
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from caller_server.domain.errors import DomainError

log = logging.getLogger(__name__)

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
"""argon2id at OWASP's recommended minimum (19 MiB, t=2, one lane). Hashes made with other
parameters (64 MiB, t=3 before) still verify, and come back re-hashed with these."""


@dataclass(frozen=True)
class Verdict:
    """Whether a password matched, and the password hashed anew when the stored hash used
    older parameters."""

    ok: bool
    rehashed: str | None = None


class PasswordWorkerError(DomainError):
    code = "login_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "登录服务暂时不可用，请稍后再试；如持续出现请联系系统管理员",
            "password checks are unavailable right now; try again, and tell the administrator "
            "if it persists (see the server log)",
        )


def _bytes(password: str) -> bytes:
    """UTF-8, lone surrogates (JSON's ``"\\ud800"``) included, so every string hashes."""
    return password.encode("utf-8", "surrogatepass")


def hash_password(password: str) -> str:
    return str(_hasher.hash(_bytes(password)))


@functools.cache
def _decoy_hash() -> str:
    """A hash to verify against for unknown names: they cost what a known name costs."""
    return hash_password(secrets.token_urlsafe(16))


def verify(stored: str | None, password: str) -> Verdict:
    """Check ``password`` against ``stored`` (``None``: an unknown user, checked against a
    decoy so that timing does not tell which names exist)."""
    try:
        if not _hasher.verify(stored or _decoy_hash(), _bytes(password)):
            return Verdict(False)
    except (VerificationError, InvalidHashError):  # a wrong password; a damaged stored hash
        return Verdict(False)
    if stored is None:
        return Verdict(False)
    rehashed = hash_password(password) if _hasher.check_needs_rehash(stored) else None
    return Verdict(True, rehashed)


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    if request["op"] == "hash":
        return {"hash": hash_password(request["password"])}
    return asdict(verify(request["hash"], request["password"]))


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The worker's loop: answer each request line until ``requests`` ends."""
    for line in requests:
        answers.write(json.dumps(_answer(json.loads(line))).encode() + b"\n")
        answers.flush()


class PasswordWorker:
    """A server's handle on its password process: started on first use, started again
    when it died. Calls block (run them off the event loop) and are answered one at a time."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def verify(self, stored: str | None, password: str) -> Verdict:
        answer = self._ask({"op": "verify", "hash": stored, "password": password})
        return Verdict(bool(answer["ok"]), answer["rehashed"])

    def hash(self, password: str) -> str:
        return str(self._ask({"op": "hash", "password": password})["hash"])

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> subprocess.Popen[bytes]:
        package_root = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        return subprocess.Popen(
            [sys.executable, "-m", "caller_server.passwords"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
        )

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        line = json.dumps(request).encode() + b"\n"
        with self._lock:
            for _attempt in range(2):  # a worker that died is replaced once
                if self._proc is None:
                    try:
                        self._proc = self._start()
                    except OSError as exc:
                        log.error("cannot start the password process: %s", exc)
                        break
                proc = self._proc
                assert proc.stdin is not None and proc.stdout is not None
                try:
                    proc.stdin.write(line)
                    proc.stdin.flush()
                    answer = proc.stdout.readline()
                except OSError:
                    answer = b""
                if answer:
                    result: dict[str, Any] = json.loads(answer)
                    return result
                log.warning("the password process ended (exit %s); starting another", proc.poll())
                self._stop()
        raise PasswordWorkerError()

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):  # a dead worker's pipe
                    pipe.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def close(self) -> None:
        with self._lock:
            self._stop()


def _lowest_cpu_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, 0, 19)
    except (AttributeError, OSError) as exc:  # not POSIX, or a sandbox forbids it
        log.warning("password checks run at normal CPU priority: %s", exc)


if __name__ == "__main__":
    _lowest_cpu_priority()
    serve(sys.stdin.buffer, sys.stdout.buffer)
