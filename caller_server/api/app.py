"""The FastAPI application: routes, error mapping, the event hub, health and metrics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from caller_server.api import errors, pages, routes, stream
from caller_server.api.deps import TokenCache
from caller_server.api.hub import EventHub
from caller_server.push import endpoint, tls
from caller_server.push.mdns import Mdns
from caller_server.push.pusher import Pusher
from caller_server.runtime import Runtime
from caller_server.services import devices, queue


def create_app(rt: Runtime) -> FastAPI:
    hub = EventHub(rt)
    pusher = Pusher(rt, hub)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        await pusher.start()
        # zeroconf's blocking API must not run on the event loop.
        mdns = await asyncio.to_thread(_start_mdns, rt)
        try:
            yield
        finally:
            if mdns is not None:
                await asyncio.to_thread(mdns.close)
            await pusher.stop()
            await hub.stop()

    app = FastAPI(
        title="yihao caller server",
        version="1",
        description="一号 — queue and ticketing for a government service hall",
        lifespan=lifespan,
    )
    app.state.runtime = rt
    app.state.hub = hub
    app.state.pusher = pusher
    app.state.tokens = TokenCache()
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(stream.router)
    app.include_router(endpoint.router)
    stream.document(app)
    app.include_router(pages.router)

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

    return app


def _start_mdns(rt: Runtime) -> Mdns | None:
    """Advertise the server and browse for devices, when the hall turned mDNS on."""
    interfaces = rt.settings.mdns_interfaces
    if not interfaces:
        return None
    fp = tls.ensure_certificate(rt.settings.home, rt.hall.id)[0].fingerprint
    txt = {"id": rt.hall.id, "hall": rt.hall.names.zh_cn, "v": "1", "fp": fp}
    mdns = Mdns(interfaces, partial(devices.seen, rt.ctx), txt, rt.settings.port)
    mdns.start()
    return mdns
