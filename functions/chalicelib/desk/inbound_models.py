"""Bodies and shapes of the desk's channels: channel settings (secrets masked on read), web chat
messages, device alarms and the device registry, what a webhook answers, the inbound log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from ..core import DynamoNumber, Line, Moment, Schema, Strict, Text, WholeNumber

DeviceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
CustomerId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
FaultCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
Secret = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{16,256}$")]


class ChannelName(StrEnum):
    EMAIL = "email"
    WECHAT = "wechat"
    WECOM = "wecom"
    WEBCHAT = "webchat"
    DEVICE = "device"


class ChannelSettings(Strict):
    """A channel's settings (PUT replaces them; send If-Match once they exist).

    email, webchat, device: `secret` signs the webhook (X-Crm-Signature, HMAC-SHA256).
    wechat: `token`, `app_id`, and `aes_key` for safe mode. wecom: `token`, `aes_key`
    (EncodingAESKey) and `app_id` (the corp id, WeCom's receiveid).
    """

    enabled: bool = True
    secret: Secret | None = None
    token: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{3,32}$")] | None = None
    aes_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{43}$")] | None = Field(
        default=None, description="EncodingAESKey: 43 characters of base64."
    )
    app_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None
    from_address: Annotated[Line, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")] | None = (
        Field(default=None, description="The address replies to mail are sent from.")
    )
    rate_cap_per_hour: Annotated[int, Field(ge=1, le=10000), WholeNumber] = Field(
        default=20, description="Messages one sender may send per hour."
    )


class ChannelView(Schema):
    """A channel's settings as read: secrets are only ever shown masked."""

    channel: ChannelName
    enabled: bool
    secret: str | None = None
    token: str | None = None
    aes_key: str | None = None
    app_id: str | None = None
    from_address: str | None = None
    rate_cap_per_hour: int
    webhook: str = Field(description="Where the channel's calls go.")
    missing: list[str] = Field(
        default_factory=list, description="Settings the channel lacks: it takes no call (403)."
    )
    updated_at: datetime | None = None
    updated_by: str | None = None
    version: int


class ChannelList(Schema):
    items: list[ChannelView]


class Visitor(Strict):
    email: Annotated[Line, Field(max_length=254)] | None = None
    phone: Annotated[Line, Field(max_length=32)] | None = None
    name: Annotated[Line, Field(max_length=200)] | None = None


class WebChatPost(Strict):
    """A visitor's message from the web widget, relayed and signed by the tenant's chat server."""

    session_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,128}$")]
    message_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,128}$")]
    text: Annotated[Text, Field(min_length=1, max_length=20000)]
    visitor: Visitor = Field(default_factory=Visitor)
    sent_at: Moment | None = None


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"


class DeviceAlarm(Strict):
    """An IoT alarm (as an IoT rule forwards it)."""

    device_id: DeviceId
    fault_code: FaultCode
    severity: Severity
    occurred_at: Moment
    readings: dict[
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")],
        DynamoNumber | Annotated[Line, Field(max_length=200)],
    ] = Field(default_factory=dict, max_length=50)
    message: Annotated[Line, Field(max_length=500)] | None = None


class DevicePut(Strict):
    customer_id: CustomerId
    model: Annotated[Line, Field(min_length=1, max_length=100)]
    installed_at: Moment
    name: Annotated[Line, Field(max_length=200)] | None = None


class Device(Schema):
    device_id: str
    customer_id: str
    model: str
    installed_at: datetime
    name: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int


class DevicePage(Schema):
    items: list[Device]
    next: str | None = None


class InboundResult(Schema):
    """What a channel webhook did: a ticket opened, joined or reopened, or why none was."""

    accepted: bool
    ticket_id: str | None = None
    created: bool = False
    reopened: bool = False
    duplicate: bool = False
    reason: str | None = Field(default=None, description="Why no ticket was touched.")


class InboundLogEntry(Schema):
    at: datetime
    channel: ChannelName
    outcome: str = Field(description="automatic, rate_capped, event, ...")
    reason: str
    external_id: str | None = None
    sender_hint: str | None = Field(default=None, description="The sender, partly masked.")


class InboundLogPage(Schema):
    items: list[InboundLogEntry]
    next: str | None = None


class SnsEnvelope(Schema):
    """An SNS HTTPS delivery (the fields read here; the rest is ignored)."""

    Type: Annotated[str, Field(max_length=64)]
    MessageId: Annotated[str, Field(max_length=128)] | None = None
    TopicArn: Annotated[str, Field(max_length=512)] | None = None
    Message: str | None = None


class SesReceiptAction(Schema):
    type: str | None = None
    encoding: str | None = Field(default=None, description="UTF8 or BASE64.")


class SesReceipt(Schema):
    action: SesReceiptAction = Field(default_factory=SesReceiptAction)


class SesNotification(Schema):
    """SES's receipt notification: the raw message in `content` when the SNS action is used."""

    notification_type: str = Field(alias="notificationType")
    receipt: SesReceipt = Field(default_factory=SesReceipt)
    content: str | None = None

    def raw_content(self) -> bytes:
        import base64
        import binascii

        from ..core import ValidationFailed

        text = self.content or ""
        if (self.receipt.action.encoding or "").upper() == "BASE64":
            try:
                return base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise ValidationFailed("content is not base64.", field="Message.content") from None
        return text.encode("utf-8", "surrogateescape")
