"""Browser sessions: a sealed HttpOnly cookie around a bearer token, and its CSRF token.

The cookie holds ``token.issued.mac``: the bearer token (revocable in the tokens table),
when it was issued, and an HMAC over both keyed from the hall secret. A cookie older
than :data:`LIFETIME` is refused even if the token is still valid. Every unsafe
request made with the cookie must carry the CSRF token, an HMAC of the session token,
as the ``X-CSRF-Token`` header or the ``csrf`` form field.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from fastapi import Request, Response

COOKIE = "yihao_session"
LOGIN_COOKIE = "yihao_login"
"""A random nonce set with the login form: its CSRF token is derived from it."""
LIFETIME = 12 * 3600
"""Seconds a login lasts (one working day and a half)."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _key(secret: bytes) -> bytes:
    return hmac.new(secret, b"yihao web session", hashlib.sha256).digest()


def _mac(secret: bytes, text: str) -> str:
    return hmac.new(_key(secret), text.encode(), hashlib.sha256).hexdigest()[:32]


def seal(secret: bytes, token: str, issued: int) -> str:
    return f"{token}.{issued}.{_mac(secret, f'{token}.{issued}')}"


def unseal(secret: bytes, value: str, now: float | None = None) -> str | None:
    """The token inside a cookie value, or None if forged or expired."""
    token, _, rest = value.partition(".")
    issued, _, mac = rest.partition(".")
    if not token or not issued.isdigit():
        return None
    if not hmac.compare_digest(mac, _mac(secret, f"{token}.{issued}")):
        return None
    if (now if now is not None else time.time()) - int(issued) > LIFETIME:
        return None
    return token


def csrf_token(secret: bytes, token: str) -> str:
    return _mac(secret, f"csrf|{token}")


def csrf_ok(secret: bytes, token: str, offered: str | None) -> bool:
    return offered is not None and hmac.compare_digest(offered, csrf_token(secret, token))


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def set_login_cookie(response: Response, nonce: str, secure: bool) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=3600,
        httponly=True,
        samesite="strict",
        path="/login",
        secure=secure,
    )


def session_token(request: Request, secret: bytes) -> str | None:
    value = request.cookies.get(COOKIE)
    return unseal(secret, value) if value else None


def set_cookie(response: Response, secret: bytes, token: str, secure: bool) -> None:
    """The session cookie; ``secure`` (served over TLS) keeps browsers from sending it over
    plain HTTP, which the single-machine demo still uses."""
    response.set_cookie(
        COOKIE,
        seal(secret, token, int(time.time())),
        max_age=LIFETIME,
        httponly=True,
        samesite="strict",
        path="/",
        secure=secure,
    )


def clear_cookie(response: Response, secure: bool) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=secure)
