"""The kiosk's configuration: ``kiosk.toml`` ([kiosk] table), then command-line options."""

from __future__ import annotations

import os
import socket
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

TOKEN_FILE = "kiosk-token"


class KioskConfigError(Exception):
    """The configuration cannot be used (message in Chinese and English)."""


def data_dir() -> Path:
    """Where the kiosk keeps its token and virtual-printer tickets (``YIHAO_HOME`` when set)."""
    home = os.environ.get("YIHAO_HOME")
    base = Path(home) if home else Path(platformdirs.user_data_dir("yihao", appauthor=False))
    return base / "kiosk"


@dataclass(frozen=True)
class KioskConfig:
    server: str | None = None
    """Base URL of the caller server; None: found by mDNS (``_yihao._tcp``)."""
    token: str | None = None
    """Kiosk bearer token; None: the one saved from the admin screen."""
    reader: str = "sim"
    """``serial:PORT``, ``serial:auto``, ``pcsc``, ``pcsc:NAME``, ``sim`` or ``sim:FILE.json``."""
    printer: str = ""
    """A ``drivers.printer`` spec; empty: ``virtual:`` in the data dir."""
    categories: tuple[str, ...] = ()
    """Categories offered here; one category issues on the tap itself (一刷即取)."""
    lang: str = "zh-CN"
    kiosk_id: str = field(default_factory=lambda: f"kiosk-{socket.gethostname()}"[:64])
    voice: str = "off"
    """``off``, ``sound`` (the sound card) or ``wav:DIR`` (one WAV per sentence)."""
    landscape: bool = False
    """1920×1080 instead of the portrait 1080×1920."""
    fullscreen: bool = False
    elderly_age: int | None = 60
    """Card age that switches on 长辈模式 by itself; 0 or None: only by the button."""
    manual_entry: bool = False
    """Hall option: citizens without a readable card may type their ID number."""
    admin_pin: str = ""
    """PIN of the admin screen (5 taps on the hall name); empty: no admin screen."""
    auto_tap: float = 0.0
    """Simulator only: seconds between automatic taps of the fake citizens (the demo)."""
    mdns_interfaces: tuple[str, ...] = ()
    """Addresses to browse mDNS on; empty: all (tests pass 127.0.0.1)."""

    @property
    def printer_spec(self) -> str:
        return self.printer or f"virtual:{data_dir() / 'tickets'}"

    @property
    def size(self) -> tuple[int, int]:
        return (1920, 1080) if self.landscape else (1080, 1920)

    def saved_token(self) -> str | None:
        path = data_dir() / TOKEN_FILE
        return path.read_text(encoding="utf-8").strip() or None if path.is_file() else None

    def with_options(self, **options: Any) -> KioskConfig:
        """This configuration with the options that are not None."""
        return replace(self, **{k: v for k, v in options.items() if v is not None})


def save_token(token: str) -> Path:
    """Keep the kiosk token in the data dir, readable by this user only (0600)."""
    directory = data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / TOKEN_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(token.strip() + "\n")
    path.chmod(0o600)
    return path


def load_config(path: Path | None) -> KioskConfig:
    if path is None:
        return KioskConfig()
    try:
        with path.open("rb") as f:
            table = tomllib.load(f).get("kiosk", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KioskConfigError(f"无法读取配置文件 {path} / cannot read {path}: {exc}") from exc
    known = {f.name for f in fields(KioskConfig)}
    unknown = set(table) - known
    if unknown:
        raise KioskConfigError(
            f"配置文件 {path} 有未知项 / unknown keys in {path}: {', '.join(sorted(unknown))}"
        )
    for key in ("categories", "mdns_interfaces"):
        if key in table:
            table[key] = tuple(table[key])
    return KioskConfig(**table)
