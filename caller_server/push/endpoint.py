"""Device endpoints: the push WebSocket, self-registration, unpairing, the wall's notice."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import secrets

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from caller_server.api.deps import require, runtime
from caller_server.domain.errors import DomainError
from caller_server.protocol import (
    DeviceDown,
    DeviceOut,
    DeviceRegistration,
    DeviceUp,
    NoticeIn,
    push_challenge_text,
)
from caller_server.push.pusher import DeviceLink, Pusher, encode
from caller_server.runtime import Runtime
from caller_server.services import devices, display
from caller_server.store.repository import Credential, DeviceRecord
from caller_server.zhtw import traditional

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1")

AUTH_TIMEOUT = 10.0
CLOSE_REFUSED = 4403
"""WebSocket close code: not paired, or not signed by the pinned key."""


def _signed_by(record: DeviceRecord, message: bytes, signature: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(record.public_key or ""))
        key.verify(base64.b64decode(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


async def _authenticate(ws: WebSocket, rt: Runtime) -> DeviceRecord | None:
    nonce = secrets.token_hex(16)
    challenge = DeviceDown(type="challenge", nonce=nonce, server_id=rt.hall.id)
    await ws.send_text(challenge.model_dump_json(exclude_none=True))
    try:
        first = DeviceUp.model_validate_json(
            await asyncio.wait_for(ws.receive_text(), AUTH_TIMEOUT)
        )
    except (TimeoutError, ValidationError):
        return None
    if first.type != "auth" or not first.id or not first.signature:
        return None
    record = await rt.read(devices.paired_device, rt.ctx, first.id)
    message = push_challenge_text(rt.hall.id, first.id, nonce)
    if record is None or not _signed_by(record, message, first.signature):
        log.warning("refused a push connection claiming to be %s", first.id)
        return None
    return record


@router.websocket("/devices/push")
async def push(ws: WebSocket) -> None:
    """One paired device's push connection: challenge, signed answer, then sequenced messages."""
    rt: Runtime = ws.app.state.runtime
    pusher: Pusher = ws.app.state.pusher
    await ws.accept()
    try:
        record = await _authenticate(ws, rt)
    except WebSocketDisconnect:
        return
    if record is None:
        await ws.close(code=CLOSE_REFUSED, reason="not paired")
        return
    link = pusher.attach(record, ws)
    reader = asyncio.create_task(_read(link, rt, pusher))
    try:
        await _write(link)
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the device went away mid-send
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        pusher.detach(link)


async def _write(link: DeviceLink) -> None:
    """Send the outbox until the link is closed (by the pusher, or by the reader)."""
    while (frame := await link.next_frame()) is not None:
        link.writing = True
        try:
            await link.ws.send_text(frame)
        finally:
            link.writing = False
    with contextlib.suppress(Exception):
        await link.ws.close(code=1001, reason="reconnect for a fresh snapshot")


async def _read(link: DeviceLink, rt: Runtime, pusher: Pusher) -> None:
    """Acknowledgements, heartbeats and ratings, until the device goes away."""
    try:
        while True:
            raw = await link.ws.receive_text()
            try:
                up = DeviceUp.model_validate_json(raw)
            except ValidationError:
                log.warning("device %s sent a malformed message", link.record.id)
                continue
            link.heard()
            if up.type == "ack" and up.seq is not None:
                pusher.acked(link, up.seq)
            elif up.type == "ping":
                link.queue('{"type":"pong"}')
            elif up.type == "rating" and up.number and up.level:
                link.push(encode(await _rate(rt, link.record, up.number, up.level)))
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        link.close()


async def _rate(rt: Runtime, record: DeviceRecord, number: str, level: int) -> DeviceDown:
    try:
        await rt.write(devices.rate_from_evaluator, rt.ctx, record, number, level)
    except DomainError as exc:
        return DeviceDown(
            type="rated",
            ok=False,
            number=number,
            detail=exc.message_zh,
            detail_tw=traditional(exc.message_zh),
            detail_en=exc.message_en,
        )
    return DeviceDown(type="rated", ok=True, number=number, detail="感谢您的评价")


Manager = Depends(require("manager"))
Rt = Depends(runtime)


@router.post("/devices/register")
async def register_device(
    body: DeviceRegistration, request: Request, rt: Runtime = Rt
) -> DeviceOut:
    """A device started with ``--server URL`` announces itself (multicast blocked).

    Only public facts are accepted (id, role, name, key print, port); the address is the
    one the request came from. Pairing still needs the PIN shown on the device.
    """
    address = request.client.host if request.client else "127.0.0.1"
    return await rt.write(devices.register, rt.ctx, body, address)


@router.delete("/devices/{device_id}/pair")
async def unpair_device(device_id: str, cred: Credential = Manager, rt: Runtime = Rt) -> DeviceOut:
    """Forget the device's key; its push connection is closed."""
    return await rt.write(devices.unpair, rt.ctx, device_id, f"{cred.role}:{cred.label}")


@router.put("/notice", status_code=204)
async def set_notice(body: NoticeIn, cred: Credential = Manager, rt: Runtime = Rt) -> None:
    """The ticker on the hall wall (empty text clears it)."""
    await rt.write(display.set_notice, rt.ctx, body.text, f"{cred.role}:{cred.label}")
