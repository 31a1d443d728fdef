"""DynamoDB access of the desk's channels: channel settings, sender rate counters, the inbound
log, the device registry and each device's open fault tickets.

| pattern                              | index | key condition                                   |
|--------------------------------------|-------|-------------------------------------------------|
| a channel's settings (get, put)      | table | pk=T#t, sk=#DESKCHANNEL#<channel>               |
| the tenant's channels (list)         | table | pk=T#t, sk begins_with #DESKCHANNEL#            |
| a sender's count this hour (update)  | table | pk=T#t#DESKRATE#<hash>, sk=H#<yyyymmddhh> (TTL) |
| the inbound log of a day (newest 1st)| table | pk=T#t#DESKINBOUND#<yyyymmdd>, sk=<at>#<ulid>   |
| a device (get, put)                  | table | pk=T#t#DEVICE#<id>, sk=#DEVICE                  |
| a customer's devices                 | gsi1  | gsi1pk=T#t#DEVICEOWNER#<customer>, gsi1sk=<id>  |
| a conversation's latest ticket        | table | pk=T#t#DESKCONV#<hash of key>, sk=#DESKCONV     |
|   (chat sender/session, device fault) |       |                                                 |

Secrets sit in the channel item (encrypted at rest with the table); no read path returns them
but the webhook's own check.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError, UpdateError
from ulid import ULID

from ..core import TTL_ATTRIBUTE, CrmItem, Page, PreconditionFailed, gsi_pk, query_page

CHANNEL_SK = "#DESKCHANNEL#"
DEVICE_SK = "#DEVICE"
CONVERSATION_SK = "#DESKCONV"
LOG_KEPT = timedelta(days=30)


class DeskChannelItem(CrmItem, discriminator="DeskChannel"):
    channel = UnicodeAttribute()
    settings_json = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    version = VersionAttribute()


class DeskSenderCountItem(CrmItem, discriminator="DeskSenderCount"):
    messages = NumberAttribute(default=0)
    expires_at = NumberAttribute(attr_name=TTL_ATTRIBUTE)


class DeskInboundLogItem(CrmItem, discriminator="DeskInboundLog"):
    at = UTCDateTimeAttribute()
    channel = UnicodeAttribute()
    outcome = UnicodeAttribute()
    reason = UnicodeAttribute()
    external_id = UnicodeAttribute(null=True)
    sender_hint = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(attr_name=TTL_ATTRIBUTE)


class DeviceItem(CrmItem, discriminator="Device"):
    device_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    model = UnicodeAttribute()
    installed_at = UTCDateTimeAttribute()
    name = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class DeskConversationItem(CrmItem, discriminator="DeskConversation"):
    conversation = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute()


def _conversation_pk(tenant_id: str, key: str) -> str:
    return f"T#{tenant_id}#DESKCONV#{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def _device_pk(tenant_id: str, device_id: str) -> str:
    return f"T#{tenant_id}#DEVICE#{device_id}"


def _conflict(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


# --- channel settings ----------------------------------------------------------------------


def get_channel(tenant_id: str, channel: str) -> DeskChannelItem | None:
    try:
        return DeskChannelItem.get(f"T#{tenant_id}", CHANNEL_SK + channel)
    except DeskChannelItem.DoesNotExist:
        return None


def list_channels(tenant_id: str) -> list[DeskChannelItem]:
    return list(DeskChannelItem.query(f"T#{tenant_id}", DeskChannelItem.sk.startswith(CHANNEL_SK)))


def save_channel(
    tenant_id: str,
    channel: str,
    item: DeskChannelItem | None,
    settings: dict[str, Any],
    *,
    by: str,
    now: datetime,
) -> DeskChannelItem:
    """Write a channel's settings (version-checked against what the caller read)."""
    item = item or DeskChannelItem(
        pk=f"T#{tenant_id}", sk=CHANNEL_SK + channel, tenant_id=tenant_id, channel=channel
    )
    item.settings_json = json.dumps(settings, ensure_ascii=False)
    item.updated_at, item.updated_by = now, by
    try:
        item.save()
    except PutError as exc:
        if _conflict(exc):
            raise PreconditionFailed(
                "The channel's settings changed meanwhile; read them again.", field="If-Match"
            ) from None
        raise
    return item


# --- sender rate cap -----------------------------------------------------------------------


