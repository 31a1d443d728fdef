"""Use cases of the desk's channels: each webhook's call checked (signature, size, loops, the
sender's rate cap), normalised into one `InboundMessage` and handed to `service.receive`.

Automatic mail (auto-replies, bulk, bounces), capped senders and WeChat events touch no
ticket: the webhook answers 202 with the reason, and the reason is kept in the inbound log.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..core import CrmError, Forbidden, Unauthorized, ValidationFailed
from . import inbound_rules, inbound_store
from .inbound_models import InboundResult

MAX_MAIL_BYTES = 10 * 1024 * 1024  # API Gateway's own limit; SES hands larger mail via S3
MAX_JSON_BYTES = 256 * 1024
FINISHED = frozenset({"resolved", "closed"})


class ContentTooLarge(CrmError):
    status, slug, title = 413, "content-too-large", "Content too large"


def check_size(body: bytes, limit: int) -> None:
    if len(body) > limit:
        raise ContentTooLarge(f"The body may be at most {limit} bytes.", field="body")


def channel_settings(tenant_id: str, channel: str) -> dict[str, Any] | None:
    """An enabled channel's settings (with secrets: for the webhook's own checks only)."""
    item = inbound_store.get_channel(tenant_id, channel)
    if item is None:
        return None
    settings: dict[str, Any] = json.loads(item.settings_json)
    return settings if settings.get("enabled", True) else None


def check_signed(
    tenant_id: str, channel: str, headers: dict[str, str], body: bytes, now: datetime
) -> dict[str, Any]:
    """The channel's settings once the call proves it was signed with the channel's secret."""
    settings = channel_settings(tenant_id, channel)
    if settings is None or not settings.get("secret"):
        raise Forbidden(f"The {channel} channel is not enabled for this tenant.")
    lowered = {k.lower(): v for k, v in headers.items()}
    problem = inbound_rules.signature_problem(
        settings["secret"],
        lowered.get(inbound_rules.TIMESTAMP_HEADER.lower()),
        lowered.get(inbound_rules.SIGNATURE_HEADER.lower()),
        body,
        now,
    )
    if problem is not None:
        raise Unauthorized(
            problem,
            field=inbound_rules.SIGNATURE_HEADER,
            headers={"WWW-Authenticate": 'HMAC-SHA256 realm="crm-channels"'},
        )
    return settings


def hint(sender: str) -> str:
    """A sender as the inbound log shows it: enough to recognise, not to harvest."""
    name, at, domain = sender.partition("@")
    return f"{name[:2]}***{at}{domain}" if at else f"{sender[:4]}***"


def refuse(
    tenant_id: str,
    channel: str,
    *,
    outcome: str,
    reason: str,
    external_id: str | None,
    sender: str,
    now: datetime,
) -> InboundResult:
    """No ticket: the reason answered and kept in the inbound log."""
    inbound_store.log_inbound(
        tenant_id,
        channel=channel,
        outcome=outcome,
        reason=reason,
        external_id=external_id,
        sender_hint=hint(sender) if sender else None,
        now=now,
    )
    return InboundResult(accepted=False, reason=f"{outcome}: {reason}")


def within_cap(
    tenant_id: str, channel: str, sender: str, settings: dict[str, Any], now: datetime
) -> bool:
    cap = int(settings.get("rate_cap_per_hour") or 20)
    key = inbound_rules.sender_key(channel, sender)
    return inbound_store.count_sender(tenant_id, key, inbound_rules.hour_bucket(now), cap, now)


def deliver(
    tenant_id: str,
    channel: str,
    sender: str,
    settings: dict[str, Any],
    message: Any,
    now: datetime,
    *,
    conversation: str | None = None,
    only_open: bool = False,
) -> InboundResult:
    """The sender's rate cap, then `receive`: the ticket opened, joined or reopened.

    A `conversation` (a chat's sender or session, a device's fault) joins the ticket it last
    went to (`only_open`: while that ticket is still open); `receive` decides the rest
    (reopen within the window, a new linked ticket after close).
    """
    if not within_cap(tenant_id, channel, sender, settings, now):
        repeat = _known_ticket(tenant_id, message.external_id)
        if repeat is not None:  # a redelivery of what we have (WeChat retries): no news
            return InboundResult(accepted=True, ticket_id=repeat, duplicate=True)
        cap = int(settings.get("rate_cap_per_hour") or 20)
        return refuse(
            tenant_id,
            channel,
            outcome="rate_capped",
            reason=f"more than {cap} messages from this sender this hour",
            external_id=message.external_id,
            sender=sender,
            now=now,
        )
    from .service import get_ticket, receive

    found = inbound_store.conversation(tenant_id, conversation) if conversation else None
    known = found[0] if found else None
    if known and only_open:
        ticket = get_ticket(tenant_id, known)
        if ticket is None or str(ticket.status) in FINISHED:
            known = None
    if found:
        refs = [*message.thread_refs, ticket_ref(known)][-100:] if known else message.thread_refs
        # A visitor with no identity is the customer their conversation started as.
        customer = message.customer_id or found[1]
        message = message.model_copy(update={"thread_refs": refs, "customer_id": customer})
    received = receive(tenant_id, message, now)
    if conversation and not received.duplicate and received.ticket_id != known:
        inbound_store.remember_conversation(
            tenant_id, conversation, received.ticket_id, received.customer_id, now
        )
    return InboundResult(
        accepted=True,
        ticket_id=received.ticket_id,
        created=received.created,
        reopened=received.reopened,
        duplicate=received.duplicate,
    )


# --- email ----------------------------------------------------------------------------------


def receive_mail(
    tenant_id: str, raw: bytes, settings: dict[str, Any], now: datetime
) -> InboundResult:
    """A raw RFC 5322 message: a ticket opened or joined, unless it is automatic or capped."""
    from . import mail
    from .attachments import keep
    from .models import Channel, InboundMessage, Sender
    from .rules import tenant_folder

    try:
        parsed = mail.parse_mail(raw)
    except mail.MailUnreadable as exc:
        raise ValidationFailed(str(exc), field="body") from None
    if not parsed.sender_email:
        raise ValidationFailed("The message names no sender (From).", field="From")
    if parsed.automatic is not None:
        return refuse(
            tenant_id,
            "email",
            outcome="automatic",
            reason=parsed.automatic,
            external_id=parsed.message_id,
            sender=parsed.sender_email,
            now=now,
        )
    # Our own replies' Message-IDs name their ticket, and so does the subject's [#id]: a
    # reply whose client dropped the thread headers still finds its ticket.
    named = [mail.desk_ticket_of(ref) for ref in parsed.thread_refs]
    tagged = mail.ticket_tag(parsed.subject)
    refs = [*parsed.thread_refs, *(ticket_ref(t) for t in [*named, tagged] if t)]
    folder = tenant_folder(tenant_id)
    message = InboundMessage(
        channel=Channel.EMAIL,
        sender=Sender(email=parsed.sender_email, name=parsed.sender_name or None),
        subject=parsed.subject[:300],
        body=parsed.body,
        external_id=parsed.message_id,
        thread_refs=refs[:100],
        received_at=now,
        attachments=[a.reference(folder) for a in parsed.attachments],
    )
    for attachment in parsed.attachments:  # the files first: a ticket never names a missing one
        keep(folder + attachment.key, attachment.payload, attachment.content_type)
    return deliver(tenant_id, "email", parsed.sender_email, settings, message, now)


def mail_from_notification(body: bytes) -> tuple[str, bytes | None]:
    """What an SNS delivery of SES's receipt notification holds: ("mail", raw MIME), or
    ("subscription", None) for SNS's subscription handshake (confirmed by the operator).

    Shape: SNS {"Type": "Notification", "Message": "<SES JSON>"} with SES's
    {"notificationType": "Received", "content": "<raw MIME, base64 when the SNS action's
    encoding is Base64>", "mail": {...}}.
    """
    from ..core import validate
    from .inbound_models import SesNotification, SnsEnvelope

    envelope = validate(SnsEnvelope, loads(body))
    if envelope.Type == "SubscriptionConfirmation":
        return "subscription", None
    if envelope.Type != "Notification" or envelope.Message is None:
        raise ValidationFailed("Only SNS notifications carry mail.", field="Type")
    notice = validate(SesNotification, loads(envelope.Message.encode()), "Message.")
    if notice.content is None:
        raise ValidationFailed(
            "The SES notification has no content (set the SNS action to include it).",
            field="Message.content",
        )
    return "mail", notice.raw_content()


def loads(raw: bytes) -> Any:
    from ..core import BadRequest

    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The body is not valid JSON.", field="body") from None


def _known_ticket(tenant_id: str, external_id: str) -> str | None:
    """The ticket a channel message id already went to (desk's dedup guard), if any."""
    from .thread_store import refs

    found = refs(tenant_id, [external_id]).get(external_id)
    return str(found.ticket_id) if found is not None else None


def ticket_ref(ticket_id: str) -> str:
    """How a thread reference names a ticket directly (a subject's [#id], a conversation's
    ticket): `receive` takes a bare ticket id among the refs (of the same customer)."""
    return ticket_id


# --- web chat -------------------------------------------------------------------------------


def receive_webchat(
    tenant_id: str, post: Any, settings: dict[str, Any], now: datetime
) -> InboundResult:
    """A visitor's message: the chat session is the thread; email/phone identify them if given."""
    from .models import Channel, InboundMessage, Sender

    visitor = post.visitor
    text = inbound_rules.clean_text(post.text, keep_newlines=True)
    if not text:
        raise ValidationFailed("The message has no text.", field="text")
    line = " ".join(text.split())
    message = InboundMessage(
        channel=Channel.WEBCHAT,
        sender=Sender(email=visitor.email, phone=visitor.phone, name=visitor.name),
        subject=line if len(line) <= 60 else line[:59] + "…",
        body=text,
        external_id=f"webchat:{post.session_id}:{post.message_id}",
        received_at=now,
    )
    sender = visitor.email or visitor.phone or f"session:{post.session_id}"
    return deliver(
        tenant_id,
        "webchat",
        sender,
        settings,
        message,
        now,
        conversation=f"webchat:{post.session_id}",
    )
