"""Every error leaves as ``application/problem+json`` (RFC 9457) with a stable ``code``."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException

from caller_server.domain.errors import DomainError
from caller_server.protocol import Problem, TicketOut
from caller_server.store.engine import describe, is_disk_full
from caller_server.zhtw import traditional

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"

STATUS = {
    "invalid_id_number": 422,
    "card_expired": 422,
    "identity_required": 422,
    "appointment_invalid": 422,
    "role_invalid": 422,
    "rating_not_allowed": 409,
    "unknown_category": 404,
    "unknown_counter": 404,
    "ticket_not_found": 404,
    "category_closed": 423,
    "category_at_cap": 423,
    "person_daily_limit": 409,
    "illegal_transition": 409,
    "counter_not_open": 409,
    "no_current_ticket": 409,
    "unauthorized": 401,
    "forbidden": 403,
    "unknown_device": 404,
    "pairing_refused": 409,
    "device_unreachable": 502,
    "day_key_invalid": 500,
    "too_many_logins": 429,
    "login_unavailable": 503,
    "bad_kiosk_id": 422,
    "counter_state_changed": 409,
    "not_callable": 409,
    "unknown_matter": 422,
    "device_key_mismatch": 409,
    "device_already_paired": 409,
    "counter_required": 422,
    "device_not_paired": 409,
}

_TITLES = {
    400: "Bad Request",
    405: "Method Not Allowed",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Content",
    413: "Content Too Large",
    423: "Locked",
    429: "Too Many Requests",
    502: "Bad Gateway",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Forbidden(DomainError):
    code = "forbidden"

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh, message_en)


def problem(
    status: int,
    code: str,
    zh: str,
    en: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="yihao"'}
    body = Problem(
        type=f"https://yihao.dev/problems/{code}",
        title=_TITLES.get(status, "Error"),
        status=status,
        code=code,
        detail=zh,
        detail_tw=traditional(zh),
        detail_en=en,
        **extra,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status, headers=headers, media_type=PROBLEM
    )


async def _domain(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = STATUS.get(exc.code, 400)
    extra: dict[str, Any] = {}
    ticket = exc.context.get("ticket")
    if isinstance(ticket, TicketOut):
        extra["ticket"] = ticket
    retry = exc.context.get("retry_after")
    headers = {"Retry-After": str(retry)} if isinstance(retry, int) else None
    return problem(status, exc.code, exc.message_zh, exc.message_en, headers, **extra)


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    where = "; ".join(".".join(str(p) for p in e["loc"]) for e in errors)
    return problem(
        422,
        "malformed_request",
        f"请求格式有误：{where}",
        f"the request is malformed: {where}",
        errors=errors,
    )


def _allowed(request: Request) -> dict[str, str]:
    """``Allow`` with every method ``/openapi.json`` documents at this path (Starlette names
    only the first route's when a path has several, e.g. POST and DELETE …/pair)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {method.upper() for method in operations}
    return {"Allow": ", ".join(sorted(methods))}


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return problem(404, "not_found", "没有这个地址", "no such resource")
    if exc.status_code == 405:
        return problem(
            405, "method_not_allowed", "不支持该请求方法", "method not allowed", _allowed(request)
        )
    if exc.status_code == 400:  # the body could not be read as JSON (bad UTF-8, too deep …)
        return problem(
            400,
            "bad_request",
            "请求内容无法解析：须为 UTF-8 编码的 JSON",
            "the request body could not be parsed: it must be JSON in UTF-8",
        )
    return problem(exc.status_code, "http_error", str(exc.detail), str(exc.detail))


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DBAPIError):  # its text may quote tokens or person keys
        log.error("unexpected database error: %s", describe(exc))
    else:
        log.error("unexpected error", exc_info=exc)
    return problem(
        500,
        "internal_error",
        "系统异常，请联系工作人员",
        "internal error; the incident is logged",
    )


async def _database(_request: Request, exc: Exception) -> JSONResponse:
    log.error("database unavailable: %s", describe(exc))
    if is_disk_full(exc):
        return problem(
            503,
            "disk_full",
            "服务器磁盘空间不足，暂时无法取号和叫号，请联系管理员清理磁盘",
            "the server's disk is full; no ticket can be issued or called until space is freed",
        )
    return problem(
        503,
        "database_unavailable",
        "系统暂时繁忙，请稍后再试；如持续出现请联系工作人员",
        "the database is unavailable; try again shortly",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(OperationalError, _database)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
