"""Use cases of the WeChat Official Account and WeCom callbacks: the signature checked, the
message decrypted where it is, then a ticket through `inbound_service.deliver`.

WeChat's rules for the answer: within 5 seconds, the plain text `success` (an empty or other
answer makes WeChat retry and then tell the follower the account is down), so every message
that passed the signature, ticket or not, is answered `success`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import Forbidden, Unauthorized, ValidationFailed
from . import inbound_rules, inbound_service, wechat
from .inbound_models import InboundResult

WECHAT_AUTH = {"WWW-Authenticate": 'WeChat-Signature realm="crm-channels"'}


def _settings(tenant_id: str, channel: str) -> dict[str, Any]:
    settings = inbound_service.channel_settings(tenant_id, channel)
    if settings is None or inbound_rules.missing_settings(channel, settings):
        raise Forbidden(f"The {channel} channel is not set up for this tenant.")
    return settings


def _param(query: dict[str, str], name: str) -> str:
    value = query.get(name)
    if not value:
        raise Unauthorized(f"The callback has no {name}.", field=name, headers=WECHAT_AUTH)
    return value


def _check(parts: tuple[str, ...], given: str | None, name: str) -> None:
    if not wechat.signature_matches(parts, given):
        raise Unauthorized(
            f"The {name} does not match this tenant's token.", field=name, headers=WECHAT_AUTH
        )


def _decrypt(settings: dict[str, Any], encrypted: str) -> str:
    if not settings.get("aes_key"):
        raise Forbidden("The channel has no EncodingAESKey for encrypted messages.")
    try:
        return wechat.decrypt(settings["aes_key"], encrypted, settings.get("app_id") or "")
    except wechat.Refused as exc:
        raise Unauthorized(str(exc), field="Encrypt", headers=WECHAT_AUTH) from None


# --- Official Account -----------------------------------------------------------------------


def verify_official_account(tenant_id: str, query: dict[str, str]) -> str:
    """The GET handshake: `echostr` back when the signature is ours."""
    settings = _settings(tenant_id, "wechat")
    timestamp, nonce = _param(query, "timestamp"), _param(query, "nonce")
    _check((settings["token"], timestamp, nonce), _param(query, "signature"), "signature")
    return _param(query, "echostr")


def receive_official_account(
    tenant_id: str, query: dict[str, str], body: bytes, now: datetime
) -> InboundResult:
    """A follower's message (plain, or encrypted in safe mode): a ticket, or an event logged."""
    settings = _settings(tenant_id, "wechat")
    inbound_service.check_size(body, wechat.MAX_XML_BYTES)
    timestamp, nonce = _param(query, "timestamp"), _param(query, "nonce")
    _check((settings["token"], timestamp, nonce), _param(query, "signature"), "signature")
    fields = _read_xml(body)
    if query.get("encrypt_type") == "aes" or "Encrypt" in fields:
        encrypted = fields.get("Encrypt", "")
        _check(
            (settings["token"], timestamp, nonce, encrypted),
            _param(query, "msg_signature"),
            "msg_signature",
        )
        fields = _read_xml(_decrypt(settings, encrypted).encode())
    return _deliver(tenant_id, "wechat", settings, _message(fields), now)


# --- WeCom ----------------------------------------------------------------------------------


def verify_wecom(tenant_id: str, query: dict[str, str]) -> str:
    """WeCom's GET handshake: the decrypted `echostr` when msg_signature is ours."""
    settings = _settings(tenant_id, "wecom")
    timestamp, nonce = _param(query, "timestamp"), _param(query, "nonce")
    # A query string decoded once more than WeChat encoded it turns base64's "+" into " ".
    echostr = _param(query, "echostr").replace(" ", "+")
    _check(
        (settings["token"], timestamp, nonce, echostr),
        _param(query, "msg_signature"),
        "msg_signature",
    )
    return _decrypt(settings, echostr)


def receive_wecom(
    tenant_id: str, query: dict[str, str], body: bytes, now: datetime
) -> InboundResult:
    """A member's message: XML `<xml><Encrypt>` or JSON `{"encrypt": ...}`, decrypted, read."""
    settings = _settings(tenant_id, "wecom")
    inbound_service.check_size(body, wechat.MAX_XML_BYTES)
    timestamp, nonce = _param(query, "timestamp"), _param(query, "nonce")
    signature = _param(query, "msg_signature")
    encrypted = _encrypted_field(body)
    _check((settings["token"], timestamp, nonce, encrypted), signature, "msg_signature")
    plain = _decrypt(settings, encrypted)
    try:
        message = wechat.read_decrypted(plain)
    except wechat.Refused as exc:
        raise ValidationFailed(str(exc), field="Encrypt") from None
    return _deliver(tenant_id, "wecom", settings, message, now)


def _encrypted_field(body: bytes) -> str:
    text = body.lstrip()
    if text.startswith(b"{"):
        data = inbound_service.loads(body)
        encrypted = data.get("encrypt") if isinstance(data, dict) else None
    else:
        encrypted = _read_xml(body).get("Encrypt")
    if not encrypted or not isinstance(encrypted, str):
        raise ValidationFailed("The callback carries no Encrypt field.", field="Encrypt")
    return encrypted


# --- both -----------------------------------------------------------------------------------


def _read_xml(body: bytes) -> dict[str, str]:
    try:
        return wechat.parse_xml(body)
    except wechat.Refused as exc:
        raise ValidationFailed(str(exc), field="body") from None


def _message(fields: dict[str, str]) -> wechat.WeChatMessage:
    try:
        return wechat.message_from_xml(fields)
    except wechat.Refused as exc:
        raise ValidationFailed(str(exc), field="body") from None


def _deliver(
    tenant_id: str,
    channel: str,
    settings: dict[str, Any],
    message: wechat.WeChatMessage,
    now: datetime,
) -> InboundResult:
    if not message.opens_ticket:
        return inbound_service.refuse(
            tenant_id,
            channel,
            outcome="event",
            reason=f"{message.event or 'event'}: acknowledged, no ticket",
            external_id=message.external_id,
            sender=message.sender,
            now=now,
        )
    from .models import Channel, InboundMessage, Sender

    sender = (
        Sender(wechat_openid=message.sender)
        if channel == "wechat"
        else Sender(wecom_userid=message.sender)
    )
    inbound = InboundMessage(
        channel=Channel(channel),
        sender=sender,
        subject=_subject(message.text),
        body=message.text[:20000],
        external_id=message.external_id,
        received_at=now,
        attachments=message.attachments[:20],
    )
    # A chat is one conversation per person: their messages join its ticket.
    return inbound_service.deliver(
        tenant_id,
        channel,
        message.sender,
        settings,
        inbound,
        now,
        conversation=f"{channel}:{message.sender}",
    )


def _subject(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 60 else line[:59] + "…"
