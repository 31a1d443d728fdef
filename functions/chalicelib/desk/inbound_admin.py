"""Use cases of the channels' administration: each channel's settings (admins only; secrets
are written, never read back) and the inbound log of what touched no ticket."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ..core import (
    NotFound,
    PreconditionFailed,
    Principal,
    Role,
    check_version,
    decode_cursor,
    encode_cursor,
    require_role,
)
from . import inbound_rules, inbound_store
from .inbound_models import (
    ChannelList,
    ChannelName,
    ChannelSettings,
    ChannelView,
    InboundLogEntry,
    InboundLogPage,
)

WEBHOOKS = {
    "email": "/v1/channels/{tenant}/email",
    "wechat": "/v1/channels/{tenant}/wechat",
    "wecom": "/v1/channels/{tenant}/wecom",
    "webchat": "/v1/channels/{tenant}/webchat",
    "device": "/v1/channels/{tenant}/device-alarms",
}


def _view(tenant_id: str, channel: str, item: inbound_store.DeskChannelItem | None) -> ChannelView:
    settings: dict[str, Any] = json.loads(item.settings_json) if item else {}
    return ChannelView(
        channel=ChannelName(channel),
        enabled=bool(settings.get("enabled", False)) if item else False,
        secret=inbound_rules.masked(settings.get("secret")),
        token=inbound_rules.masked(settings.get("token")),
        aes_key=inbound_rules.masked(settings.get("aes_key")),
        app_id=settings.get("app_id"),
        from_address=settings.get("from_address"),
        rate_cap_per_hour=int(settings.get("rate_cap_per_hour") or 20),
        webhook=WEBHOOKS[channel].format(tenant=tenant_id),
        missing=inbound_rules.missing_settings(channel, settings),
        updated_at=item.updated_at if item else None,
        updated_by=item.updated_by if item else None,
        version=int(item.version or 0) if item else 0,
    )


def list_channels(caller: Principal) -> ChannelList:
    require_role(caller, Role.ADMIN)
    stored = {item.channel: item for item in inbound_store.list_channels(caller.tenant_id)}
    return ChannelList(
        items=[_view(caller.tenant_id, c.value, stored.get(c.value)) for c in ChannelName]
    )


def get_channel(caller: Principal, channel: str) -> ChannelView:
    require_role(caller, Role.ADMIN)
    return _view(caller.tenant_id, channel, inbound_store.get_channel(caller.tenant_id, channel))


def put_channel(
    caller: Principal,
    channel: str,
    body: ChannelSettings,
    expected: int | None,
    now: datetime | None = None,
) -> ChannelView:
    """Replace a channel's settings; secrets left out keep theirs; If-Match once it exists.

    Settings a channel still lacks are listed in the answer (`missing`), not refused: the
    webhook takes no call until they are there (403)."""
    require_role(caller, Role.ADMIN)
    item = inbound_store.get_channel(caller.tenant_id, channel)
    if item is not None and expected is None:
        raise PreconditionFailed(
            "The channel is set up already: send If-Match with the version you read.",
            field="If-Match",
        )
    if item is not None:
        check_version(expected, int(item.version or 0))
    stored = json.loads(item.settings_json) if item else None
    settings = inbound_rules.merged_settings(stored, body.model_dump(mode="json"))
    saved = inbound_store.save_channel(
        caller.tenant_id, channel, item, settings, by=caller.user_id, now=now or datetime.now(UTC)
    )
    return _view(caller.tenant_id, channel, saved)


def inbound_log(caller: Principal, day: str, limit: int, cursor: str | None) -> InboundLogPage:
    """What the channels took without touching a ticket on a day (UTC), newest first."""
    require_role(caller, Role.ADMIN, Role.SERVICE_AGENT)
    scope = f"desk-inbound:{caller.tenant_id}:{day}"
    page = inbound_store.inbound_log(
        caller.tenant_id, day.replace("-", ""), limit, decode_cursor(cursor, scope)
    )
    return InboundLogPage(
        items=[
            InboundLogEntry(
                at=item.at,
                channel=ChannelName(item.channel),
                outcome=item.outcome,
                reason=item.reason,
                external_id=item.external_id,
                sender_hint=item.sender_hint,
            )
            for item in page.items
        ],
        next=encode_cursor(page.last_key, scope),
    )


def channel_or_404(channel: str) -> str:
    if channel not in WEBHOOKS:
        raise NotFound(f"No channel {channel}.", field="channel")
    return channel
