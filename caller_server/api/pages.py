"""The ticket status page: what the QR code on a ticket opens on a citizen's phone.

Server-rendered HTML (no CDN): the number, the place in the queue, the counter when
called, and the 好差评 buttons once the service is done. A small script follows the
events stream and reloads the page when the ticket changes (with a vibration and a
notification when it is called); without JavaScript the page reloads every 15 s.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from caller_server.domain.errors import DomainError
from caller_server.domain.rating import LABELS, Rating
from caller_server.protocol import TicketOut
from caller_server.runtime import Runtime
from caller_server.services import tickets

router = APIRouter(include_in_schema=False)

_STYLE = (
    "body{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;text-align:center;"
    "margin:1.5em 1em;color:#1a1a1a}header{color:#555}h1{font-size:4.5em;margin:.2em 0;"
    "color:#b71c1c;letter-spacing:.05em}h2{font-weight:normal;margin:.2em}"
    ".state{font-size:1.5em;margin:1em 0}.hint{color:#666}button{font-size:1.1em;margin:.3em;"
    "padding:.6em .9em;border:1px solid #b71c1c;border-radius:.4em;background:#fff}"
    "footer{color:#999;font-size:.85em;margin-top:2em}.soon{color:#b71c1c;font-weight:bold}"
    ".called{font-size:1.4em;color:#b71c1c}"
)


SOON = 2
"""「即将轮到您」 when this many or fewer are ahead."""


def _page(title: str, body: str, refresh: bool) -> str:
    meta = '<noscript><meta http-equiv="refresh" content="15"></noscript>' if refresh else ""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"{meta}<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def _state(t: TicketOut, window: int) -> str:
    if t.status == "waiting":
        soon = "<p class=soon>即将轮到您，请留意叫号</p>" if t.ahead <= SOON else ""
        return f"前面还有 <b>{t.ahead}</b> 人，预计等待 <b>{t.eta_minutes}</b> 分钟{soon}"
    if t.status == "called":
        return f"<span class=called>请到 <b>{t.counter}</b> 号窗口办理</span>"
    if t.status == "serving":
        return f"正在 {t.counter} 号窗口办理"
    if t.status == "no_show":
        return f"已过号。{window} 分钟内在取号机再次刷证可恢复排队"
    if t.status == "done":
        return "已办结，感谢您的耐心"
    return "已取消"


def _rating_form(t: TicketOut) -> str:
    if t.status != "done":
        return ""
    if t.rating is not None:
        return f"<p class=hint>您的评价：{LABELS[Rating(t.rating)][0]}。谢谢！</p>"
    buttons = "".join(
        f'<button name="level" value="{r.value}">{LABELS[r][0]}</button>' for r in Rating
    )
    return (
        f'<form method="post" action="/t/{t.token}/rating"><p>请评价本次服务：</p>{buttons}</form>'
    )


@router.get("/t/{token}", response_class=HTMLResponse)
async def status_page(token: str, request: Request) -> HTMLResponse:
    rt: Runtime = request.app.state.runtime
    hall = html.escape(rt.hall.names.zh_cn)
    try:
        t = await rt.read(tickets.status, rt.ctx, token)
    except DomainError as exc:
        body = (
            f"<header>{hall}</header><p class=state>{html.escape(exc.message_zh)}</p>"
            "<p class=hint>请核对号票上的二维码，或咨询大厅工作人员。</p>"
        )
        return HTMLResponse(_page("号票查询", body, refresh=False), 404)
    live = t.status in ("waiting", "called", "serving")
    body = (
        f"<header>{hall}</header><h1>{html.escape(t.number)}</h1>"
        f"<h2>{html.escape(t.category_name)}</h2>"
        f"<p class=state>{_state(t, rt.hall.rules.reactivation_minutes)}</p>"
        f"{_rating_form(t)}"
        + (
            f"<footer><button id=notify hidden>开启叫号提醒</button>"
            f"<noscript>本页每 15 秒自动刷新</noscript></footer>"
            '<script src="/static/live.js"></script>'
            f'<script src="/static/ticket.js" data-token="{t.token}" data-status="{t.status}" '
            f'data-ahead="{t.ahead}"></script>'
            if live
            else ""
        )
    )
    return HTMLResponse(_page(f"{t.number} 号票", body, refresh=live))


@router.post("/t/{token}/rating")
async def rate_from_page(token: str, request: Request, level: int = Form()) -> RedirectResponse:
    rt: Runtime = request.app.state.runtime
    try:
        await rt.write(tickets.rate, rt.ctx, token, level, "citizen:page")
    except DomainError:
        pass  # the page shows the ticket as it is (rated already, not finished …)
    return RedirectResponse(f"/t/{token}", status_code=303)
