"""Client library for kiosks, consoles and tools (httpx only; no server imports)."""

from __future__ import annotations

import logging
from typing import Any, Self

import httpx

from caller_server.protocol import (
    CallOut,
    IdentityIn,
    IssueRequest,
    KioskHealthIn,
    QueueSnapshot,
    RatingIn,
    TicketOut,
    TransferIn,
)

log = logging.getLogger(__name__)


class ClientError(Exception):
    """The server refused (``code`` from its problem document) or could not be reached."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        detail_en: str,
        ticket: TicketOut | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail_en}")
        self.status = status
        self.code = code
        self.detail = detail
        self.detail_en = detail_en
        self.ticket = ticket


class NetworkError(ClientError):
    def __init__(self, reason: str) -> None:
        super().__init__(0, "network", "网络异常，请稍后再试", f"network problem: {reason}")


class YihaoClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            base_url=base_url, headers=headers, timeout=timeout, transport=transport
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        try:
            response = self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise NetworkError(str(exc) or type(exc).__name__) from exc
        if response.is_success:
            return response.json() if response.content else None
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        ticket = problem.get("ticket")
        raise ClientError(
            response.status_code,
            problem.get("code", "http_error"),
            problem.get("detail", "服务器返回错误，请联系工作人员"),
            problem.get("detail_en", response.reason_phrase),
            TicketOut.model_validate(ticket) if ticket else None,
        )

    def issue(
        self,
        category: str,
        identity: IdentityIn | None = None,
        kiosk_id: str = "unknown",
        request_id: str | None = None,
    ) -> TicketOut:
        """Issue; sending the same ``request_id`` again returns the same ticket."""
        request = IssueRequest(
            category=category, identity=identity, kiosk_id=kiosk_id, request_id=request_id
        )
        body = request.model_dump(mode="json", exclude_none=True)
        return TicketOut.model_validate(self._call("POST", "/api/v1/tickets", body))

    def status(self, token: str) -> TicketOut:
        return TicketOut.model_validate(self._call("GET", f"/api/v1/tickets/{token}"))

    def rate(self, token: str, level: int) -> TicketOut:
        body = RatingIn(level=level).model_dump()
        return TicketOut.model_validate(self._call("POST", f"/api/v1/tickets/{token}/rating", body))

    def counter(self, counter: int, action: str) -> CallOut:
        """``action``: call-next, recall, skip, start, finish, pause or resume."""
        return CallOut.model_validate(self._call("POST", f"/api/v1/counters/{counter}/{action}"))

    def transfer(self, counter: int, category: str, to_counter: int | None = None) -> CallOut:
        body = TransferIn(category=category, counter=to_counter).model_dump(exclude_none=True)
        path = f"/api/v1/counters/{counter}/transfer"
        return CallOut.model_validate(self._call("POST", path, body))

    def queue(self) -> QueueSnapshot:
        return QueueSnapshot.model_validate(self._call("GET", "/api/v1/queue"))

    def report_kiosk(self, kiosk_id: str, health: KioskHealthIn) -> None:
        """A kiosk's periodic health report (reader, printer, paper, version)."""
        self._call("PUT", f"/api/v1/kiosks/{kiosk_id}/health", health.model_dump(mode="json"))
