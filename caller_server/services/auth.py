"""Users (argon2 hashes) and bearer tokens (stored as SHA-256 of the token)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from caller_server import passwords
from caller_server.domain.errors import DomainError
from caller_server.domain.events import Event, EventKind
from caller_server.services.context import ServiceContext
from caller_server.store.repository import Credential, UserRecord

ROLES = ("kiosk", "clerk", "manager", "admin")
"""Token roles. Output devices hold no token: they prove their paired key (push/pairing)."""


@dataclass(frozen=True)
class Login:
    """A checked password: the user's credential, and their password hashed anew when the
    stored hash used older parameters."""

    credential: Credential
    username: str
    rehashed: str | None = None


class AuthError(DomainError):
    code = "unauthorized"

    def __init__(self) -> None:
        super().__init__("请先登录或提供有效令牌", "a valid bearer token is required")


class RoleError(DomainError):
    code = "role_invalid"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_role(ctx: ServiceContext, role: str, counter: int | None) -> None:
    if role not in ROLES:
        raise RoleError("角色无效", f"role must be one of {', '.join(ROLES)}")
    if role == "clerk" and counter is None:
        raise RoleError("窗口人员须指定窗口号", "a clerk needs a counter")
    if counter is not None and role != "clerk":
        raise RoleError("只有窗口人员绑定窗口", "only a clerk is bound to a counter")
    if counter is not None and counter not in ctx.hall.counters:
        raise RoleError(f"没有 {counter} 号窗口", f"no such counter: {counter}")


def create_token(
    ctx: ServiceContext, role: str, counter: int | None, label: str, hours: int | None = None
) -> str:
    """A new bearer token, ending after ``hours`` (None: until revoked); only its hash is
    stored."""
    check_role(ctx, role, counter)
    token = secrets.token_urlsafe(32)
    now = ctx.clock()
    expires = None if hours is None else now + hours * 3600
    with ctx.unit(write=True) as uow:
        uow.repo.add_token(_hash_token(token), Credential(role, counter, label, expires), now)
        uow.commit()
    return token


def login_token(ctx: ServiceContext, login: Login) -> str:
    """The token of a successful login: it ends after the hall's ``rules.login_hours``.
    An outdated password hash is replaced by the fresh one computed at the check."""
    if login.rehashed is not None:
        with ctx.unit(write=True) as uow:
            uow.repo.set_password_hash(login.username, login.rehashed)
            uow.commit()
    cred = login.credential
    return create_token(ctx, cred.role, cred.counter, cred.label, ctx.hall.rules.login_hours)


def authenticate(ctx: ServiceContext, token: str) -> Credential:
    with ctx.unit(write=False) as uow:
        credential = uow.repo.token(_hash_token(token), ctx.clock())
    if credential is None:
        raise AuthError()
    return credential


def add_user(
    ctx: ServiceContext, username: str, password: str, role: str, counter: int | None
) -> None:
    check_role(ctx, role, counter)
    record = UserRecord(username, hash_password(password), role, counter)
    with ctx.unit(write=True) as uow:
        if uow.repo.user(username) is not None:
            raise RoleError("用户名已存在", f"user {username} exists already")
        uow.repo.add_user(record, ctx.clock())
        uow.commit()


def hash_password(password: str, hasher: Callable[[str], str] = passwords.hash_password) -> str:
    """An argon2 hash (slow on purpose: a server passes its password process's ``hash``)."""
    if len(password) < 8:
        raise RoleError("密码至少 8 位", "a password has at least 8 characters")
    return hasher(password)


def check_password(
    ctx: ServiceContext,
    username: str,
    password: str,
    verify: Callable[[str | None, str], passwords.Verdict] = passwords.verify,
) -> Login:
    """The user's credential if the password is right. Slow on purpose (argon2): a server
    passes its password process's ``verify`` and calls this off the event loop, never on the
    writer thread or inside a transaction. An unknown name runs argon2 too, so timing does
    not tell which names exist."""
    with ctx.unit(write=False) as uow:
        user = uow.repo.user(username)
    verdict = verify(user.password_hash if user is not None else None, password)
    if not verdict.ok or user is None or user.disabled:
        raise AuthError()
    return Login(
        Credential(user.role, user.counter, f"login:{username}"), username, verdict.rehashed
    )


def record_lockout(ctx: ServiceContext, username: str, address: str) -> None:
    """Audit repeated failed logins of one name (the name is staff's, never a citizen's)."""
    data = {"username": username, "address": address}
    with ctx.unit(write=True) as uow:
        ctx.record(uow, Event(EventKind.LOGIN_LOCKED, at=ctx.clock(), actor="system", data=data))


def revoke(ctx: ServiceContext, token: str, actor: str) -> None:
    """Revoke a token (logout); unknown tokens are ignored. The audit event tells every
    server process to forget the tokens it has cached."""
    with ctx.unit(write=True) as uow:
        uow.repo.revoke_token(_hash_token(token))
        ctx.record(uow, Event(kind=EventKind.SIGNED_OUT, at=ctx.clock(), actor=actor))
