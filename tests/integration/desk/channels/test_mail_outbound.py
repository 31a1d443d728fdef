"""The desk's answers to mail tickets go out through SES, built as an EmailMessage marked
Auto-Submitted (so auto-responders stay quiet) and threaded onto the customer's mail."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

import boto3

from chalicelib.core import Notice

from .conftest import Hooks, eml


def _outbound(ticket_id: str, headers: dict[str, str]) -> Notice:
    payload = {
        "tenant_id": "acme",
        "ticket_id": ticket_id,
        "message_id": "01JMSGANSWER0000000000000A",
        "channel": "email",
        "to": {"email": "wang.xiaoming@example.cn"},
        "text": "工程师将于今天下午两点上门。",
        "headers": headers,
    }
    return Notice("desk.outbound", "acme", ticket_id, None, payload, "evt-1", datetime.now(UTC))


def test_given_an_answer_to_a_mail_ticket_when_followed_then_ses_sends_it_marked_automatic(
    hooks: Hooks, mail_channel: None
) -> None:
    from chalicelib.desk import mail_outbound

    ticket_id = hooks.mail(eml("zh_new_question.eml")).json["ticket_id"]
    ses = boto3.client("ses", region_name="us-east-1")
    ses.verify_email_identity(EmailAddress="support@desk.example.com")
    mail_outbound._ses.cache_clear()

    mail_outbound.on_outbound(
        _outbound(ticket_id, {"In-Reply-To": "<20261201095810.4711@mail.example.cn>"}),
        datetime.now(UTC),
    )

    from moto.backends import get_backend

    sent = get_backend("ses")["123456789012"]["us-east-1"].sent_messages
    (raw,) = [m.raw_data for m in sent]
    back = message_from_bytes(raw.encode() if isinstance(raw, str) else raw, policy=policy.default)
    assert back["Auto-Submitted"] == "auto-replied"
    assert back["In-Reply-To"] == "<20261201095810.4711@mail.example.cn>"
    assert back["Subject"] == f"[#{ticket_id}] Re: 打印机故障，无法启动 (急)"
    assert back.get_content().strip() == "工程师将于今天下午两点上门。"


def test_given_the_customers_answer_to_our_mail_when_received_then_it_finds_the_ticket(
    hooks: Hooks, mail_channel: None, api: Any
) -> None:
    ticket_id = hooks.mail(eml("zh_new_question.eml")).json["ticket_id"]
    answer = (
        "From: wang.xiaoming@example.cn\r\nSubject: =?UTF-8?B?5aW955qE?=\r\n"
        "Message-ID: <answer.1@mail.example.cn>\r\n"
        f"In-Reply-To: <desk.{ticket_id}.01JMSGANSWER0000000000000A@desk.example.com>\r\n"
        "\r\n好的，谢谢\r\n"
    ).encode()

    response = hooks.mail(answer)

    assert (response.json["ticket_id"], response.json["created"]) == (ticket_id, False)
