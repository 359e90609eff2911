"""``yihao-kiosk check``: server and token, reader and printer, one line each."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from caller_server.client import ClientError, YihaoClient
from caller_server.protocol import KioskHealthIn
from drivers.idcard import IdCardError
from drivers.printer import PrinterError, PrinterStatus, open_printer
from kiosk.config import KioskConfig
from kiosk.readers import open_reader

Check = Callable[[], tuple[bool, str]]


def _server(url: str) -> tuple[bool, str]:
    try:
        response = httpx.get(f"{url}/healthz", timeout=5)
    except httpx.HTTPError as exc:
        return False, f"无法连接 / unreachable: {url} ({exc})"
    return response.is_success, f"{url} HTTP {response.status_code}"


def _token(config: KioskConfig, url: str) -> tuple[bool, str]:
    token = config.token or config.saved_token()
    if not token:
        return False, "没有令牌 / no token: pass --token or save one on the admin screen"
    from kiosk.app import version

    health = KioskHealthIn(reader="ok", printer="unknown", version=version())
    try:
        with YihaoClient(url, token) as client:
            client.report_kiosk(config.kiosk_id, health)
    except ClientError as exc:
        return False, f"{exc.detail} / {exc.detail_en}"
    return True, f"令牌有效 / token accepted for {config.kiosk_id}"


def _reader(config: KioskConfig) -> tuple[bool, str]:
    try:
        reader, _sim = open_reader(config.reader)
        with reader:
            return True, f"{reader.description} 已打开 / opened"
    except IdCardError as exc:
        return False, f"{exc.message_zh} / {exc.message_en}"


def _printer(config: KioskConfig) -> tuple[bool, str]:
    try:
        printer = open_printer(config.printer_spec)
        status = printer.status()
    except PrinterError as exc:
        return False, f"{config.printer_spec}: {exc}"
    if status is PrinterStatus.UNKNOWN and not printer.can_read_status:
        return True, f"{config.printer_spec}: 无法查询状态 / cannot report status (write-only)"
    fine = status in (PrinterStatus.OK, PrinterStatus.PAPER_NEAR_END)
    return fine, f"{config.printer_spec}: {status.value}"


def run_checks(config: KioskConfig, url: str) -> bool:
    """Print one line per check; True when every check passed."""
    checks: list[tuple[str, Check]] = [
        ("服务器 server", lambda: _server(url)),
        ("令牌 token", lambda: _token(config, url)),
        ("读卡器 reader", lambda: _reader(config)),
        ("打印机 printer", lambda: _printer(config)),
    ]
    all_fine = True
    for label, check in checks:
        fine, detail = check()
        all_fine &= fine
        print(f"{'✓' if fine else '✗'} {label}: {detail}", flush=True)
    print("全部正常 / all fine" if all_fine else "有问题 / problems found", flush=True)
    return all_fine
