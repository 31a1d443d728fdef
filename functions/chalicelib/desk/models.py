"""Bodies and shapes of the service desk (pydantic v2; request bodies forbid unknown fields).

`Ticket`, `TicketMessage` and `InboundMessage` are the desk's shared interface: the channel,
SLA, assignment, knowledge and survey parts code against them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ..core import Line, Moment, Schema, Strict, Text, WholeNumber
from .patch_fields import Kept, Unset

UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@:-]{1,128}$")]
ItemId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
QueueName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
Subject = Annotated[Line, Field(min_length=1, max_length=300)]
Body = Annotated[Text, Field(max_length=20000)]
Reason = Annotated[Line, Field(min_length=1, max_length=500)]


class Channel(StrEnum):
    EMAIL = "email"
    WECHAT = "wechat"
    WECOM = "wecom"
    WEBCHAT = "webchat"
    DEVICE = "device"
    API = "api"
    AGENT = "agent"


class TicketType(StrEnum):
    QUESTION = "question"
    COMPLAINT = "complaint"
    FAULT = "fault"
    REQUEST = "request"
    OTHER = "other"


class Priority(StrEnum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING_CUSTOMER = "pending_customer"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


class Language(StrEnum):
    ZH = "zh"
    EN = "en"


class AuthorKind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class ReplyScope(StrEnum):
    GLOBAL = "global"
    TEAM = "team"
    PERSONAL = "personal"


# --- the shared interface ---------------------------------------------------------------------


class AttachmentRef(Schema):
    """A file kept in the tenant's attachments bucket, referred to by its key."""

    key: str
    name: str
    content_type: str
    size: int = Field(ge=0)


class Ticket(Schema):
    """A ticket. `subject` and `description` are None for roles that may not read conversation
    text (finance, legal); `sla` is the SLA part's view of the ticket (None until it has one)."""

    ticket_id: str
    customer_id: str
    subject: str | None
    description: str | None
    channel: Channel
    type: str
    priority: Priority
    status: Status
    assignee_id: str | None = None
    queue: str | None = None
    sla_policy: str | None = None
    language: Language = Language.ZH
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    reopened_at: datetime | None = None
    linked_ticket_id: str | None = Field(
        default=None,
        description="The ticket this one follows on from (a reply after close, a split).",
    )
    merged_into: str | None = None
    priority_reason: str | None = None
    assignment_reason: str | None = Field(
        default=None, description="Why the last assignment chose this assignee or queue."
    )
    assigned_by: str | None = Field(
        default=None,
        description="Who made the last assignment (a user, or the rules or job that did).",
    )
    created_by: str | None = None
    attachments: list[AttachmentRef] = Field(default_factory=list)
    sla: dict[str, Any] | None = None
    version: int


class TicketMessage(Schema):
    message_id: str
    ticket_id: str
    author_id: str | None = None
    author_kind: AuthorKind
    visibility: Visibility
    automatic: bool = Field(
        default=False,
        description="Sent by the system (acknowledgement, knowledge answer, escalation notice): "
        "never a first response.",
    )
    text: str | None = Field(description="None for roles that may not read conversation text.")
    at: datetime
    origin_ticket_id: str | None = Field(
        default=None, description="The ticket the message was first written on (merge, split)."
    )
    attachments: list[AttachmentRef] = Field(default_factory=list)


class Sender(Strict):
    email: Annotated[Line, Field(max_length=254)] | None = None
    phone: Annotated[Line, Field(max_length=32)] | None = None
    wechat_openid: Annotated[Line, Field(max_length=128)] | None = None
    wecom_userid: Annotated[Line, Field(max_length=128)] | None = None
    device_id: Annotated[Line, Field(max_length=128)] | None = None
    name: Annotated[Line, Field(max_length=200)] | None = None


class InboundAttachment(Strict):
    key: Annotated[Line, Field(min_length=1, max_length=1024)]
    name: Annotated[Line, Field(max_length=255)] = ""
    content_type: Annotated[Line, Field(max_length=255)] = "application/octet-stream"
    size: Annotated[int, Field(ge=0), WholeNumber] = 0


