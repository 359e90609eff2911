"""Routes of the web consoles: login, clerk console, wall, manager dashboard, API docs."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from caller_server.api.deps import TokenCache
from caller_server.api.throttle import TooManyLogins, attempt_login
from caller_server.domain.errors import DomainError
from caller_server.domain.outcome import LABELS as OUTCOMES
from caller_server.domain.outcome import PAUSE_REASONS
from caller_server.passwords import PasswordWorkerError
from caller_server.runtime import Runtime
from caller_server.services import auth, console
from caller_server.store.repository import Credential
from caller_server.web import i18n, session, wall
from caller_server.web.render import page

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent / "static"
static_files = StaticFiles(directory=STATIC)

_HOME = {"clerk": "/counter/{counter}", "manager": "/manager", "admin": "/admin"}


@dataclass(frozen=True)
class WebSession:
    credential: Credential
    token: str
    csrf: str

    @property
    def username(self) -> str:
        return self.credential.label.removeprefix("login:")


def _rt(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def current_session(request: Request) -> WebSession | None:
    rt = _rt(request)
    token = session.session_token(request, rt.ctx.secret)
    if token is None:
        return None
    cache: TokenCache = request.app.state.tokens
    try:
        cred = await cache.resolve(rt, token)
    except DomainError:
        return None
    return WebSession(cred, token, session.csrf_token(rt.ctx.secret, token))


async def session_of(
    request: Request, roles: tuple[str, ...], refusal: i18n.Said
) -> WebSession | Response:
    """The session if its role is one of ``roles``; else the login redirect or a 403 page."""
    who = await current_session(request)
    if who is None:
        return to_login(request)
    if who.credential.role not in roles:
        return forbidden(request, who, refusal)
    return who


async def form_change(
    request: Request,
    csrf: str,
    roles: tuple[str, ...],
    back: str,
    work: Callable[[Runtime, str], Awaitable[i18n.Said]],
) -> Response:
    """A form POST: check the role and the CSRF field, run ``work`` (it returns the message),
    and redirect to ``back`` with the message or the error, in the page's language."""
    who = await session_of(request, roles, ("无权进行此操作", "you may not do this"))
    if isinstance(who, Response):
        return who
    rt = _rt(request)
    if not session.csrf_ok(rt.ctx.secret, who.token, csrf):
        return HTMLResponse("CSRF token missing", status_code=403)
    lang = i18n.lang_of(request)
    try:
        zh, en = await work(rt, f"{who.credential.role}:{who.credential.label}")
    except DomainError as exc:
        text = i18n.say(lang, exc.message_zh, exc.message_en)
        return RedirectResponse(f"{back}?error={quote(text)}", status_code=303)
    return RedirectResponse(f"{back}?msg={quote(i18n.say(lang, zh, en))}", status_code=303)


def to_login(request: Request) -> RedirectResponse:
    target = quote(request.url.path)
    return RedirectResponse(f"/login?next={target}", status_code=303)


def forbidden(request: Request, who: WebSession, refusal: i18n.Said) -> HTMLResponse:
    message = i18n.say(i18n.lang_of(request), *refusal)
    return page(request, "forbidden.html", 403, csrf=who.csrf, message=message, who=who)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "") -> Response:
    return _login_page(request, 200, next if next.startswith("/") else "", "", "")


