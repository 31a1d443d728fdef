"""Inbound mail webhook: real .eml files become tickets (or join theirs); automatic mail,
bounces and capped senders never touch a ticket; only the tenant's signature gets in."""

from __future__ import annotations

import base64
import json
from typing import Any

from .conftest import OTHER_SECRET, SECRET, Hooks, eml


def _ticket(ticket_id: str, tenant: str = "acme") -> Any:
    from chalicelib.desk.service import get_ticket

    return get_ticket(tenant, ticket_id)


def test_given_a_chinese_mail_when_received_then_a_ticket_opens_with_its_decoded_subject(
    hooks: Hooks, mail_channel: None
) -> None:
    response = hooks.mail(eml("zh_new_question.eml"))

    assert response.status_code == 202, response.json
    assert response.json["accepted"] is True
    assert response.json["created"] is True
    ticket = _ticket(response.json["ticket_id"])
    assert ticket.subject == "打印机故障，无法启动 (急)"
    assert ticket.channel == "email"
    assert "错误代码 E42" in ticket.description
    assert [a.name for a in ticket.attachments] == ["故障照片.pdf"]


def test_given_a_mail_with_an_attachment_when_received_then_its_file_is_kept_in_the_bucket(
    hooks: Hooks, mail_channel: None
) -> None:
    import boto3

    from chalicelib.core import get_settings

    response = hooks.mail(eml("zh_new_question.eml"))

    (attachment,) = _ticket(response.json["ticket_id"]).attachments
    assert attachment.key.startswith("tenants/acme/mail/")
    kept = boto3.client("s3", region_name="us-east-1").get_object(
        Bucket=get_settings().attachments_bucket, Key=attachment.key
    )
    assert kept["ContentType"] == "application/pdf"
    assert len(kept["Body"].read()) == attachment.size == 45


def test_given_a_reply_with_in_reply_to_when_received_then_it_joins_the_first_ticket(
    hooks: Hooks, mail_channel: None
) -> None:
    first = hooks.mail(eml("zh_new_question.eml")).json

    reply = hooks.mail(eml("zh_reply_in_thread.eml"))

    assert reply.status_code == 202, reply.json
    assert reply.json["ticket_id"] == first["ticket_id"]
    assert reply.json["created"] is False


def test_given_the_same_mail_delivered_twice_when_received_then_the_second_is_a_duplicate(
    hooks: Hooks, mail_channel: None
) -> None:
    first = hooks.mail(eml("zh_new_question.eml")).json
    again = hooks.mail(eml("zh_new_question.eml")).json

    assert again["duplicate"] is True
    assert again["ticket_id"] == first["ticket_id"]


def test_given_an_auto_reply_when_received_then_no_ticket_and_the_reason_is_logged(
    hooks: Hooks, mail_channel: None, api: Any
) -> None:
    response = hooks.mail(eml("auto_reply.eml"))

    assert response.status_code == 202
    assert response.json == {
        "accepted": False,
        "ticket_id": None,
        "created": False,
        "reopened": False,
        "duplicate": False,
        "reason": "automatic: Auto-Submitted: auto-replied",
    }
    from datetime import UTC, datetime

    log = api.get(f"/v1/desk/inbound-log?day={datetime.now(UTC):%Y-%m-%d}").json["items"]
    assert [(e["outcome"], e["sender_hint"]) for e in log] == [("automatic", "li***@example.cn")]


def test_given_a_bounce_replying_to_a_ticket_when_received_then_it_never_touches_a_ticket(
    hooks: Hooks, mail_channel: None
) -> None:
    response = hooks.mail(eml("bounce.eml"))

    assert response.status_code == 202
    assert response.json["accepted"] is False
    assert response.json["reason"] == "automatic: delivery report (delivery-status)"


