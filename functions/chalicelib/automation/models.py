"""Request and response bodies of the automation area (pydantic v2, unknown fields forbidden)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from ..core import DynamoNumber, Line, Schema, Strict, Text, WholeNumber
from ..tagging.models import TagName

Path = Annotated[Line, Field(min_length=1, max_length=100)]
# A value a rule compares with or writes to a customer's field: what the table can hold.
Scalar = bool | DynamoNumber | Annotated[Line, Field(max_length=2000)]
Title = Annotated[Line, Field(min_length=1, max_length=200)]
RuleName = Annotated[Line, Field(min_length=1, max_length=100)]
UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")]


class ChangeKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"


class ChangeTrigger(Strict):
    """Fires when a customer is created/updated; with `field`, only when that field changes
    (and, with `to`, changes to that value)."""

    type: Literal["change"]
    on: list[ChangeKind] = Field(
        default_factory=lambda: [ChangeKind.CREATED, ChangeKind.UPDATED], min_length=1
    )
    field: Path | None = None
    to: Scalar | None = None


class TimeTrigger(Strict):
    """Fires `after_days` after the date in `since`, unless `since` moves first (e.g. a new
    follow-up); the condition is checked again when the timer fires."""

    type: Literal["time"]
    after_days: Annotated[float, Field(gt=0, le=3650)]
    since: Path = Field(description="A date field, e.g. aggregates.last_followup_at.")


Trigger = Annotated[ChangeTrigger | TimeTrigger, Field(discriminator="type")]


class Assignee(StrEnum):
    OWNER = "owner"
    OWNER_MANAGER = "owner_manager"


class CreateTask(Strict):
    type: Literal["create_task"]
    title: Title
    assignee: Assignee = Assignee.OWNER
    due_in_days: Annotated[int, Field(ge=0, le=365), WholeNumber] = 1


class AddTag(Strict):
    type: Literal["add_tag"]
    tag: TagName


class RemoveTag(Strict):
    type: Literal["remove_tag"]
    tag: TagName


class ChangeField(Strict):
    type: Literal["change_field"]
    field: Path = Field(description="lifecycle_stage, tier or custom_fields.<key>.")
    value: Scalar


class Notify(Strict):
    type: Literal["notify"]
    message: Annotated[Text, Field(min_length=1, max_length=500)]
    recipients: list[Assignee] = Field(default_factory=lambda: [Assignee.OWNER], min_length=1)


Action = Annotated[
    CreateTask | AddTag | RemoveTag | ChangeField | Notify, Field(discriminator="type")
]


class AutomationRuleCreate(Strict):
    name: RuleName
    enabled: bool = True
    trigger: Trigger
    condition: Any = Field(default=True, description="Rule-language expression; default true.")
    actions: list[Action] = Field(min_length=1, max_length=10)


class AutomationRulePatch(Strict):
    name: RuleName | None = None
    enabled: bool | None = None
    trigger: Trigger | None = None
    condition: Any = None
    actions: list[Action] | None = Field(default=None, min_length=1, max_length=10)


class AutomationRule(Schema):
    id: str
    name: str
    enabled: bool
    trigger: Trigger
    condition: Any
    actions: list[Action]
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int
    backfill_job_id: str | None = Field(
        default=None,
        description="For time rules: the job arming (or stopping) the timers of the customers "
        "the rule already matches (GET /v1/jobs/{job_id}).",
    )


class AutomationRulePage(Schema):
    items: list[AutomationRule]
    next: str | None = None


class Task(Schema):
    id: str
    customer_id: str
    title: str
    assignee_id: str
    status: str
    due_at: datetime
    rule_id: str | None = None
    kind: str | None = Field(default=None, description="What asked for it, when not a rule.")
    link: str | None = Field(default=None, description="The record it is about (an API path).")
    created_at: datetime
    note: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskUpdate(Strict):
    status: TaskStatus
    note: Annotated[Text, Field(max_length=2000)] | None = None


class TaskPage(Schema):
    items: list[Task]
    next: str | None = None


class TeamManager(Strict):
    manager_id: UserId