def count_sender(tenant_id: str, key: str, bucket: str, cap: int, now: datetime) -> bool:
    """Count one message of a sender this hour; False (nothing counted) once the cap is met.

    One conditional update: concurrent deliveries cannot both pass the last slot.
    """
    item = DeskSenderCountItem(
        pk=f"T#{tenant_id}#DESKRATE#{key}", sk=f"H#{bucket}", tenant_id=tenant_id
    )
    expires = int((now + timedelta(hours=2)).timestamp())
    try:
        item.update(
            actions=[
                DeskSenderCountItem.messages.add(1),
                DeskSenderCountItem.expires_at.set(expires),
                DeskSenderCountItem.tenant_id.set(tenant_id),
                DeskSenderCountItem.item_type.set(DeskSenderCountItem),
            ],
            condition=DeskSenderCountItem.messages.does_not_exist()
            | (DeskSenderCountItem.messages < cap),
        )
    except UpdateError as exc:
        if _conflict(exc):
            return False
        raise
    return True


# --- inbound log ---------------------------------------------------------------------------


def log_inbound(
    tenant_id: str,
    *,
    channel: str,
    outcome: str,
    reason: str,
    external_id: str | None,
    sender_hint: str | None,
    now: datetime,
) -> None:
    DeskInboundLogItem(
        pk=f"T#{tenant_id}#DESKINBOUND#{now:%Y%m%d}",
        sk=f"{now.isoformat()}#{ULID()}",
        tenant_id=tenant_id,
        at=now,
        channel=channel,
        outcome=outcome,
        reason=reason[:500],
        external_id=(external_id or None) and external_id[:998],
        sender_hint=sender_hint,
        expires_at=int((now + LOG_KEPT).timestamp()),
    ).save()


def inbound_log(tenant_id: str, day: str, limit: int, start_key: dict[str, Any] | None) -> Page:
    return query_page(
        DeskInboundLogItem.query,
        f"T#{tenant_id}#DESKINBOUND#{day}",
        limit=limit,
        start_key=start_key,
        scan_index_forward=False,
    )


# --- devices -------------------------------------------------------------------------------


def get_device(tenant_id: str, device_id: str) -> DeviceItem | None:
    try:
        return DeviceItem.get(_device_pk(tenant_id, device_id), DEVICE_SK)
    except DeviceItem.DoesNotExist:
        return None


def save_device(
    tenant_id: str, item: DeviceItem | None, device_id: str, data: dict[str, Any], now: datetime
) -> DeviceItem:
    item = item or DeviceItem(
        pk=_device_pk(tenant_id, device_id),
        sk=DEVICE_SK,
        tenant_id=tenant_id,
        device_id=device_id,
        created_at=now,
    )
    item.customer_id = data["customer_id"]
    item.model = data["model"]
    item.installed_at = data["installed_at"]
    item.name = data.get("name")
    item.updated_at = now
    item.gsi1pk = gsi_pk(tenant_id, "DEVICEOWNER", item.customer_id)
    item.gsi1sk = device_id
    try:
        item.save()
    except PutError as exc:
        if _conflict(exc):
            raise PreconditionFailed(
                "The device changed meanwhile; read it again.", field="If-Match"
            ) from None
        raise
    return item


def devices_of(
    tenant_id: str, customer_id: str, limit: int, start_key: dict[str, Any] | None
) -> Page:
    return query_page(
        DeviceItem.by_gsi1.query,
        gsi_pk(tenant_id, "DEVICEOWNER", customer_id),
        limit=limit,
        start_key=start_key,
    )


def conversation(tenant_id: str, key: str) -> tuple[str, str | None] | None:
    """(ticket, customer) a conversation (a chat's sender or session, a device's fault) last
    went to, or None for a new one."""
    try:
        item = DeskConversationItem.get(_conversation_pk(tenant_id, key), CONVERSATION_SK)
    except DeskConversationItem.DoesNotExist:
        return None
    return str(item.ticket_id), item.customer_id


def conversation_ticket(tenant_id: str, key: str) -> str | None:
    found = conversation(tenant_id, key)
    return found[0] if found else None


def remember_conversation(
    tenant_id: str, key: str, ticket_id: str, customer_id: str | None, now: datetime
) -> None:
    DeskConversationItem(
        pk=_conversation_pk(tenant_id, key),
        sk=CONVERSATION_SK,
        tenant_id=tenant_id,
        conversation=key[:1000],
        ticket_id=ticket_id,
        customer_id=customer_id,
        at=now,
    ).save()