def test_given_ses_notification_via_sns_when_received_then_the_mail_inside_becomes_a_ticket(
    hooks: Hooks, mail_channel: None
) -> None:
    ses = {
        "notificationType": "Received",
        "mail": {"source": "wang.xiaoming@example.cn", "messageId": "o3vrnil0e2ic"},
        "receipt": {"action": {"type": "SNS", "encoding": "BASE64", "topicArn": "arn:x"}},
        "content": base64.b64encode(eml("zh_new_question.eml")).decode(),
    }
    sns = {
        "Type": "Notification",
        "MessageId": "m-1",
        "TopicArn": "arn:x",
        "Message": json.dumps(ses),
    }

    response = hooks.signed(
        "/v1/channels/acme/email",
        json.dumps(sns).encode(),
        content_type="text/plain; charset=UTF-8",
    )

    assert response.status_code == 202, response.json
    assert _ticket(response.json["ticket_id"]).subject == "打印机故障，无法启动 (急)"


def test_given_a_sender_over_the_hourly_cap_when_more_mail_arrives_then_it_is_refused(
    hooks: Hooks, channel: Any
) -> None:
    channel("email", secret=SECRET, rate_cap_per_hour=2)
    base = eml("zh_new_question.eml")
    answers = [hooks.mail(base.replace(b"4711@", f"47{n}@".encode())).json for n in range(3)]

    redelivered = hooks.mail(base.replace(b"4711@", b"470@")).json

    assert [a["accepted"] for a in answers] == [True, True, False]
    assert answers[2]["reason"] == "rate_capped: more than 2 messages from this sender this hour"
    assert (redelivered["duplicate"], redelivered["ticket_id"]) == (True, answers[0]["ticket_id"])


def test_given_another_tenants_secret_when_mail_is_posted_then_401(
    hooks: Hooks, mail_channel: None, channel: Any
) -> None:
    channel("email", tenant="globex", secret=OTHER_SECRET)

    wrong = hooks.mail(eml("zh_new_question.eml"), tenant="acme", secret=OTHER_SECRET)
    right = hooks.mail(eml("zh_new_question.eml"), tenant="globex", secret=OTHER_SECRET)

    assert wrong.status_code == 401
    assert right.status_code == 202
    assert _ticket(right.json["ticket_id"], tenant="acme") is None


def test_given_unsigned_or_stale_mail_when_posted_then_401_naming_the_signature(
    hooks: Hooks, mail_channel: None
) -> None:
    unsigned = hooks.raw(
        "POST",
        "/v1/channels/acme/email",
        eml("zh_new_question.eml"),
        {"Content-Type": "message/rfc822"},
    )
    stale = hooks.signed(
        "/v1/channels/acme/email",
        eml("zh_new_question.eml"),
        content_type="message/rfc822",
        timestamp=1_000_000_000,
    )

    assert (unsigned.status_code, unsigned.json["field"]) == (401, "X-Crm-Signature")
    assert stale.status_code == 401
    assert "5 minutes" in stale.json["detail"]


def test_given_a_tenant_without_the_channel_when_mail_is_posted_then_403(
    hooks: Hooks, api: Any
) -> None:
    assert hooks.mail(eml("zh_new_question.eml"), tenant="nobody").status_code == 403


def test_given_a_huge_mail_when_posted_then_413(hooks: Hooks, mail_channel: None) -> None:
    huge = eml("zh_new_question.eml") + b"x" * (10 * 1024 * 1024)
    assert hooks.mail(huge).status_code == 413


def test_given_nul_bytes_and_no_sender_when_posted_then_text_is_clean_or_422(
    hooks: Hooks, mail_channel: None
) -> None:
    nul = b"From: a@example.com\r\nSubject: a\x00b\r\nMessage-ID: <n@x>\r\n\r\nx\x00y\r\n"
    no_sender = b"Subject: hello\r\nMessage-ID: <s@x>\r\n\r\nbody\r\n"

    ok = hooks.mail(nul)
    refused = hooks.mail(no_sender)

    assert ok.status_code == 202, ok.json
    ticket = _ticket(ok.json["ticket_id"])
    assert (ticket.subject, ticket.description) == ("ab", "xy")
    assert refused.status_code == 422
    assert refused.json["field"] == "From"
