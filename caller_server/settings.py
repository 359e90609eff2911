"""Where yihao keeps its data, and the server's typed settings."""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from caller_server.domain.hall import SAMPLE_HALL

SECRET_FILE = "hall.secret"
DB_FILE = "yihao.db"
HALL_FILE = "hall.toml"


class SetupError(Exception):
    """The installation is incomplete (no secret, no database …); the message says what to run."""


def data_dir() -> Path:
    """``YIHAO_HOME`` when set, else the platform's user data directory."""
    home = os.environ.get("YIHAO_HOME")
    path = Path(home) if home else Path(platformdirs.user_data_dir("yihao", "yihao"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Settings:
    home: Path = field(default_factory=data_dir)
    """Data directory: database, hall secret, copied hall configuration."""
    db_url: str | None = None
    """SQLAlchemy URL; None means SQLite ``yihao.db`` in ``home``."""
    hall_path: Path | None = None
    """Hall TOML; None means ``home/hall.toml``, else the bundled sample hall."""
    host: str = "127.0.0.1"
    """Address to listen on (``0.0.0.0`` in a real hall)."""
    port: int = 8600
    """TCP port of the HTTP and WebSocket API."""
    public_url: str | None = None
    """Base URL printed on tickets (QR code); None means ``http://host:port``."""
    mdns_interfaces: list[str] | None = None
    """Addresses to browse for devices and advertise on (``["all"]``); None: mDNS off."""
    tls: bool = False
    """Serve HTTPS/WSS with the hall certificate (``yihao serve --tls``)."""

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.home / DB_FILE}"

    @property
    def hall_file(self) -> Path:
        if self.hall_path is not None:
            return self.hall_path
        local = self.home / HALL_FILE
        return local if local.exists() else SAMPLE_HALL

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return self.public_url or f"{scheme}://{self.host}:{self.port}"


def create_secret(home: Path) -> bool:
    """Create the hall secret (32 random bytes, mode 0600) unless it exists; True if created."""
    path = home / SECRET_FILE
    if path.exists():
        return False
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
    return True


def load_secret(home: Path) -> bytes:
    path = home / SECRET_FILE
    try:
        secret = path.read_bytes()
    except FileNotFoundError as exc:
        raise SetupError(f"no hall secret at {path}: run `yihao init` first") from exc
    if len(secret) < 32:
        raise SetupError(f"hall secret {path} is too short: restore it from backup")
    return secret
