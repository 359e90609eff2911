"""Failed logins are limited per user name and per client address (429 with Retry-After).

argon2 is slow on purpose (about 40 ms of one core here, in a process at nice 19), so a flood
of guesses is also a flood of CPU work that would starve the kiosks and counters on a small
server. So: after a few failures a name, or an address, waits before it may try again; and the
whole process runs at most ``per_second`` password checks a second after a burst of ``burst``
(the morning's logins of a whole hall fit in it), one at a time. The counts live in each server
process (several processes each allow their own share).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from fastapi import Request

from caller_server.domain.errors import DomainError
from caller_server.runtime import Runtime
from caller_server.services import auth
from caller_server.store.repository import Credential


class TooManyLogins(DomainError):
    code = "too_many_logins"

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        zh, en = (
            (f"{seconds} 秒", f"{seconds} s")
            if seconds < 60
            else (
                f"{math.ceil(seconds / 60)} 分钟",
                f"{math.ceil(seconds / 60)} min",
            )
        )
        super().__init__(
            f"登录尝试过多，请 {zh}后再试",
            f"too many login attempts; try again in {en}",
            retry_after=seconds,
        )


class LoginThrottle:
    def __init__(
        self,
        per_user: int = 5,
        per_address: int = 20,
        window: float = 900.0,
        per_second: float = 2.0,
        burst: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_user = per_user
        self.per_address = per_address
        self.window = window
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._budget = burst
        self._budget_at = clock()

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        horizon = self._clock() - self.window
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures

    def check(self, username: str, address: str) -> None:
        """Raise :class:`TooManyLogins` when the name or the address must wait."""
        for key, limit in (
            (f"user:{username}", self.per_user),
            (f"addr:{address}", self.per_address),
        ):
            failures = self._recent(key)
            if len(failures) >= limit:
                raise TooManyLogins(failures[0] + self.window - self._clock())
        now = self._clock()
        self._budget = min(self.burst, self._budget + (now - self._budget_at) * self.per_second)
        self._budget_at = now
        if self._budget < 1:
            raise TooManyLogins((1 - self._budget) / self.per_second)
        self._budget -= 1

    def failed(self, username: str, address: str) -> bool:
        """Count a failure; True when it locks the name (worth an audit event)."""
        now = self._clock()
        self._recent(f"addr:{address}").append(now)
        user = self._recent(f"user:{username}")
        user.append(now)
        if len(self._failures) > 10_000:  # a spray of names: keep memory bounded
            self._failures = {k: v for k, v in self._failures.items() if v}
        return len(user) == self.per_user

    def succeeded(self, username: str) -> None:
        self._failures.pop(f"user:{username}", None)


async def attempt_login(request: Request, username: str, password: str) -> tuple[str, Credential]:
    """Check the password (argon2 in the password process, outside any transaction) under the
    throttle, then store a login token (on the writer). Raises :class:`TooManyLogins` or
    ``AuthError``."""
    rt: Runtime = request.app.state.runtime
    throttle: LoginThrottle = request.app.state.logins
    address = request.client.host if request.client else ""
    throttle.check(username, address)
    try:
        login = await rt.slow(auth.check_password, rt.ctx, username, password, rt.passwords.verify)
    except auth.AuthError:
        if throttle.failed(username, address):
            await rt.write(auth.record_lockout, rt.ctx, username, address)
        raise
    throttle.succeeded(username)
    return await rt.write(auth.login_token, rt.ctx, login), login.credential
