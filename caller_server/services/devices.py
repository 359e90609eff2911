"""Output devices: the registry mDNS fills, and pairing (the PIN shown on the device)."""

from __future__ import annotations

from collections.abc import Callable

from caller_server.domain.errors import DomainError
from caller_server.domain.events import Event, EventKind
from caller_server.protocol import DeviceOut
from caller_server.services.context import ServiceContext
from caller_server.store.repository import DeviceRecord


class DeviceError(DomainError):
    code = "device_error"


class UnknownDevice(DeviceError):
    code = "unknown_device"

    def __init__(self, device_id: str) -> None:
        super().__init__(
            f"没有发现设备 {device_id}，请确认设备已开机并接入大厅网络",
            f"no device {device_id} has been discovered; is it on and on the hall network?",
        )


def _out(record: DeviceRecord) -> DeviceOut:
    return DeviceOut(
        id=record.id,
        role=record.role,
        name=record.name,
        address=record.address,
        port=record.port,
        paired=record.paired,
        last_seen=record.last_seen,
    )


def seen(ctx: ServiceContext, device: DeviceRecord) -> None:
    """Record a device announced on the LAN (again): address and name may change."""
    with ctx.unit(write=True) as uow:
        uow.repo.upsert_device(device)
        uow.commit()


def list_devices(ctx: ServiceContext) -> list[DeviceOut]:
    with ctx.unit(write=False) as uow:
        return [_out(d) for d in uow.repo.devices()]


def find(ctx: ServiceContext, device_id: str) -> DeviceRecord:
    with ctx.unit(write=False) as uow:
        found = next((d for d in uow.repo.devices() if d.id == device_id), None)
    if found is None or found.address is None or found.port is None:
        raise UnknownDevice(device_id)
    return found


def pair(
    ctx: ServiceContext,
    device_id: str,
    pin: str,
    send_pin: Callable[[DeviceRecord, str], None],
    actor: str,
) -> DeviceOut:
    """Hand the PIN the manager typed to the device; it answers only if it matches.

    ``send_pin`` talks to the device (network, outside any transaction) and raises
    :class:`DeviceError` when the device refuses or cannot be reached.
    """
    device = find(ctx, device_id)
    send_pin(device, pin)
    with ctx.unit(write=True) as uow:
        uow.repo.set_paired(device_id, True)
        event = Event(
            kind=EventKind.DEVICE_PAIRED,
            at=ctx.clock(),
            actor=actor,
            data={"device": device_id, "role": device.role},
        )
        ctx.record(uow, event)
    return _out(DeviceRecord(**{**device.__dict__, "paired": True}))
