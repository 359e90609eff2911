"""Output devices: the registry mDNS (or self-registration) fills, pairing, liveness, alerts.

A device is known by its ``id``; pairing pins its public key. From then on an announcement
of that ``id`` with another key changes nothing but marks the record 可疑设备 (suspect) for
the manager, and only a connection signed by the pinned key receives pushes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from caller_server.domain.errors import DomainError, UnknownCounter
from caller_server.domain.events import Event, EventKind
from caller_server.protocol import AlertOut, DeviceOut, DeviceRegistration, TicketOut
from caller_server.services import kiosks, tickets
from caller_server.services.context import ServiceContext
from caller_server.store.repository import DeviceRecord

ONLINE_WINDOW = 10.0
"""A paired device not heard from for this many seconds is offline (and raises an alert)."""


class DeviceError(DomainError):
    code = "device_error"


class UnknownDevice(DeviceError):
    code = "unknown_device"

    def __init__(self, device_id: str) -> None:
        super().__init__(
            f"没有发现设备 {device_id}，请确认设备已开机并接入大厅网络",
            f"no device {device_id} has been discovered; is it on and on the hall network?",
        )


class CounterRequired(DeviceError):
    code = "counter_required"

    def __init__(self, device_id: str) -> None:
        super().__init__(
            f"窗口屏 {device_id} 需要指定窗口号（--counter N）",
            f"counter screen {device_id} needs a counter number (--counter N)",
        )


class NotPaired(DeviceError):
    code = "device_not_paired"

    def __init__(self, device_id: str) -> None:
        super().__init__(f"设备 {device_id} 未配对", f"device {device_id} is not paired")


class ProvenKey(Protocol):
    """What a pairing run proved: the device's key, and the counter it was started for."""

    @property
    def public_key(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def counter(self) -> int | None: ...


def _status(record: DeviceRecord, now: float) -> tuple[str, str, bool]:
    online = record.last_seen is not None and now - record.last_seen <= ONLINE_WINDOW
    if record.suspect_at is not None:
        return "suspect", "可疑设备", online
    if not record.paired:
        return "unpaired", "未配对", online
    return ("online", "在线", True) if online else ("offline", "离线", False)


def device_out(record: DeviceRecord, now: float | None = None) -> DeviceOut:
    status, status_zh, online = _status(record, time.time() if now is None else now)
    return DeviceOut(
        id=record.id,
        role=record.role,
        name=record.name,
        address=record.address,
        port=record.port,
        paired=record.paired,
        last_seen=record.last_seen,
        online=online,
        status=status,  # type: ignore[arg-type]
        status_zh=status_zh,
        counter=record.counter,
        key_fp=record.key_fp,
        suspect_address=record.suspect_address,
    )


def _known(ctx: ServiceContext, device_id: str) -> DeviceRecord | None:
    with ctx.unit(write=False) as uow:
        return uow.repo.device(device_id)


def seen(ctx: ServiceContext, device: DeviceRecord) -> DeviceRecord:
    """A device announced itself (mDNS or ``--server`` registration).

    Unpaired: name, address and key are refreshed. Paired with the same key: address and
    name follow it. Paired, another key: nothing changes but the suspect mark (and one
    audit event per new key), so a spoofer inherits nothing. Returns the record as stored.
    """
    with ctx.unit(write=True) as uow:
        known = uow.repo.device(device.id)
        if known is None or not known.paired:
            uow.repo.save_device(device)
            uow.commit()
            return device
        if device.key_fp == known.key_fp:
            moved = replace(known, name=device.name, address=device.address, port=device.port)
            uow.repo.save_device(moved)
            uow.commit()
            return moved
        if device.key_fp == known.suspect_fp:
            return known
        now = ctx.clock()
        suspect = replace(
            known,
            suspect_fp=device.key_fp,
            suspect_address=f"{device.address}:{device.port}",
            suspect_at=now,
        )
        uow.repo.save_device(suspect)
        event = Event(
            kind=EventKind.DEVICE_SUSPECT,
            at=now,
            actor="system",
            data={"device": device.id, "address": device.address, "key_fp": device.key_fp},
        )
        ctx.record(uow, event)
    return suspect


def register(ctx: ServiceContext, body: DeviceRegistration, address: str) -> DeviceOut:
    """``--server URL``: the device announces itself over HTTP where multicast is blocked."""
    now = ctx.clock()
    record = DeviceRecord(
        id=body.id,
        role=body.role,
        name=body.name,
        address=address,
        port=body.port,
        last_seen=now,
        key_fp=body.pk,
    )
    return device_out(seen(ctx, record), now)


def list_devices(ctx: ServiceContext) -> list[DeviceOut]:
    now = ctx.clock()
    with ctx.unit(write=False) as uow:
        return [device_out(d, now) for d in uow.repo.devices()]


def list_with_kiosks(ctx: ServiceContext) -> list[DeviceOut]:
    """The output devices, then the kiosks with their last health report."""
    return list_devices(ctx) + kiosks.as_devices(ctx)


def find(ctx: ServiceContext, device_id: str) -> DeviceRecord:
    found = _known(ctx, device_id)
    if found is None or found.address is None or found.port is None:
        raise UnknownDevice(device_id)
    return found


def pair(
    ctx: ServiceContext,
    device_id: str,
    pin: str,
    counter: int | None,
    run_pairing: Callable[[DeviceRecord, str], ProvenKey],
    actor: str,
) -> DeviceOut:
    """Prove the PIN the manager typed to the device and pin the key it proved it holds.

    ``run_pairing`` talks to the device (network, outside any transaction) and raises
    :class:`DeviceError` when the device refuses or cannot be reached; it returns the
    proven key and the counter the device was started for.
    """
    device = find(ctx, device_id)
    if counter is not None and counter not in ctx.hall.counters:
        raise UnknownCounter(counter)
    key = run_pairing(device, pin)
    counter = counter if counter is not None else key.counter
    if device.role == "counter" and counter is None:
        raise CounterRequired(device_id)
    now = ctx.clock()
    paired = replace(
        device,
        paired=True,
        public_key=key.public_key,
        key_fp=key.fingerprint,
        counter=counter,
        paired_at=now,
        last_seen=None,
        suspect_fp=None,
        suspect_address=None,
        suspect_at=None,
    )
    with ctx.unit(write=True) as uow:
        uow.repo.save_device(paired)
        event = Event(
            kind=EventKind.DEVICE_PAIRED,
            at=now,
            actor=actor,
            counter=counter,
            data={"device": device_id, "role": device.role, "key_fp": key.fingerprint},
        )
        ctx.record(uow, event)
    return device_out(paired, now)


def unpair(ctx: ServiceContext, device_id: str, actor: str) -> DeviceOut:
    """Forget the pinned key: the device's connection is refused from now on."""
    now = ctx.clock()
    with ctx.unit(write=True) as uow:
        known = uow.repo.device(device_id)
        if known is None:
            raise UnknownDevice(device_id)
        forgotten = replace(
            known,
            paired=False,
            public_key=None,
            counter=None,
            paired_at=None,
            suspect_fp=None,
            suspect_address=None,
            suspect_at=None,
        )
        uow.repo.save_device(forgotten)
        event = Event(
            kind=EventKind.DEVICE_UNPAIRED,
            at=now,
            actor=actor,
            data={"device": device_id, "role": known.role},
        )
        ctx.record(uow, event)
    return device_out(forgotten, now)


def paired_device(ctx: ServiceContext, device_id: str) -> DeviceRecord | None:
    """The record whose pinned key may open a push connection, or None."""
    found = _known(ctx, device_id)
    return found if found is not None and found.paired and found.public_key else None


def touch(ctx: ServiceContext, last_seen: dict[str, float]) -> None:
    """Heartbeats of connected devices, written in one transaction."""
    with ctx.unit(write=True) as uow:
        uow.repo.touch_devices(last_seen)
        uow.commit()


def silent(ctx: ServiceContext) -> list[DeviceRecord]:
    """Paired devices silent for more than :data:`ONLINE_WINDOW` whose silence is not yet
    recorded (a cheap read, done every few seconds by every server process)."""
    now = ctx.clock()
    with ctx.unit(write=False) as uow:
        return [
            d
            for d in uow.repo.devices()
            if d.paired
            and d.last_seen is not None
            and now - d.last_seen > ONLINE_WINDOW
            and (d.offline_at is None or d.offline_at < d.last_seen)
        ]


def record_offline(ctx: ServiceContext, found: list[DeviceRecord]) -> list[str]:
    """Audit the silence of each device of :func:`silent` as one ``alert`` event
    (``device_offline``), written by whichever server process gets there first; a device
    heard meanwhile is skipped. Returns the ids this call recorded."""
    now = ctx.clock()
    recorded: list[Event] = []
    with ctx.unit(write=True) as uow:
        for d in found:
            if d.last_seen is None or not uow.repo.mark_offline(d.id, d.last_seen, now):
                continue
            data = {"alert": "device_offline", "device": d.id, "role": d.role, "name": d.name}
            recorded.append(
                Event(
                    kind=EventKind.ALERT,
                    at=now,
                    actor="system",
                    counter=d.counter,
                    data={**data, "last_seen": d.last_seen},
                )
            )
        ctx.record(uow, *recorded)
    return [str(e.data["device"]) for e in recorded]


def alerts(records: list[DeviceRecord], now: float) -> list[AlertOut]:
    """Manager alerts: paired devices silent for more than :data:`ONLINE_WINDOW`, suspects."""
    found: list[AlertOut] = []
    for d in records:
        if d.suspect_at is not None:
            found.append(
                AlertOut(
                    kind="device_suspect",
                    message_zh=f"可疑设备：有主机冒用「{d.name}」({d.id}) 的编号，来自 "
                    f"{d.suspect_address}，已拒绝",
                    message_en=f"suspect device: a host at {d.suspect_address} announces the id "
                    f"of {d.name} ({d.id}) with another key; refused",
                    counter=d.counter,
                    minutes=int((now - d.suspect_at) // 60),
                )
            )
        elif d.paired and (d.last_seen is None or now - d.last_seen > ONLINE_WINDOW):
            since = d.last_seen if d.last_seen is not None else d.paired_at or now
            found.append(
                AlertOut(
                    kind="device_offline",
                    message_zh=f"设备「{d.name}」离线，请检查电源和网络",
                    message_en=f"device {d.name} ({d.id}) is offline",
                    counter=d.counter,
                    minutes=int((now - since) // 60),
                )
            )
    return found


def rate_from_evaluator(
    ctx: ServiceContext, device: DeviceRecord, number: str, level: int
) -> TicketOut:
    """A citizen's 好差评 pressed on the paired counter screen (evaluation mode)."""
    if device.role != "counter" or device.counter is None:
        raise NotPaired(device.id)
    return tickets.rate_at_counter(ctx, device.counter, number, level, f"device:{device.id}")
