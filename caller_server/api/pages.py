"""The ticket status page: what the QR code on a ticket opens on a citizen's phone.

Server-rendered HTML (no CDN) in the three hall languages: the number, the place in
the queue, the counter when called, and the 好差评 buttons once the service is done.
A small script follows the events stream and reloads the page when the ticket changes
(with a vibration and a notification when it is called); without JavaScript the page
reloads every 15 s.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from caller_server.domain.errors import DomainError
from caller_server.domain.rating import LABELS, Rating
from caller_server.runtime import Runtime
from caller_server.services import tickets
from caller_server.web import i18n
from caller_server.web.render import page

router = APIRouter(include_in_schema=False)

SOON = 2
"""「即将轮到您」 when this many or fewer are ahead."""


@router.get("/t/{token}", response_class=HTMLResponse)
async def status_page(token: str, request: Request) -> HTMLResponse:
    rt: Runtime = request.app.state.runtime
    lang = i18n.lang_of(request)

    def fmt(key: str, **numbers: int | None) -> Markup:
        """A text with its numbers in bold (numbers only: nothing else is inserted)."""
        bold = {k: Markup(f"<b>{int(v or 0)}</b>") for k, v in numbers.items()}
        return Markup.escape(i18n.text(lang, key)).format(**bold)

    try:
        t = await rt.read(tickets.status, rt.ctx, token)
    except DomainError as exc:
        error = i18n.say(lang, exc.message_zh, exc.message_en)
        return page(request, "ticket.html", 404, t=None, live=False, error=error)
    return page(
        request,
        "ticket.html",
        t=t,
        live=t.status in ("waiting", "called", "serving"),
        category=rt.hall.categories[t.category].names.get(lang),
        soon=SOON,
        window=rt.hall.rules.reactivation_minutes,
        ratings={r.value: i18n.pick(lang, LABELS[r]) for r in Rating},
        fmt=fmt,
    )


@router.post("/t/{token}/rating")
async def rate_from_page(token: str, request: Request, level: int = Form()) -> RedirectResponse:
    rt: Runtime = request.app.state.runtime
    try:
        await rt.write(tickets.rate, rt.ctx, token, level, "citizen:page")
    except DomainError:
        pass  # the page shows the ticket as it is (rated already, not finished …)
    return RedirectResponse(f"/t/{token}", status_code=303)
