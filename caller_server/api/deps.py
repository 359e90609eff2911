"""Request dependencies: the runtime and bearer-token authentication."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from caller_server.api.errors import Forbidden
from caller_server.domain.events import EventKind
from caller_server.protocol import EventOut
from caller_server.runtime import Runtime
from caller_server.services import auth
from caller_server.store.repository import Credential
from caller_server.web import session

bearer_token = HTTPBearer(auto_error=False)
_CACHE_SECONDS = 30.0


def _runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def runtime(request: Request) -> Runtime:
    """Async on purpose: FastAPI runs plain ``def`` dependencies on a worker thread."""
    return _runtime(request)


class TokenCache:
    """Tokens checked in the last few seconds, so each request does not hit the database.

    An entry never outlives its token's expiry, and every server process clears its cache
    when the audit log shows a revocation (see ``forgets``), so a revoked or expired token
    is refused at once everywhere.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Credential]] = {}

    async def resolve(self, rt: Runtime, token: str) -> Credential:
        hit = self._entries.get(token)
        now = time.monotonic()
        if hit and hit[0] > now:
            return hit[1]
        credential = await rt.read(auth.authenticate, rt.ctx, token)
        if len(self._entries) > 10_000:
            self._entries.clear()
        keep = _CACHE_SECONDS
        if credential.expires_at is not None:
            keep = min(keep, credential.expires_at - time.time())
        self._entries[token] = (now + keep, credential)
        return credential

    def forgets(self, event: EventOut) -> None:
        """Clear on an audit event that may revoke tokens (logout, revocation, a user
        disabled or given a new password): whichever process wrote it."""
        if event.kind in (EventKind.ADMIN, EventKind.SIGNED_OUT):
            self.clear()

    def forget(self, token: str) -> None:
        """Drop a revoked token at once (logout)."""
        self._entries.pop(token, None)

    def clear(self) -> None:
        """Forget every token (an admin revoked some or disabled a user)."""
        self._entries.clear()


async def credential(
    request: Request,
    bearer: HTTPAuthorizationCredentials | None = Depends(bearer_token),
) -> Credential:
    """The bearer token's credential, or the browser session's (with its CSRF token)."""
    rt = _runtime(request)
    cache: TokenCache = request.app.state.tokens
    if bearer is not None:
        return await cache.resolve(rt, bearer.credentials)
    token = session.session_token(request, rt.ctx.secret)
    if token is None:
        raise auth.AuthError()
    if request.method not in session.SAFE_METHODS and not session.csrf_ok(
        rt.ctx.secret, token, request.headers.get("x-csrf-token")
    ):
        raise Forbidden("页面已过期，请刷新后重试", "missing or wrong CSRF token")
    return await cache.resolve(rt, token)


def require(*roles: str) -> Callable[..., Awaitable[Credential]]:
    """A dependency admitting the given roles (admin is always admitted)."""

    async def check(cred: Credential = Depends(credential)) -> Credential:
        if cred.role != "admin" and cred.role not in roles:
            raise Forbidden("无权进行此操作", f"role {cred.role} may not do this")
        return cred

    return check


def check_counter(cred: Credential, counter: int) -> None:
    """A clerk acts only on their own counter."""
    if cred.role == "clerk" and cred.counter != counter:
        raise Forbidden(
            f"您只能操作 {cred.counter} 号窗口",
            f"this clerk token belongs to counter {cred.counter}, not {counter}",
        )
