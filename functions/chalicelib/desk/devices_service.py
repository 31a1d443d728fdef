"""Use cases of devices: the registry (which customer owns which device) and their alarms.

An alarm of a known device opens a `fault` ticket for its owner; the same device and fault
code while that ticket is open joins it instead of opening another. An unknown device is
refused (422 naming device_id): an alarm nobody owns would make a ticket nobody can serve.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..core import (
    NotFound,
    PreconditionFailed,
    Principal,
    Role,
    ValidationFailed,
    check_version,
    decode_cursor,
    encode_cursor,
    require_role,
)
from . import inbound_service, inbound_store
from .inbound_models import Device, DeviceAlarm, DevicePage, DevicePut, InboundResult


def _device(item: inbound_store.DeviceItem) -> Device:
    return Device(
        device_id=item.device_id,
        customer_id=item.customer_id,
        model=item.model,
        installed_at=item.installed_at,
        name=item.name,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version or 0),
    )


def put_device(
    caller: Principal,
    device_id: str,
    body: DevicePut,
    expected: int | None,
    now: datetime | None = None,
) -> tuple[Device, bool]:
    """Register or change a device (admins); If-Match once it exists. (device, created)."""
    require_role(caller, Role.ADMIN)
    from ..customers.service import get_customer

    try:
        get_customer(caller, body.customer_id)
    except NotFound:
        raise ValidationFailed(f"No customer {body.customer_id}.", field="customer_id") from None
    item = inbound_store.get_device(caller.tenant_id, device_id)
    if item is not None and expected is None:
        raise PreconditionFailed(
            "The device is registered already: send If-Match with the version you read.",
            field="If-Match",
        )
    if item is not None:
        check_version(expected, int(item.version or 0))
    saved = inbound_store.save_device(
        caller.tenant_id, item, device_id, body.model_dump(), now or datetime.now(UTC)
    )
    return _device(saved), item is None


def get_device(caller: Principal, device_id: str) -> Device:
    require_role(caller, Role.ADMIN, Role.SERVICE_AGENT)
    item = inbound_store.get_device(caller.tenant_id, device_id)
    if item is None:
        raise NotFound(f"No device {device_id}.", field="device_id")
    return _device(item)


def devices_of(caller: Principal, customer_id: str, limit: int, cursor: str | None) -> DevicePage:
    require_role(caller, Role.ADMIN, Role.SERVICE_AGENT)
    scope = f"desk-devices:{caller.tenant_id}:{customer_id}"
    page = inbound_store.devices_of(
        caller.tenant_id, customer_id, limit, decode_cursor(cursor, scope)
    )
    return DevicePage(
        items=[_device(item) for item in page.items], next=encode_cursor(page.last_key, scope)
    )


def receive_alarm(
    tenant_id: str, alarm: DeviceAlarm, settings: dict[str, Any], now: datetime
) -> InboundResult:
    """A fault ticket for the device's owner, or the open one for this fault joined."""
    from .models import Channel, InboundMessage, Sender

    device = inbound_store.get_device(tenant_id, alarm.device_id)
    if device is None:
        raise ValidationFailed(
            f"No device {alarm.device_id} is registered for this tenant.", field="device_id"
        )
    message = InboundMessage(
        channel=Channel.DEVICE,
        sender=Sender(device_id=alarm.device_id),
        customer_id=device.customer_id,
        subject=f"{alarm.severity.value.upper()} fault {alarm.fault_code} on {device.model} "
        f"{alarm.device_id}"[:300],
        body=alarm_text(alarm, device.model),
        external_id=f"device:{alarm.device_id}:{alarm.fault_code}:{alarm.occurred_at.isoformat()}",
        type_hint="fault",
        fault_code=alarm.fault_code,
        received_at=now,
    )
    return inbound_service.deliver(
        tenant_id,
        "device",
        f"device:{alarm.device_id}",
        settings,
        message,
        now,
        # The same fault joins its ticket while it is open; after resolution it is news.
        conversation=f"device:{alarm.device_id}:{alarm.fault_code}",
        only_open=True,
    )


def alarm_text(alarm: DeviceAlarm, model: str) -> str:
    """The ticket's description: what the device said, readings one per line."""
    lines = [
        f"Device {alarm.device_id} ({model}) raised fault {alarm.fault_code}, "
        f"severity {alarm.severity.value}, at {alarm.occurred_at.isoformat()}.",
    ]
    if alarm.message:
        lines.append(alarm.message)
    lines += [f"{name}: {value}" for name, value in sorted(alarm.readings.items())]
    return "\n".join(lines)[:20000]
