"""The FastAPI application: routes, error mapping, the event hub, health and metrics."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials

from caller_server.api import errors, openapi, pages, routes, stream
from caller_server.api.deps import TokenCache, bearer_token, credential, require
from caller_server.api.hub import EventHub
from caller_server.api.limits import BodyLimit, header_timeout_protocol
from caller_server.api.throttle import LoginThrottle
from caller_server.push import endpoint, tls
from caller_server.push.mdns import Mdns
from caller_server.push.pusher import Pusher
from caller_server.runtime import Runtime
from caller_server.services import devices, privacy, queue
from caller_server.store.engine import describe
from caller_server.web import admin as web_admin
from caller_server.web import manager as web_manager
from caller_server.web import routes as web_routes

log = logging.getLogger(__name__)


def create_app(rt: Runtime) -> FastAPI:
    hub = EventHub(rt)
    pusher = Pusher(rt, hub)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        retention = asyncio.create_task(_retention(rt), name="yihao-retention")
        await pusher.start()
        # zeroconf's blocking API must not run on the event loop.
        mdns = await asyncio.to_thread(_start_mdns, rt)
        try:
            yield
        finally:
            retention.cancel()
            if mdns is not None:
                await asyncio.to_thread(mdns.close)
            await pusher.stop()
            await hub.stop()

    app = FastAPI(
        title="yihao caller server",
        version="1",
        description="一号 — queue and ticketing for a government service hall",
        lifespan=lifespan,
        docs_url=None,  # served by the web routes from vendored Swagger UI (no CDN)
        redoc_url=None,
    )
    app.state.runtime = rt
    app.state.hub = hub
    app.state.pusher = pusher
    app.state.tokens = TokenCache()
    hub.hooks.append(app.state.tokens.forgets)
    web_admin.catch_up_hall_edits(rt)
    hub.hooks.append(web_admin.follow_hall_edits(rt))
    app.state.logins = LoginThrottle()
    errors.install(app)
    app.add_middleware(
        BodyLimit,
        default=rt.settings.body_limit,
        larger={"/api/v1/appointments/import": rt.settings.import_limit},
    )
    app.include_router(routes.router)
    app.include_router(stream.router)
    app.include_router(endpoint.router)
    stream.document(app)
    openapi.install(app)
    app.include_router(pages.router)
    app.include_router(web_routes.router)
    app.include_router(web_manager.router)
    app.include_router(web_manager.api)
    app.include_router(web_admin.router)
    app.mount("/static", web_routes.static_files, name="static")

    @app.get("/healthz", responses={503: {"description": "writes are failing"}})
    async def healthz() -> JSONResponse:
        """200 when the database answers and the last write succeeded, else 503 with why."""
        snap = await rt.read(queue.snapshot, rt.ctx)
        failing = rt.ctx.write_failure
        body = {"status": "failing" if failing else "ok", "hall": rt.hall.id, "seq": snap.seq}
        if failing:
            body["writes"] = failing
        return JSONResponse(body, 503 if failing else 200)

    @app.get("/metrics", response_class=PlainTextResponse)
    async def metrics(
        request: Request, bearer: HTTPAuthorizationCredentials | None = Depends(bearer_token)
    ) -> PlainTextResponse:
        """Prometheus text: for a scraper on this host, or anyone with a manager token."""
        client = request.client.host if request.client else ""
        if not ipaddress.ip_address(client or "0.0.0.0").is_loopback:
            await require("manager")(await credential(request, bearer))
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


def server_config(
    rt: Runtime, log_level: str = "info", app: FastAPI | None = None
) -> uvicorn.Config:
    """The uvicorn server for ``rt``: httptools with a header deadline, sans-I/O websockets,
    and the hall certificate when the hall serves TLS."""
    certificate = tls.paths(rt.settings.home)
    return uvicorn.Config(
        app or create_app(rt),
        host=rt.settings.host,
        port=rt.settings.port,
        log_level=log_level,
        access_log=False,
        http=header_timeout_protocol(rt.settings.header_timeout),
        ws="websockets-sansio",
        ssl_certfile=str(certificate.cert) if rt.settings.tls else None,
        ssl_keyfile=str(certificate.key) if rt.settings.tls else None,
    )


RETENTION_INTERVAL = 3600.0
"""Seconds between two runs of the retention purge (also run at start)."""


async def _retention(rt: Runtime) -> None:
    """Erase personal fields past retention now and every hour (idempotent, so each server
    process may run it)."""
    while True:
        try:
            await rt.write(privacy.purge, rt.ctx, "system:retention")
        except Exception as exc:  # the database may be down; try again next time
            log.error("retention purge failed: %s", describe(exc))
        await asyncio.sleep(RETENTION_INTERVAL)


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
