"""Domain events of the surveys area (source `crm.surveys`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ..core import EventDetail


class SurveySent(EventDetail):
    """A survey to send to the customer through the ticket's channel (a notifier consumes it)."""

    DETAIL_TYPE = "Survey Sent"

    survey_id: str
    ticket_id: str
    customer_id: str
    channel: str = Field(description="The ticket's channel: the notifier sends through it.")
    language: str
    subject: str | None = None
    link: str = Field(description="The signed link that answers the survey, no login needed.")
    expires_at: datetime


class SurveyAnswered(EventDetail):
    DETAIL_TYPE = "Survey Answered"

    survey_id: str
    ticket_id: str
    customer_id: str
    csat: int = Field(description="1 to 5.")
    nps: int | None = Field(default=None, description="0 to 10.")
    nps_class: str | None = Field(default=None, description="promoter, passive or detractor.")
    has_comment: bool = Field(
        description="The comment itself stays in the CRM (conversation text)."
    )
    assignee_id: str | None = None
    queue: str | None = None
    priority: str | None = None
    answered_at: datetime
