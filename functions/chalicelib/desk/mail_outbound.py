"""Sending the desk's public answers by mail: the follower of `desk.outbound` for tickets that
came by email. The message is built with `email.message.EmailMessage` (`mail.build_reply`:
Auto-Submitted: auto-replied on every mail the desk sends, so customers' auto-responders stay
quiet, threaded with In-Reply-To/References) and sent through SES `SendRawEmail` from the
email channel's `from_address` (moto's SES locally and in tests).

Other channels' answers (WeChat's customer-service API, WeCom's message API, the web widget)
are left to a notifier that follows the same notice; they are logged here, not sent.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from ..core import Notice, get_settings, logger
from . import inbound_service, mail


@lru_cache(maxsize=1)
def _ses() -> Any:
    import boto3

    settings = get_settings()
    return boto3.client("ses", region_name=settings.region, endpoint_url=settings.aws_endpoint)


def on_outbound(notice: Notice, now: datetime) -> None:
    """Send a ticket's public answer to a customer who wrote by mail."""
    payload = dict(notice.new or {})
    tenant_id, ticket_id = notice.tenant_id, str(payload.get("ticket_id") or notice.subject_id)
    if payload.get("channel") != "email":
        logger.info(
            "Outbound answer left to the channel's notifier", extra={"ticket_id": ticket_id}
        )
        return
    to = (payload.get("to") or {}).get("email")
    settings = inbound_service.channel_settings(tenant_id, "email")
    if not to or not settings or not settings.get("from_address"):
        logger.warning(
            "Mail answer not sent: no recipient or no from_address", extra={"ticket_id": ticket_id}
        )
        return
    message = reply_for(tenant_id, payload, settings["from_address"], to)
    _send(message.as_bytes(), settings["from_address"], to, ticket_id)


def reply_for(tenant_id: str, payload: dict[str, Any], from_address: str, to: str) -> Any:
    """The EmailMessage for an outbound notice's answer."""
    from .service import get_ticket

    ticket_id = str(payload["ticket_id"])
    ticket = get_ticket(tenant_id, ticket_id)
    subject = (ticket.subject if ticket and ticket.subject else "") or "Your request"
    headers = payload.get("headers") or {}
    return mail.build_reply(
        from_address=from_address,
        to=to,
        subject=subject if subject.lower().startswith("re:") else f"Re: {subject}",
        text=str(payload.get("text") or ""),
        ticket_id=ticket_id,
        message_id=str(payload.get("message_id") or "answer"),
        in_reply_to=headers.get("In-Reply-To"),
        references=str(headers.get("References") or "").split(),
    )


def _send(raw: bytes, source: str, to: str, ticket_id: str) -> None:
    from botocore.exceptions import ClientError

    try:
        _ses().send_raw_email(Source=source, Destinations=[to], RawMessage={"Data": raw})
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("MessageRejected", "MailFromDomainNotVerifiedException"):
            # Retrying cannot help (an unverified sender): say so once, do not fail the record.
            logger.error("SES refused the answer", extra={"ticket_id": ticket_id, "code": code})
            return
        raise