class InboundMessage(Strict):
    """A customer's message from any channel, normalised by the channel adapters."""

    channel: Channel
    sender: Sender = Field(default_factory=Sender)
    customer_id: ItemId | None = Field(
        default=None, description="Set when the channel already knows it (a device's owner)."
    )
    subject: Annotated[Line, Field(max_length=300)] = ""
    body: Body = ""
    external_id: Annotated[Line, Field(min_length=1, max_length=998)] = Field(
        description="The channel's message id (Message-ID, MsgId): the dedup key."
    )
    thread_refs: list[Annotated[Line, Field(max_length=998)]] = Field(
        default_factory=list, max_length=100
    )
    type_hint: str | None = None
    fault_code: Annotated[Line, Field(max_length=64)] | None = None
    received_at: Moment
    attachments: list[InboundAttachment] = Field(default_factory=list, max_length=20)


class Received(Schema):
    """What `receive` did with an inbound message."""

    ticket_id: str
    created: bool = False
    reopened: bool = False
    linked_from: str | None = None
    duplicate: bool = False
    message_id: str | None = None
    customer_id: str | None = None


# --- API bodies -------------------------------------------------------------------------------


class TicketCreate(Strict):
    customer_id: ItemId
    subject: Subject
    description: Body = ""
    channel: Channel = Channel.AGENT
    type: TicketType = TicketType.QUESTION
    priority: Priority | None = Field(
        default=None, description="Chosen by the tenant's priority rules when left out."
    )
    priority_reason: Reason | None = None
    assignee_id: UserId | None = None
    queue: QueueName | None = None
    language: Language = Language.ZH


class TicketPatch(Strict):
    """JSON merge patch; changing the priority needs `priority_reason`. A ticket always has a
    subject and a language: they may be changed, not cleared."""

    subject: Annotated[Subject | Unset, Kept] = None
    type: TicketType | None = None
    priority: Priority | None = None
    priority_reason: Reason | None = None
    status: Status | None = None
    assignee_id: UserId | None = None
    queue: QueueName | None = None
    sla_policy: Annotated[Line, Field(min_length=1, max_length=64)] | None = None
    language: Annotated[Language | Unset, Kept] = None


class TicketPage(Schema):
    items: list[Ticket]
    next: str | None = None


class MessageCreate(Strict):
    text: Annotated[Text, Field(min_length=1, max_length=20000)]
    visibility: Visibility = Visibility.PUBLIC
    attachments: list[InboundAttachment] = Field(default_factory=list, max_length=20)


class MessagePage(Schema):
    items: list[TicketMessage]
    next: str | None = None


class SplitRequest(Strict):
    message_ids: list[ItemId] = Field(min_length=1, max_length=49)  # one transaction
    subject: Subject | None = None


class MergeRequest(Strict):
    into: ItemId = Field(description="The ticket that keeps every message.")


class MergeResult(Schema):
    target: Ticket
    source: Ticket
    moved: int


class AttachmentRequest(Strict):
    name: Annotated[Line, Field(min_length=1, max_length=255)]
    content_type: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z0-9!#$&^_.+-]{1,64}/[A-Za-z0-9!#$&^_.+-]{1,64}$")
    ]
    size: Annotated[int, Field(ge=1, le=25 * 1024 * 1024), WholeNumber] = Field(
        description="Bytes (at most 25 MiB)."
    )


class AttachmentUpload(Schema):
    key: str
    url: str
    method: str = "PUT"
    headers: dict[str, str]
    expires_in: int
    attachment: AttachmentRef


# --- the 360 section --------------------------------------------------------------------------


class TicketSection(Schema):
    """A ticket as the customer's 360 view lists it."""

    ticket_id: str
    subject: str | None
    status: Status
    priority: Priority
    type: str
    channel: Channel
    assignee_id: str | None = None
    queue: str | None = None
    created_at: datetime
    updated_at: datetime
