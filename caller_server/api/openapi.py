"""``/openapi.json`` that describes the API as it answers.

FastAPI documents the success response and a 422 in its own shape. This adds every problem
the operation can answer, as ``application/problem+json`` with the :class:`Problem` schema:
what any request can meet (a malformed request, the database unavailable), what the
operation's shape implies (a body → 400 and 413, a bearer token → 401 and 403, a path
parameter → 404) and what its use case refuses (:data:`DOMAIN_ERRORS`). The schemathesis run
in the tests fails on any answer not documented here.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from caller_server.api.errors import PROBLEM
from caller_server.protocol import Problem

DOMAIN_ERRORS: dict[tuple[str, str], tuple[int, ...]] = {
    ("post", "/api/v1/tickets"): (404, 409, 423),
    ("post", "/api/v1/tickets/{token}/rating"): (409,),
    ("post", "/api/v1/appointments"): (404,),
    ("post", "/api/v1/devices/{device_id}/pair"): (409, 502),
    ("post", "/api/v1/auth/login"): (401, 429),
    ("post", "/api/v1/queue/{number}/priority"): (409,),
    ("post", "/api/v1/queue/{number}/cancel"): (409,),
    **{
        ("post", f"/api/v1/counters/{{n}}/{action}"): (409,)
        for action in (
            "call-next",
            "call-number",
            "recall",
            "skip",
            "start",
            "finish",
            "transfer",
            "pause",
            "resume",
        )
    },
}
"""Refusals of the use cases behind an operation, beyond what its shape implies."""

SUCCESS_TYPES = {("get", "/api/v1/stats.csv"): "text/csv"}
"""Successful answers that are not JSON."""

PUBLIC_OR_TOKEN = {("get", "/metrics")}
"""Operations open to some clients without a token (loopback), to others with one."""

_DESCRIPTIONS = {
    400: "the body is not JSON in UTF-8",
    401: "no token, or an unknown, expired or revoked one",
    403: "the token's role or counter may not do this",
    404: "no such resource",
    409: "refused in the current state",
    413: "the body is over the size limit",
    422: "the request does not validate",
    423: "the category takes no tickets now",
    429: "too many failed logins: wait Retry-After seconds",
    500: "internal error (logged)",
    502: "a device did not answer",
    503: "the database is unavailable or its disk is full",
}


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS.get(status, "problem"),
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _codes(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    codes = {422, 500, 503}
    if "requestBody" in operation:
        codes |= {400, 413}
    if operation.get("security"):
        codes |= {401, 403}
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        codes.add(404)
    return codes | set(DOMAIN_ERRORS.get((method, path), ()))


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem responses to every operation of ``schema`` (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(_codes(method, path, operation)):
                responses[str(status)] = _problem(status)
            if (method, path) in SUCCESS_TYPES:
                success = responses["200"]
                success["content"] = {SUCCESS_TYPES[method, path]: {"schema": {"type": "string"}}}
            if (method, path) in PUBLIC_OR_TOKEN:
                operation["security"] = [{}, *operation.get("security", [])]
    return schema


def install(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if not app.openapi_schema:
            app.openapi_schema = complete(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
