"""A device's identity: id, Ed25519 key pair, PIN, paired server — in its data dir, mode 0600.

It survives restarts; :meth:`Identity.factory_reset` forgets the server and draws a new key.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from caller_server.protocol import fingerprint

log = logging.getLogger(__name__)

STATE_FILE = "device.json"
KEY_FILE = "device-key.pem"
PIN_DIGITS = 6
MAX_FAILURES = 5
"""Wrong PINs before the device draws a new one."""


@dataclass(frozen=True)
class PairedServer:
    id: str
    url: str
    fp: str
    """SHA-256 of the server's TLS certificate, pinned at pairing."""


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def new_pin() -> str:
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


class Identity:
    """Loaded from (or created in) ``directory``; every change is written at once."""

    def __init__(self, directory: Path, role: str) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, stat.S_IRWXU)
        key_path = directory / KEY_FILE
        if key_path.exists():
            loaded = serialization.load_pem_private_key(key_path.read_bytes(), None)
            assert isinstance(loaded, Ed25519PrivateKey)
            self.key = loaded
        else:
            self.key = self._new_key()
        state_path = directory / STATE_FILE
        state = json.loads(state_path.read_text()) if state_path.exists() else {}
        self.id: str = state.get("id") or f"{role}-{secrets.token_hex(4)}"
        self.pin: str = state.get("pin") or new_pin()
        self.failures: int = int(state.get("failures", 0))
        server = state.get("server")
        self.server: PairedServer | None = PairedServer(**server) if server else None
        self.save()

    def _new_key(self) -> Ed25519PrivateKey:
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(self.directory / KEY_FILE, pem)
        return key

    @property
    def public_raw(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def public_key(self) -> str:
        return base64.b64encode(self.public_raw).decode()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_raw)

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.key.sign(message)).decode()

    def save(self) -> None:
        state = {
            "id": self.id,
            "pin": self.pin,
            "failures": self.failures,
            "server": asdict(self.server) if self.server else None,
        }
        _write_private(self.directory / STATE_FILE, json.dumps(state, indent=1).encode())

    def failed_attempt(self) -> bool:
        """Count a wrong PIN; True when the PIN was replaced (after :data:`MAX_FAILURES`)."""
        self.failures += 1
        replaced = self.failures >= MAX_FAILURES
        if replaced:
            self.pin, self.failures = new_pin(), 0
            log.warning("%d wrong PINs: a new PIN was drawn", MAX_FAILURES)
        self.save()
        return replaced

    def paired(self, server: PairedServer) -> None:
        self.server, self.failures, self.pin = server, 0, new_pin()
        self.save()

    def forget_server(self) -> None:
        """The server unpaired us: show a (new) PIN again."""
        self.server, self.failures, self.pin = None, 0, new_pin()
        self.save()

    def factory_reset(self) -> None:
        """New key, new PIN, no server: the device must be paired again from scratch."""
        self.key = self._new_key()
        self.forget_server()
