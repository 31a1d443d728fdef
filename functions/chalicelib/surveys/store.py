"""DynamoDB access of the surveys area: the only module here that speaks pynamodb.

| pattern                                  | index | key condition                              |
|------------------------------------------|-------|--------------------------------------------|
| a survey, by the id its link names (get) | table | pk=T#t#SURVEY#<survey id>, sk=#SURVEY      |
| a customer's survey summary (360 view)   | table | pk=T#t#C#<customer>, sk=SURVEYS#SUMMARY    |

A survey is written once per resolution (its id is derived from the ticket and the resolution
time; the put is conditioned on absence; its insert publishes `Survey Sent`), answered once:
the answer and the customer's summary move in one transaction whose survey update is
conditioned on the survey not being answered yet, so a second answer changes nothing (409).
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from ..core import CrmItem, customer_pk

SURVEY_SK = "#SURVEY"
SUMMARY_SK = "SURVEYS#SUMMARY"
CONDITION_FAILED = "ConditionalCheckFailedException"


def survey_pk(tenant_id: str, survey_id: str) -> str:
    return f"T#{tenant_id}#SURVEY#{survey_id}"


class SurveyItem(CrmItem, discriminator="Survey"):
    survey_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    language = UnicodeAttribute(default="zh")
    subject = UnicodeAttribute(null=True)
    ticket_type = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(null=True)
    queue = UnicodeAttribute(null=True)
    assignee_id = UnicodeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    # The signed link the customer answers through: written with the survey, so that its
    # insert publishes it (`Survey Sent`, which carries it to the notifier anyway).
    link = UnicodeAttribute()
    answered_at = UTCDateTimeAttribute(null=True)
    csat = NumberAttribute(null=True)
    nps = NumberAttribute(null=True)
    comment = UnicodeAttribute(null=True)


class SurveySummaryItem(CrmItem, discriminator="SurveySummary"):
    """A customer's answers so far: counts and sums (averages are computed when read) and the
    latest answer."""

    customer_id = UnicodeAttribute()
    answers = NumberAttribute(default=0)
    csat_sum = NumberAttribute(default=0)
    nps_answers = NumberAttribute(default=0)
    nps_sum = NumberAttribute(default=0)
    latest_csat = NumberAttribute(null=True)
    latest_nps = NumberAttribute(null=True)
    latest_comment = UnicodeAttribute(null=True)
    latest_ticket_id = UnicodeAttribute(null=True)
    latest_survey_id = UnicodeAttribute(null=True)
    latest_answered_at = UTCDateTimeAttribute(null=True)


def create(item: SurveyItem) -> bool:
    """Write a survey once; False when it is there already (a retried notice)."""
    try:
        item.save(condition=SurveyItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def get(tenant_id: str, survey_id: str, *, consistent: bool = False) -> SurveyItem | None:
    try:
        return SurveyItem.get(
            survey_pk(tenant_id, survey_id), SURVEY_SK, consistent_read=consistent
        )
    except SurveyItem.DoesNotExist:
        return None


def answer(item: SurveyItem, csat: int, nps: int | None, comment: str | None, at: datetime) -> bool:
    """Record the answer and move the customer's summary, in one transaction; False when the
    survey was answered already."""
    survey_actions: list[Action] = [
        SurveyItem.answered_at.set(at),
        SurveyItem.csat.set(csat),
    ]
    summary_actions: list[Action] = [
        SurveySummaryItem.item_type.set(SurveySummaryItem),
        SurveySummaryItem.tenant_id.set(item.tenant_id),
        SurveySummaryItem.customer_id.set(item.customer_id),
        SurveySummaryItem.answers.add(1),
        SurveySummaryItem.csat_sum.add(csat),
        SurveySummaryItem.latest_csat.set(csat),
        SurveySummaryItem.latest_ticket_id.set(item.ticket_id),
        SurveySummaryItem.latest_survey_id.set(item.survey_id),
        SurveySummaryItem.latest_answered_at.set(at),
    ]
    if nps is None:
        summary_actions.append(SurveySummaryItem.latest_nps.remove())
    else:
        survey_actions.append(SurveyItem.nps.set(nps))
        summary_actions += [
            SurveySummaryItem.nps_answers.add(1),
            SurveySummaryItem.nps_sum.add(nps),
            SurveySummaryItem.latest_nps.set(nps),
        ]
    if comment:
        survey_actions.append(SurveyItem.comment.set(comment))
        summary_actions.append(SurveySummaryItem.latest_comment.set(comment))
    else:
        summary_actions.append(SurveySummaryItem.latest_comment.remove())
    summary = SurveySummaryItem(customer_pk(item.tenant_id, item.customer_id), SUMMARY_SK)
    try:
        with TransactWrite(connection=CrmItem._get_connection().connection) as tx:
            tx.update(
                item,
                survey_actions,
                condition=SurveyItem.pk.exists() & SurveyItem.answered_at.does_not_exist(),
            )
            tx.update(summary, summary_actions)
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
            return False
        raise
    return True
