"""Admin use cases: users, tokens, hall changes applied without restart — each audited."""

from __future__ import annotations

from typing import Any

from caller_server.domain.events import Event, EventKind
from caller_server.services import auth
from caller_server.services.context import ServiceContext
from caller_server.store.repository import TokenRecord, UserRecord


def _audit(ctx: ServiceContext, uow: object, actor: str, what: str, **data: object) -> None:
    event = Event(kind=EventKind.ADMIN, at=ctx.clock(), actor=actor, data={"what": what, **data})
    ctx.record(uow, event)  # type: ignore[arg-type]


def users(ctx: ServiceContext) -> list[UserRecord]:
    with ctx.unit(write=False) as uow:
        return uow.repo.users()


def tokens(ctx: ServiceContext) -> list[TokenRecord]:
    with ctx.unit(write=False) as uow:
        return uow.repo.tokens()


def add_user(
    ctx: ServiceContext,
    username: str,
    password_hash: str,
    role: str,
    counter: int | None,
    actor: str,
) -> None:
    """Add a user whose password was hashed off the writer thread (:func:`auth.hash_password`)."""
    auth.check_role(ctx, role, counter)
    with ctx.unit(write=True) as uow:
        if uow.repo.user(username) is not None:
            raise auth.RoleError("用户名已存在", f"user {username} exists already")
        uow.repo.add_user(UserRecord(username, password_hash, role, counter), ctx.clock())
        _audit(ctx, uow, actor, "user_added", username=username, role=role, counter=counter)


def set_disabled(ctx: ServiceContext, username: str, disabled: bool, actor: str) -> None:
    """Disable (and sign out everywhere) or enable a user."""
    with ctx.unit(write=True) as uow:
        if uow.repo.user(username) is None:
            raise auth.RoleError("没有该用户", f"no user {username}")
        uow.repo.set_user_disabled(username, disabled)
        if disabled:
            uow.repo.revoke_label(f"login:{username}")
        what = "user_disabled" if disabled else "user_enabled"
        _audit(ctx, uow, actor, what, username=username)


def set_password(ctx: ServiceContext, username: str, password_hash: str, actor: str) -> None:
    """Reset a password (hashed off the writer thread); the user's sessions end."""
    with ctx.unit(write=True) as uow:
        if uow.repo.user(username) is None:
            raise auth.RoleError("没有该用户", f"no user {username}")
        uow.repo.set_password_hash(username, password_hash)
        uow.repo.revoke_label(f"login:{username}")
        _audit(ctx, uow, actor, "password_reset", username=username)


def revoke_token(ctx: ServiceContext, token_id: int, actor: str) -> None:
    with ctx.unit(write=True) as uow:
        uow.repo.revoke_token_id(token_id)
        _audit(ctx, uow, actor, "token_revoked", token_id=token_id)


def last_hall_edit(ctx: ServiceContext) -> Event | None:
    """The latest hall change made through the admin page (its data carries the hall)."""
    with ctx.unit(write=False) as uow:
        return uow.repo.last_event_with(EventKind.ADMIN, "hall")


def hall_changed(
    ctx: ServiceContext,
    actor: str,
    what: str,
    key: str,
    before: str,
    after: str,
    hall: dict[str, Any],
) -> None:
    """Record a hall change (counters, hours, caps) applied by the admin page; the event
    carries the whole validated hall (the TOML data) so every server process applies it."""
    with ctx.unit(write=True) as uow:
        _audit(ctx, uow, actor, what, key=key, before=before, after=after, hall=hall)
