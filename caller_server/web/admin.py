"""The admin page: users, tokens, counters ↔ categories, hours and caps, device pairing.

Every change is a form POST with the session's CSRF token, answered by a redirect
back to ``/admin`` with a message; every change is an audit event.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from caller_server.api.deps import TokenCache
from caller_server.api.routes import pair_with_pin
from caller_server.domain.errors import DomainError
from caller_server.domain.events import EventKind
from caller_server.domain.hall import Hall, parse_hall
from caller_server.protocol import EventOut
from caller_server.runtime import Runtime
from caller_server.services import admin, auth, devices
from caller_server.web import halledit, i18n
from caller_server.web.render import page
from caller_server.web.routes import WebSession, form_change, session_of

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


def _tokens(request: Request) -> TokenCache:
    cache: TokenCache = request.app.state.tokens
    return cache


async def _admin(request: Request) -> WebSession | Response:
    return await session_of(
        request, ("admin",), ("只有系统管理员可以使用", "for administrators only")
    )


async def _change(
    request: Request, csrf: str, work: Callable[[Runtime, str], Awaitable[i18n.Said]]
) -> Response:
    return await form_change(request, csrf, ("admin",), "/admin", work)


@router.get("/admin", response_class=HTMLResponse)
async def admin_page(request: Request, msg: str = "", error: str = "") -> Response:
    who = await _admin(request)
    if isinstance(who, Response):
        return who
    rt: Runtime = request.app.state.runtime
    data = halledit.read(rt.settings.hall_file)
    return page(
        request,
        "admin.html",
        csrf=who.csrf,
        who=who,
        msg=msg,
        error=error,
        users=await rt.read(admin.users, rt.ctx),
        tokens=await rt.read(admin.tokens, rt.ctx),
        devices=await rt.read(devices.list_devices, rt.ctx),
        counters=[(c["number"], halledit.counter_spec(c["categories"])) for c in data["counters"]],
        categories=[
            (
                c["code"],
                (c["name"], c.get("name_tw", c["name"]), c.get("name_en", c["name"])),
                ", ".join(c.get("hours", ["00:00-24:00"])),
                c.get("daily_cap", 500),
            )
            for c in data["categories"]
        ],
    )


@router.post("/admin/users")
async def add_user(
    request: Request,
    csrf: str = Form(""),
    username: str = Form(),
    password: str = Form(),
    role: str = Form(),
    counter: str = Form(""),
) -> Response:
    async def work(rt: Runtime, actor: str) -> i18n.Said:
        hashed = await rt.slow(auth.hash_password, password, rt.passwords.hash)
        number = int(counter) if counter.strip().isdigit() else None
        await rt.write(admin.add_user, rt.ctx, username.strip(), hashed, role, number, actor)
        return f"已添加用户 {username}", f"user {username} added"

    return await _change(request, csrf, work)


@router.post("/admin/users/{username}/disable")
async def disable_user(
    request: Request, username: str, csrf: str = Form(""), disabled: str = Form("1")
) -> Response:
    async def work(rt: Runtime, actor: str) -> i18n.Said:
        off = disabled == "1"
        await rt.write(admin.set_disabled, rt.ctx, username, off, actor)
        _tokens(request).clear()
        return f"已{'停用' if off else '启用'}用户 {username}", (
            f"user {username} {'disabled' if off else 'enabled'}"
        )

    return await _change(request, csrf, work)


@router.post("/admin/users/{username}/password")
async def reset_password(
    request: Request, username: str, csrf: str = Form(""), password: str = Form()
) -> Response:
    async def work(rt: Runtime, actor: str) -> i18n.Said:
        hashed = await rt.slow(auth.hash_password, password, rt.passwords.hash)
        await rt.write(admin.set_password, rt.ctx, username, hashed, actor)
        _tokens(request).clear()
        return f"已重置 {username} 的密码", f"the password of {username} is reset"

    return await _change(request, csrf, work)


@router.post("/admin/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: int, csrf: str = Form("")) -> Response:
    async def work(rt: Runtime, actor: str) -> i18n.Said:
        await rt.write(admin.revoke_token, rt.ctx, token_id, actor)
        _tokens(request).clear()
        return f"已吊销令牌 #{token_id}", f"token #{token_id} revoked"

    return await _change(request, csrf, work)


def _hall_target(rt: Runtime) -> Path:
    """The hall file an edit is written to."""
    return (
        rt.settings.home / "hall.toml" if rt.settings.hall_path is None else rt.settings.hall_path
    )


def _apply(rt: Runtime, data: dict[str, Any], hall: Hall) -> None:
    """Write the validated hall file and switch the running server to it."""
    _hall_target(rt).write_text(halledit.dump(data), encoding="utf-8")
    rt.hall = hall
    rt.ctx.hall = hall


def catch_up_hall_edits(rt: Runtime) -> None:
    """At start: apply the last hall edit made on the database while this process was down
    (another machine's server took it), unless this process's hall file was changed after it
    (``yihao init --config``, an edited file): the newer of the two is the hall."""
    edit = admin.last_hall_edit(rt.ctx)
    if edit is None:
        return
    try:
        hall = parse_hall(edit.data["hall"])
    except DomainError as exc:  # validated by the process that took it; never expected
        log.error("hall edit #%d not applied: %s", edit.seq, exc.message_en)
        return
    if hall == rt.hall:
        return
    target = _hall_target(rt)
    if target.exists() and target.stat().st_mtime > edit.at:
        log.warning(
            "%s was changed after hall edit #%d (%s) and differs from it: the file is used",
            target,
            edit.seq,
            edit.data.get("what"),
        )
        return
    _apply(rt, edit.data["hall"], hall)
    log.info(
        "hall edit #%d (%s), made while this server was down, applied",
        edit.seq,
        edit.data.get("what"),
    )


def follow_hall_edits(rt: Runtime) -> Callable[[EventOut], None]:
    """An event-hub hook: apply a hall edit made through any server process on the database
    (its ADMIN event carries the validated hall), and keep it in this process's hall file."""

    def follow(event: EventOut) -> None:
        data = event.data.get("hall")
        if event.kind != EventKind.ADMIN or not isinstance(data, dict):
            return
        try:
            hall = parse_hall(data)
        except DomainError as exc:  # validated by the process that took it; never expected
            log.error("hall edit #%d not applied: %s", event.seq, exc.message_en)
            return
        if hall != rt.hall:
            _apply(rt, data, hall)
            log.info("hall edit #%d by %s applied", event.seq, event.data.get("what"))

    return follow


@router.post("/admin/counters/{number}")
async def edit_counter(
    request: Request, number: int, csrf: str = Form(""), categories: str = Form()
) -> Response:
    async def work(rt: Runtime, actor: str) -> i18n.Said:
        data = halledit.read(rt.settings.hall_file)
        before = next(
            halledit.counter_spec(c["categories"])
            for c in data["counters"]
            if c["number"] == number
        )
        new, hall = halledit.set_counter(data, number, categories)
        _apply(rt, new, hall)
        what, key = "counter_categories", str(number)
        await rt.write(admin.hall_changed, rt.ctx, actor, what, key, before, categories, new)
        return f"{number} 号窗口已改为 {categories}", f"counter {number} now serves {categories}"

    return await _change(request, csrf, work)


@router.post("/admin/categories/{code}")
async def edit_category(
    request: Request, code: str, csrf: str = Form(""), hours: str = Form(), daily_cap: int = Form()
) -> Response:
    async def work(rt: Runtime, actor: str) -> i18n.Said:
        data = halledit.read(rt.settings.hall_file)
        old = next(c for c in data["categories"] if c["code"] == code)
        before = f"{', '.join(old.get('hours', []))} cap {old.get('daily_cap', 500)}"
        new, hall = halledit.set_category(data, code, hours, daily_cap)
        _apply(rt, new, hall)
        after = f"{hours} cap {daily_cap}"
        await rt.write(
            admin.hall_changed, rt.ctx, actor, "category_hours", code, before, after, new
        )
        return f"{code} 类业务已更新", f"category {code} updated"

    return await _change(request, csrf, work)


@router.post("/admin/devices/{device_id}/pair")
async def pair_device(
    request: Request,
    device_id: str,
    csrf: str = Form(""),
    pin: str = Form(),
    counter: int | None = Form(None),
) -> Response:
    async def work(rt: Runtime, actor: str) -> i18n.Said:
        await pair_with_pin(rt, device_id, pin.strip(), counter, actor)
        return f"设备 {device_id} 已配对", f"device {device_id} paired"

    return await _change(request, csrf, work)
