"""Where yihao keeps its data, and the server's typed settings."""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
import stat
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from caller_server.domain.hall import SAMPLE_HALL

SECRET_FILE = "hall.secret"
DB_FILE = "yihao.db"
HALL_FILE = "hall.toml"


WILDCARDS = ("0.0.0.0", "::", "")
"""Listen addresses that mean "every interface": no use in a URL printed on a ticket."""


class SetupError(Exception):
    """The installation is incomplete (no secret, no database …); the message says what to run."""


def data_dir() -> Path:
    """``YIHAO_HOME`` when set, else the platform's user data directory (made 0700)."""
    home = os.environ.get("YIHAO_HOME")
    path = Path(home) if home else Path(platformdirs.user_data_dir("yihao", "yihao"))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def secret_location(home: Path, file: Path | None = None) -> Path:
    """The hall secret: ``file``, else ``YIHAO_SECRET_FILE``, else ``home/hall.secret``.

    Kept apart from the data directory, a stolen copy of the database and its backups does
    not carry the key that decrypts the day keys.
    """
    if file is not None:
        return file
    env = os.environ.get("YIHAO_SECRET_FILE")
    return Path(env) if env else home / SECRET_FILE


def restrict(home: Path, database: Path | None) -> None:
    """Data directory 0700; the SQLite file and its WAL and shared-memory files 0600."""
    home.chmod(0o700)
    if database is not None:
        for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
            if path.exists():
                path.chmod(0o600)


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
    secret_file: Path | None = None
    """The hall secret; None means ``YIHAO_SECRET_FILE``, else ``home/hall.secret``."""
    body_limit: int = 64 * 1024
    """Largest request body in bytes (JSON); larger ones get 413."""
    import_limit: int = 4 * 1024 * 1024
    """Largest CSV import (appointments) in bytes."""
    header_timeout: float = 10.0
    """Seconds a client may take to send a request's headers before it is disconnected."""
    ws_per_address: int = 32
    """Event-stream subscriptions one client address may hold at once."""
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
    def secret_path(self) -> Path:
        return secret_location(self.home, self.secret_file)

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite database file, None on PostgreSQL."""
        url = self.database_url
        return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return self.public_url or f"{scheme}://{self.host}:{self.port}"


def lan_url(port: int, scheme: str = "http") -> str:
    """``scheme://<this host's LAN address>:port``, for a server listening on every interface.

    Asks the kernel which source address it would use towards a private network (a UDP
    ``connect`` sends nothing). Without a LAN address there is nothing to print on a ticket.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))
            address = str(probe.getsockname()[0])
        except OSError:
            address = ""
    if not address or ipaddress.ip_address(address).is_loopback or address == "0.0.0.0":
        raise SetupError(
            "cannot tell this machine's LAN address for the QR codes on tickets: "
            "pass --public-url http://<address>:<port>"
        )
    return f"{scheme}://{address}:{port}"


def create_secret(home: Path, file: Path | None = None) -> bool:
    """Create the hall secret (32 random bytes, mode 0600) unless it exists; True if created."""
    path = secret_location(home, file)
    if path.exists():
        return False
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
    return True


def load_secret(home: Path, file: Path | None = None) -> bytes:
    path = secret_location(home, file)
    try:
        secret = path.read_bytes()
    except FileNotFoundError as exc:
        raise SetupError(f"no hall secret at {path}: run `yihao init` first") from exc
    if len(secret) < 32:
        raise SetupError(f"hall secret {path} is too short: restore it from backup")
    return secret
