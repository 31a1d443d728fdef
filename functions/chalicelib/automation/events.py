"""Domain events of the automation area (source `crm.automation`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ..core import EventDetail


class AutomationNotified(EventDetail):
    DETAIL_TYPE = "Automation Notified"

    rule_id: str
    rule_version: int | None = None
    customer_id: str | None = None
    recipients: list[str] = Field(default_factory=list, description="User ids to notify.")
    message: str


class TaskCreated(EventDetail):
    DETAIL_TYPE = "Task Created"

    task_id: str
    customer_id: str
    assignee_id: str
    title: str
    due_at: datetime
    kind: str | None = Field(default=None, description="What asked for it, if not a rule.")
    rule_id: str | None = None
    link: str | None = Field(default=None, description="The record it is about (an API path).")


class TaskCompleted(EventDetail):
    DETAIL_TYPE = "Task Completed"

    task_id: str
    customer_id: str
    assignee_id: str
    kind: str | None = None
    link: str | None = None
    completed_by: str | None = None
    completed_at: datetime | None = None
