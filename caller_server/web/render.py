"""Jinja2 pages (autoescaped) with the language, the session's CSRF token and the texts."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from caller_server.web import i18n

_env = Environment(
    loader=PackageLoader("caller_server.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def page(
    request: Request, template: str, status: int = 200, csrf: str = "", **context: Any
) -> HTMLResponse:
    lang = i18n.lang_of(request)
    html = _env.get_template(template).render(
        lang=lang,
        langs=i18n.LANG_NAMES,
        _=lambda key: i18n.text(lang, key),
        pick=lambda triple: i18n.pick(lang, triple),
        say=lambda zh, en: i18n.say(lang, zh, en),
        texts_for=lambda keys: {key: i18n.text(lang, key) for key in keys},
        csrf=csrf,
        path=request.url.path,
        hall=request.app.state.runtime.hall,
        **context,
    )
    response = HTMLResponse(html, status)
    if request.query_params.get("lang") in i18n.LANGS:
        secure = request.app.state.runtime.settings.tls
        response.set_cookie(i18n.COOKIE, i18n.lang_of(request), max_age=365 * 86400, secure=secure)
    return response