def _login_page(request: Request, status: int, next: str, error: str, user: str) -> Response:
    """The login form, with a CSRF token derived from its nonce cookie (set if missing)."""
    rt = _rt(request)
    known = request.cookies.get(session.LOGIN_COOKIE)
    nonce = known or session.new_nonce()
    csrf = session.csrf_token(rt.ctx.secret, f"login|{nonce}")
    response = page(request, "login.html", status, next=next, error=error, user=user, form=csrf)
    if not known:
        session.set_login_cookie(response, nonce, rt.settings.tls)
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    username: str = Form(),
    password: str = Form(),
    next: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    rt = _rt(request)
    nonce = request.cookies.get(session.LOGIN_COOKIE, "")
    if not nonce or not session.csrf_ok(rt.ctx.secret, f"login|{nonce}", csrf):
        return _login_page(request, 403, next, "expired_form", username)
    try:
        token, cred = await attempt_login(request, username, password)
    except TooManyLogins:
        log.info("web login throttled for %r", username)
        return _login_page(request, 429, next, "login_throttled", username)
    except PasswordWorkerError:
        return _login_page(request, 503, next, "login_unavailable", username)
    except DomainError:
        log.info("web login refused for %r", username)
        return _login_page(request, 401, next, "login_failed", username)
    home = _HOME.get(cred.role, "/wall").format(counter=cred.counter)
    local = next.startswith("/") and not next.startswith("//") and "\\" not in next
    target = next if local else home  # never off-site (no //host, no /\host)
    response = RedirectResponse(target, status_code=303)
    session.set_cookie(response, rt.ctx.secret, token, rt.settings.tls)
    return response


@router.post("/logout")
async def logout(request: Request, csrf: str = Form("")) -> Response:
    rt = _rt(request)
    token = session.session_token(request, rt.ctx.secret)
    response = RedirectResponse("/login", status_code=303)
    if token is None:
        return response
    if not session.csrf_ok(rt.ctx.secret, token, csrf):
        return HTMLResponse("CSRF token missing", status_code=403)
    await rt.write(auth.revoke, rt.ctx, token, "web:logout")
    cache: TokenCache = request.app.state.tokens
    cache.forget(token)
    session.clear_cookie(response, rt.settings.tls)
    return response


@router.get("/counter/{n}", response_class=HTMLResponse)
async def clerk_console(request: Request, n: int) -> Response:
    who = await current_session(request)
    if who is None:
        return to_login(request)
    cred = who.credential
    if cred.role not in ("clerk", "manager", "admin"):
        return forbidden(request, who, ("无权使用窗口控制台", "you may not use a counter console"))
    if cred.role == "clerk" and cred.counter != n:
        mine = cred.counter
        return forbidden(request, who, (f"您只能操作 {mine} 号窗口", f"you work at counter {mine}"))
    rt = _rt(request)
    try:
        view = await rt.read(console.console, rt.ctx, n)
    except DomainError as exc:
        message = i18n.say(i18n.lang_of(request), exc.message_zh, exc.message_en)
        return page(request, "forbidden.html", 404, csrf=who.csrf, message=message, who=who)
    categories = {
        c.code: {
            "name": [c.names.zh_cn, c.names.zh_tw, c.names.en],
            "matters": [
                {
                    "name": m.names.zh_cn,
                    "label": [m.names.zh_cn, m.names.zh_tw, m.names.en],
                    "once": m.once,
                }
                for m in c.matters
            ],
        }
        for c in rt.hall.categories.values()
    }
    return page(
        request,
        "console.html",
        csrf=who.csrf,
        who=who,
        view=view,
        categories=categories,
        outcomes=[(o.value, label) for o, label in OUTCOMES.items()],
        reasons=list(PAUSE_REASONS.items()),
    )


@router.get("/wall", response_class=HTMLResponse)
async def wall_page(request: Request) -> Response:
    rt = _rt(request)
    view = await rt.read(wall.wall_view, rt.ctx)
    return page(request, "wall.html", view=view)


@router.get("/wall.json")
async def wall_json(request: Request) -> wall.WallView:
    rt = _rt(request)
    return await rt.read(wall.wall_view, rt.ctx)


@router.get("/docs", response_class=HTMLResponse)
async def api_docs() -> HTMLResponse:
    """Swagger UI from the vendored swagger-ui-dist (no CDN: the hall may be offline)."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="yihao API",
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/swagger/favicon-32x32.png",
    )
