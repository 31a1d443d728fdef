"""SES receipt notifications delivered by SNS: the raw mail inside, whichever encoding the SNS
action uses; the subscription handshake recognised; a notification without content refused."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.core import CrmError
from chalicelib.desk.inbound_service import mail_from_notification

MIME = b"From: a@example.com\r\nSubject: hi\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n"


def _sns(ses: dict[str, object], kind: str = "Notification") -> bytes:
    return json.dumps({"Type": kind, "MessageId": "m", "Message": json.dumps(ses)}).encode()


@pytest.mark.parametrize(
    ("encoding", "content"),
    [("BASE64", base64.b64encode(MIME).decode()), ("UTF8", MIME.decode())],
)
def test_given_a_receipt_notification_when_read_then_the_raw_mail_comes_out(
    encoding: str, content: str
) -> None:
    ses = {
        "notificationType": "Received",
        "receipt": {"action": {"encoding": encoding}},
        "content": content,
    }
    assert mail_from_notification(_sns(ses)) == ("mail", MIME)


def test_given_snss_subscription_handshake_when_read_then_it_is_no_mail() -> None:
    body = json.dumps({"Type": "SubscriptionConfirmation", "SubscribeURL": "https://sns"}).encode()
    assert mail_from_notification(body) == ("subscription", None)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (_sns({"notificationType": "Received"}), 422),  # the SNS action left the content out
        (
            _sns(
                {
                    "notificationType": "Received",
                    "receipt": {"action": {"encoding": "BASE64"}},
                    "content": "%%",
                }
            ),
            422,
        ),
        (b"{not json", 400),
    ],
)
def test_given_unusable_notifications_when_read_then_they_are_refused(
    body: bytes, status: int
) -> None:
    with pytest.raises(CrmError) as refused:
        mail_from_notification(body)
    assert refused.value.status == status
