"""Request and response models of the surveys area (pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from ..core import Schema, Strict, Text, WholeNumber

Comment = Annotated[Text, StringConstraints(max_length=2000)]


class SurveyQuestion(Schema):
    name: str = Field(description="csat, nps or comment.")
    text: str
    minimum: int | None = None
    maximum: int | None = None
    required: bool


class SurveyForm(Schema):
    """What the link shows: the ticket it is about and the questions; whether it is answered."""

    survey_id: str
    ticket_id: str
    subject: str | None = Field(default=None, description="The ticket's subject.")
    language: str
    questions: list[SurveyQuestion]
    expires_at: datetime
    answered: bool
    answered_at: datetime | None = None


class SurveyAnswer(Strict):
    csat: Annotated[int, Field(ge=1, le=5), WholeNumber] = Field(
        description="Satisfaction with the service, 1 (bad) to 5."
    )
    nps: Annotated[int, Field(ge=0, le=10), WholeNumber] | None = Field(
        default=None, description="How likely to recommend us, 0 to 10."
    )
    comment: Comment | None = None


class SurveyAnswered(Schema):
    survey_id: str
    ticket_id: str
    csat: int
    nps: int | None = None
    answered_at: datetime


class CustomerSurveys(Schema):
    """The customer 360's `surveys` section: the latest answer and the averages. The comment is
    conversation text: roles that never see it (finance, legal) get None."""

    answers: int
    csat_average: Decimal | None = None
    nps_answers: int = 0
    nps_average: Decimal | None = None
    latest_csat: int | None = None
    latest_nps: int | None = None
    latest_comment: str | None = None
    latest_ticket_id: str | None = None
    latest_answered_at: datetime | None = None


class TicketSurvey(Schema):
    """A ticket's latest survey as the desk's staff see it: its link (to send again when the
    customer lost it) and whether it was answered; no comment, no scores."""

    survey_id: str
    ticket_id: str
    link: str = Field(description="The signed link the customer answers through (no login).")
    sent_at: datetime
    expires_at: datetime
    answered: bool
    answered_at: datetime | None = None
