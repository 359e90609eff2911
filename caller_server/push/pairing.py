"""Pairing, server side: prove the PIN to the device without sending it, learn its key.

The device serves two endpoints on the port it announces (see docs/devices.md):

1. ``POST /pair/hello`` with :class:`PairHello` (server id, URL, certificate fingerprint,
   nonce) → :class:`PairHelloReply` (device id, public key, nonce). Nothing depends on the
   PIN yet.
2. ``POST /pair/confirm`` with the server's proof, an HMAC under a key derived (scrypt) from
   the PIN and the whole transcript. The device checks it *before* answering with its own
   proof; a wrong proof is one failed attempt (403), and after five the device draws a new
   PIN (the manager reads it on the screen).

The server checks the device's proof, then pins the device's key.
"""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
from dataclasses import dataclass

import httpx

from caller_server.protocol import (
    PairConfirm,
    PairConfirmReply,
    PairHello,
    PairHelloReply,
    fingerprint,
    pairing_key,
    pairing_proof,
)
from caller_server.services.devices import DeviceError
from caller_server.store.repository import DeviceRecord

log = logging.getLogger(__name__)


class WrongPin(DeviceError):
    code = "pairing_refused"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"设备「{name}」拒绝配对：PIN 不正确，请核对设备屏幕上的 PIN",
            f"device {name} refused pairing: wrong PIN",
        )


class DeviceUnreachable(DeviceError):
    code = "device_unreachable"

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(
            f"无法连接设备「{name}」，请检查设备电源和网络",
            f"cannot reach device {name}: {reason}",
        )


class KeyMismatch(DeviceError):
    code = "device_key_mismatch"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"设备「{name}」的密钥与其广播的不一致，已拒绝配对（可疑设备）",
            f"device {name} answered with a key other than the one it announces; refused",
        )


class AlreadyPaired(DeviceError):
    code = "device_already_paired"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"设备「{name}」已与服务器配对；如需重新配对，请先取消配对或在设备上恢复出厂设置",
            f"device {name} is paired already; unpair it or factory-reset it first",
        )


@dataclass(frozen=True)
class PairedKey:
    """What pairing proved: the device's public key (base64, raw Ed25519) and its print."""

    public_key: str
    fingerprint: str
    counter: int | None


class Pairer:
    """Runs the two-step exchange on behalf of one server (hall id, URL, certificate print)."""

    def __init__(
        self, server_id: str, server_url: str, server_fp: str, timeout: float = 20.0
    ) -> None:
        self._server = (server_id, server_url, server_fp)
        self._timeout = timeout

    def __call__(self, device: DeviceRecord, pin: str) -> PairedKey:
        base = f"http://{device.address}:{device.port}"
        server_id, server_url, server_fp = self._server
        hello = PairHello(
            server_id=server_id,
            server_url=server_url,
            server_fp=server_fp,
            server_nonce=secrets.token_hex(16),
        )
        try:
            with httpx.Client(base_url=base, timeout=self._timeout) as http:
                first = http.post("/pair/hello", json=hello.model_dump())
                self._check(first, device)
                reply = PairHelloReply.model_validate(first.json())
                key = base64.b64decode(reply.public_key)
                if reply.device_id != device.id or fingerprint(key) != device.key_fp:
                    raise KeyMismatch(device.name)
                derived = pairing_key(pin, hello, reply)
                confirm = PairConfirm(
                    server_nonce=hello.server_nonce, server_proof=pairing_proof(derived, "server")
                )
                second = http.post("/pair/confirm", json=confirm.model_dump())
                self._check(second, device)
                answer = PairConfirmReply.model_validate(second.json())
        except httpx.HTTPError as exc:
            raise DeviceUnreachable(device.name, str(exc) or type(exc).__name__) from exc
        except ValueError as exc:  # pydantic's ValidationError, bad base64
            raise DeviceUnreachable(device.name, f"bad answer: {exc}") from exc
        if not hmac.compare_digest(answer.device_proof, pairing_proof(derived, "device")):
            raise KeyMismatch(device.name)
        log.info("paired with device %s (%s)", device.id, device.role)
        return PairedKey(reply.public_key, fingerprint(key), reply.counter)

    @staticmethod
    def _check(answer: httpx.Response, device: DeviceRecord) -> None:
        if answer.status_code == 403:
            raise WrongPin(device.name)
        if answer.status_code == 409 and answer.url.path.endswith("/hello"):
            raise AlreadyPaired(device.name)
        if not answer.is_success:
            raise DeviceUnreachable(device.name, f"HTTP {answer.status_code}")
