"""Every error leaves as ``application/problem+json`` (RFC 9457) with a stable ``code``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from caller_server.domain.errors import DomainError
from caller_server.protocol import Problem, TicketOut

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
    "device_key_mismatch": 409,
    "device_already_paired": 409,
    "counter_required": 422,
    "device_not_paired": 409,
}

_TITLES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Content",
    423: "Locked",
    502: "Bad Gateway",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Forbidden(DomainError):
    code = "forbidden"

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh, message_en)


def problem(status: int, code: str, zh: str, en: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="yihao"'} if status == 401 else None
    body = Problem(
        type=f"https://yihao.dev/problems/{code}",
        title=_TITLES.get(status, "Error"),
        status=status,
        code=code,
        detail=zh,
        detail_en=en,
        **extra,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status, headers=headers, media_type=PROBLEM
    )


def _domain(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = STATUS.get(exc.code, 400)
    extra: dict[str, Any] = {}
    ticket = exc.context.get("ticket")
    if isinstance(ticket, TicketOut):
        extra["ticket"] = ticket
    return problem(status, exc.code, exc.message_zh, exc.message_en, **extra)


def _validation(_request: Request, exc: Exception) -> JSONResponse:
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


def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return problem(404, "not_found", "没有这个地址", "no such resource")
    if exc.status_code == 405:
        return problem(405, "method_not_allowed", "不支持该请求方法", "method not allowed")
    return problem(exc.status_code, "http_error", str(exc.detail), str(exc.detail))


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error", exc_info=exc)
    return problem(
        500,
        "internal_error",
        "系统异常，请联系工作人员",
        "internal error; the incident is logged",
    )


def _database(_request: Request, exc: Exception) -> JSONResponse:
    log.error("database unavailable: %s", exc)
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
