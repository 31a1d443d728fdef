"""The surveys' reaction to a changed survey (pure): sent on insert, answered once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.core.changes import Change
from chalicelib.surveys.reactions import survey_changed

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SURVEY = {
    "pk": "T#acme#SURVEY#S1",
    "sk": "#SURVEY",
    "type": "Survey",
    "tenant_id": "acme",
    "survey_id": "S1",
    "ticket_id": "T1",
    "customer_id": "C1",
    "channel": "wechat",
    "language": "zh",
    "link": "https://api.example/api/v1/surveys/abc.def",
    "expires_at": "2026-12-15T12:00:00.000000+0000",
    "assignee_id": "ann",
    "queue": "tech",
    "priority": "P2",
}
ANSWERED = {
    **SURVEY,
    "answered_at": "2026-12-02T08:00:00.000000+0000",
    "csat": 2,
    "nps": 6,
    "comment": "slow",
}


def _change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> Change:
    name = "INSERT" if old is None else "MODIFY"
    return Change("e1", name, "1", {"pk": SURVEY["pk"], "sk": "#SURVEY"}, old, new, AT)


def test_given_a_new_survey_then_survey_sent_with_its_link_and_channel() -> None:
    [event] = survey_changed(_change(None, SURVEY)).events

    assert event.DETAIL_TYPE == "Survey Sent"
    assert (event.channel, event.link) == ("wechat", SURVEY["link"])


def test_given_an_answer_then_survey_answered_and_the_notice_for_reports() -> None:
    reaction = survey_changed(_change(SURVEY, ANSWERED))

    [event] = reaction.events
    [notice] = reaction.notices
    assert (event.csat, event.nps_class, event.has_comment) == (2, "detractor", True)
    assert "slow" not in event.model_dump_json()
    assert notice.topic == "surveys.answered"
    assert (notice.new["assignee_id"], notice.new["csat"], notice.key) == ("ann", 2, "S1/answered")


def test_given_any_later_change_then_nothing_is_raised_again() -> None:
    reaction = survey_changed(_change(ANSWERED, {**ANSWERED, "correlation_id": "x"}))

    assert (reaction.events, reaction.notices) == ([], [])
