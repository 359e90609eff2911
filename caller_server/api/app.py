"""The FastAPI application: routes, error mapping, the event hub, health and metrics."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from caller_server.api import errors, routes, stream
from caller_server.api.deps import TokenCache
from caller_server.api.hub import EventHub
from caller_server.domain.errors import DomainError
from caller_server.runtime import Runtime
from caller_server.services import queue, tickets


def create_app(rt: Runtime) -> FastAPI:
    hub = EventHub(rt)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()

    app = FastAPI(
        title="yihao caller server",
        version="1",
        description="一号 — queue and ticketing for a government service hall",
        lifespan=lifespan,
    )
    app.state.runtime = rt
    app.state.hub = hub
    app.state.tokens = TokenCache()
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(stream.router)

    @app.get("/healthz")
    async def healthz() -> dict[str, object]:
        snap = await rt.read(queue.snapshot, rt.ctx)
        return {"status": "ok", "hall": rt.hall.id, "seq": snap.seq}

    @app.get("/metrics", response_class=PlainTextResponse)
    async def metrics() -> PlainTextResponse:
        snap = await rt.read(queue.snapshot, rt.ctx)
        lines = [
            "# HELP yihao_event_seq Newest audit event sequence number.",
            "# TYPE yihao_event_seq counter",
            f"yihao_event_seq {snap.seq}",
            "# HELP yihao_waiting Tickets waiting, by category.",
            "# TYPE yihao_waiting gauge",
        ]
        lines += [f'yihao_waiting{{category="{c.code}"}} {c.waiting}' for c in snap.categories]
        lines += [
            "# HELP yihao_counter_open Whether a counter is open (1) or not (0).",
            "# TYPE yihao_counter_open gauge",
        ]
        lines += [
            f'yihao_counter_open{{counter="{c.number}"}} {int(c.status == "open")}'
            for c in snap.counters
        ]
        return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")

    @app.get("/t/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def status_page(token: str, request: Request) -> HTMLResponse:
        """The page the QR code on the ticket opens on a citizen's phone."""
        try:
            t = await rt.read(tickets.status, rt.ctx, token)
        except DomainError as exc:
            return HTMLResponse(_page("号票查询", f"<p>{html.escape(exc.message_zh)}</p>"), 404)
        state = {
            "waiting": f"前面还有 <b>{t.ahead}</b> 人，预计等待 <b>{t.eta_minutes}</b> 分钟",
            "called": f"请到 <b>{t.counter}</b> 号窗口办理",
            "serving": f"正在 {t.counter} 号窗口办理",
            "done": "已办结，感谢您的耐心",
            "no_show": "已过号。30 分钟内再次刷证可恢复排队",
            "cancelled": "已取消",
        }[t.status]
        body = (
            f"<h1>{html.escape(t.number)}</h1><h2>{html.escape(t.category_name)}</h2>"
            f"<p class=state>{state}</p><p class=hall>{html.escape(t.hall_name)}</p>"
        )
        return HTMLResponse(_page(f"{t.number} 号票", body))

    return app


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        '<meta http-equiv=refresh content="15">'
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:sans-serif;text-align:center;margin:2em 1em;color:#1a1a1a}"
        "h1{font-size:4em;margin:.2em 0;color:#b71c1c}h2{font-weight:normal}"
        ".state{font-size:1.4em}.hall{color:#666}"
        f"</style></head><body>{body}</body></html>"
    )
