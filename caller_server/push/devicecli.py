"""``yihao device list|pair|unpair``: the same use cases as the manager's API."""

from __future__ import annotations

import argparse
import time

from caller_server.push import tls
from caller_server.push.pairing import Pairer
from caller_server.runtime import Runtime
from caller_server.services import devices

ROLE_ZH = {"counter": "窗口屏", "wall": "综合屏", "voice": "播报器"}


def _ago(at: float | None) -> str:
    if at is None:
        return "—"
    seconds = int(time.time() - at)
    return f"{seconds} s ago" if seconds < 120 else time.strftime("%m-%d %H:%M", time.localtime(at))


def run(rt: Runtime, args: argparse.Namespace) -> int:
    if args.sub == "list":
        found = devices.list_devices(rt.ctx)
        if not found:
            print("no devices found yet (mDNS on? devices started with --server?)")
        for d in found:
            where = f"{d.address}:{d.port}" if d.address else "—"
            counter = f"counter {d.counter}" if d.counter else ""
            print(
                f"{d.id:<24} {ROLE_ZH.get(d.role, d.role)} {d.name:<16} {d.status_zh:<5} "
                f"{where:<22} last seen {_ago(d.last_seen):<12} {counter}"
            )
            if d.status == "suspect":
                print(f"  ! another host ({d.suspect_address}) announces this id with another key")
        return 0
    actor = "cli"
    if args.sub == "unpair":
        out = devices.unpair(rt.ctx, args.device_id, actor)
        print(f"device {out.id} unpaired")
        return 0
    fp = tls.ensure_certificate(rt.settings.home, rt.hall.id)[0].fingerprint
    pairer = Pairer(rt.hall.id, args.url or rt.settings.base_url, fp)
    out = devices.pair(rt.ctx, args.device_id, args.pin, args.counter, pairer, actor)
    print(f"device {out.id} paired ({out.role}{f', counter {out.counter}' if out.counter else ''})")
    return 0
