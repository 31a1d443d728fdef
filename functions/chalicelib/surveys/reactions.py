"""The surveys area's reaction to a changed survey (pure): a new survey is published as
`Survey Sent` (with its signed link, for the notifier to send through the ticket's channel);
its answer is published as
`Survey Answered` (the comment stays in the CRM) and raised as the notice `surveys.answered`
that the reports follow."""

from __future__ import annotations

from typing import Any

from ..core import Change, Notice, Reaction, parse_time
from . import events, rules

ANSWERED = "surveys.answered"


def _number(value: Any) -> int | None:
    return None if value is None else int(value)


def survey_changed(change: Change) -> Reaction:
    if change.event_name == "INSERT" and change.new is not None:
        return _sent(change, change.new)
    old, new = change.old or {}, change.new
    if new is None or not new.get("answered_at") or old.get("answered_at"):
        return Reaction()
    answered_at = parse_time(new["answered_at"])
    csat, nps = int(new["csat"]), _number(new.get("nps"))
    survey_id = str(new["survey_id"])
    facts = {
        "survey_id": survey_id,
        "ticket_id": str(new["ticket_id"]),
        "customer_id": str(new["customer_id"]),
        "assignee_id": new.get("assignee_id"),
        "queue": new.get("queue"),
        "priority": new.get("priority"),
    }
    detail = events.SurveyAnswered(
        **change.event_fields(events.SurveyAnswered.DETAIL_TYPE),
        **facts,
        csat=csat,
        nps=nps,
        nps_class=rules.nps_class(nps),
        has_comment=bool(new.get("comment")),
        answered_at=answered_at,
    )
    notice = Notice(
        topic=ANSWERED,
        tenant_id=change.tenant_id,
        subject_id=survey_id,
        old=None,
        new={
            **facts,
            "csat": csat,
            "nps": nps,
            "ticket_type": new.get("ticket_type"),
            "answered_at": answered_at.isoformat(),
        },
        key=f"{survey_id}/answered",
        at=answered_at,
    )
    return Reaction(events=[detail], notices=[notice])


def _sent(change: Change, new: dict[str, Any]) -> Reaction:
    detail = events.SurveySent(
        **change.event_fields(events.SurveySent.DETAIL_TYPE),
        survey_id=str(new["survey_id"]),
        ticket_id=str(new["ticket_id"]),
        customer_id=str(new["customer_id"]),
        channel=str(new["channel"]),
        language=str(new.get("language") or "zh"),
        subject=new.get("subject"),
        link=str(new["link"]),
        expires_at=parse_time(new["expires_at"]),
    )
    return Reaction(events=[detail])
