"""The device's side of pairing: ``POST /pair/hello`` and ``POST /pair/confirm`` over HTTP.

The PIN never crosses the LAN: the server proves it knows the PIN first (an HMAC under a key
derived from the PIN and the transcript, see :func:`caller_server.protocol.pairing_key`);
only then does the device answer with its own proof. Five wrong proofs draw a new PIN.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ValidationError

from caller_server.protocol import (
    PairConfirm,
    PairConfirmReply,
    PairHello,
    PairHelloReply,
    pairing_key,
    pairing_proof,
)
from counter_display.identity import Identity, PairedServer

log = logging.getLogger(__name__)

SESSION_SECONDS = 60.0


def _reachable(url: str, peer: str) -> str:
    """The server URL as this device can reach it (a server bound to 0.0.0.0 names no host)."""
    parts = urlsplit(url)
    if parts.hostname in (None, "", "0.0.0.0", "::"):
        netloc = f"{peer}:{parts.port}" if parts.port else peer
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return url


class PairingEndpoint:
    """Serves the two pairing steps on ``port`` (0: any free port) for one identity."""

    def __init__(
        self,
        identity: Identity,
        counter: int | None,
        on_paired: Callable[[PairedServer], None],
        on_new_pin: Callable[[str], None],
        host: str = "0.0.0.0",
        port: int = 0,
    ) -> None:
        self.identity = identity
        self.counter = counter
        self._on_paired = on_paired
        self._on_new_pin = on_new_pin
        self._sessions: dict[str, tuple[float, PairHello, PairHelloReply]] = {}
        self._lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                status, body = endpoint.handle(
                    self.path, self.rfile.read(min(length, 65536)), self.client_address[0]
                )
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                log.debug("pairing endpoint: " + format, *args)

        self.http = ThreadingHTTPServer((host, port), Handler)
        self.http.daemon_threads = True
        self.port: int = self.http.server_address[1]
        self._thread = threading.Thread(
            target=self.http.serve_forever, name="yihao-device-pairing", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self._thread.join(5)

    def handle(self, path: str, raw: bytes, peer: str) -> tuple[int, dict[str, object]]:
        try:
            if path == "/pair/hello":
                return self._hello(PairHello.model_validate_json(raw))
            if path == "/pair/confirm":
                return self._confirm(PairConfirm.model_validate_json(raw), peer)
        except ValidationError as exc:
            return 422, {"detail": str(exc)}
        return 404, {"detail": "not found"}

    def _hello(self, hello: PairHello) -> tuple[int, dict[str, object]]:
        if self.identity.server is not None:
            return 409, {"detail": "already paired; unpair or factory-reset first"}
        reply = PairHelloReply(
            device_id=self.identity.id,
            public_key=self.identity.public_key,
            device_nonce=secrets.token_hex(16),
            counter=self.counter,
        )
        now = time.monotonic()
        with self._lock:
            self._sessions = {k: v for k, v in self._sessions.items() if v[0] > now}
            self._sessions[hello.server_nonce] = (now + SESSION_SECONDS, hello, reply)
        return 200, _dump(reply)

    def _confirm(self, confirm: PairConfirm, peer: str) -> tuple[int, dict[str, object]]:
        with self._lock:
            session = self._sessions.pop(confirm.server_nonce, None)
        if session is None or session[0] < time.monotonic():
            return 409, {"detail": "no pairing in progress; start again"}
        _, hello, reply = session
        key = pairing_key(self.identity.pin, hello, reply)
        if not hmac.compare_digest(confirm.server_proof, pairing_proof(key, "server")):
            if self.identity.failed_attempt():
                self._on_new_pin(self.identity.pin)
            return 403, {"detail": "wrong PIN"}
        server = PairedServer(hello.server_id, _reachable(hello.server_url, peer), hello.server_fp)
        self.identity.paired(server)
        log.info("paired with server %s at %s", server.id, server.url)
        self._on_paired(server)
        return 200, _dump(PairConfirmReply(device_proof=pairing_proof(key, "device")))


def _dump(model: BaseModel) -> dict[str, object]:
    return model.model_dump()
