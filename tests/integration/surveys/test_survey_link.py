"""A survey per resolved ticket, sent through the ticket's channel with a signed, expiring link,
answered once without login; a link that expired, was forged, names another ticket or another
tenant is refused; the answer reaches the events, the customer's 360 and the reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.settings import LOCAL_SURVEY_SECRET
from chalicelib.surveys import rules

from .conftest import ADMIN, World

NOW = datetime.now(UTC)


def _token(world: World, **changes: Any) -> str:
    """A link's token signed with the real key, naming what `changes` say."""
    claims = rules.verify(world.token(), LOCAL_SURVEY_SECRET, NOW)
    fields = {**claims.__dict__, **changes}
    return rules.sign(rules.Claims(**fields), LOCAL_SURVEY_SECRET)


def test_given_a_resolved_ticket_then_one_survey_is_sent_through_its_channel(world: World) -> None:
    [sent] = world.sent

    assert sent.DETAIL_TYPE == "Survey Sent"
    assert (sent.ticket_id, sent.customer_id, sent.channel) == (
        world.ticket_id,
        world.customer_id,
        "email",
    )
    assert sent.link == f"http://127.0.0.1:8000/v1/surveys/{world.token()}"
    assert timedelta(days=13) < sent.expires_at - NOW < timedelta(days=14, hours=1)


def test_given_the_resolution_notice_again_then_no_second_survey_is_sent(world: World) -> None:
    from chalicelib.core import Notice
    from chalicelib.surveys.service import on_ticket_changed

    resolved = {
        "ticket_id": world.ticket_id,
        "customer_id": world.customer_id,
        "status": "resolved",
        "resolved_at": world.api.get(f"/v1/tickets/{world.ticket_id}").json["resolved_at"],
        "channel": "email",
    }
    notice = Notice(
        "desk.ticket_changed", "acme", world.ticket_id, {"status": "open"}, resolved, "k", NOW
    )

    survey_id = on_ticket_changed(notice, NOW)
    world.stream.run()

    assert survey_id == world.sent[0].survey_id
    assert len(world.sent) == 1


def test_given_the_link_without_login_then_it_shows_the_ticket_and_the_questions(
    world: World,
) -> None:
    response = world.api._client.http.get(f"/v1/surveys/{world.token()}")  # no Authorization

    assert response.status_code == 200, response.body
    assert b'"answered":false' in response.body
    assert b"Printer jam" in response.body
    assert b'"name":"csat"' in response.body


@pytest.mark.parametrize(
    ("case", "token", "status"),
    [
        ("expired", lambda w: _token(w, expires_at=NOW - timedelta(seconds=1)), 401),
        (
            "forged: another key",
            lambda w: rules.sign(rules.verify(w.token(), LOCAL_SURVEY_SECRET, NOW), "guess"),
            403,
        ),
        (
            "forged: altered",
            lambda w: w.token()[:-2] + ("AA" if not w.token().endswith("AA") else "BB"),
            403,
        ),
        ("not a token", lambda w: "hello", 403),
        ("used on another ticket", lambda w: _token(w, ticket_id="01OTHERTICKET"), 404),
        ("another tenant", lambda w: _token(w, tenant_id="globex"), 404),
        ("no such survey", lambda w: _token(w, survey_id="01NOSUCHSURVEY"), 404),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_given_a_bad_link_then_it_is_refused_and_nothing_is_answered(
    world: World, case: str, token: Any, status: int, method: str
) -> None:
    response = (
        world.survey(token(world)) if method == "GET" else world.answer(token(world), {"csat": 1})
    )

    assert response.status_code == status, (case, response.json)
    assert response.headers["Content-Type"] == "application/problem+json"
    assert world.survey(world.token()).json["answered"] is False


def test_given_an_answer_out_of_scale_then_422_naming_the_field(world: World) -> None:
    response = world.answer(world.token(), {"csat": 6, "nps": 11})

    assert response.status_code == 422
    assert {e["field"] for e in response.json["errors"]} >= {"csat"}


@pytest.fixture(scope="module")
def answered(world: World) -> dict[str, Any]:
    """The customer answers (with an Idempotency-Key); the stream carries the answer on."""
    body = {"csat": 4, "nps": 9, "comment": "Quick fix, thanks 谢谢"}
    first = world.answer(world.token(), body, headers={"Idempotency-Key": "answer-1"})
    events = world.stream.run()
    return {"first": first, "events": events, "body": body}


def test_given_an_answer_then_201_with_what_was_recorded(answered: dict[str, Any]) -> None:
    first = answered["first"]

    assert first.status_code == 201, first.json
    assert (first.json["csat"], first.json["nps"]) == (4, 9)


def test_given_the_same_answer_retried_with_its_key_then_the_first_answer_comes_back(
    world: World, answered: dict[str, Any]
) -> None:
    again = world.answer(world.token(), answered["body"], headers={"Idempotency-Key": "answer-1"})

    assert again.status_code == 201
    assert again.json == answered["first"].json


def test_given_a_second_answer_then_409_and_the_first_stands(
    world: World, answered: dict[str, Any]
) -> None:
    second = world.answer(world.token(), {"csat": 1, "nps": 0})

    assert second.status_code == 409, second.json
    assert world.survey(world.token()).json["answered"] is True


def test_given_an_answer_then_survey_answered_is_published_without_the_comment(
    answered: dict[str, Any],
) -> None:
    [event] = [e for e in answered["events"] if e.DETAIL_TYPE == "Survey Answered"]

    assert (event.csat, event.nps, event.nps_class, event.has_comment) == (4, 9, "promoter", True)
    assert "Quick fix" not in event.model_dump_json()


@pytest.mark.parametrize(
    ("who", "comment"),
    [
        (ADMIN, "Quick fix, thanks 谢谢"),
        (("rob", "sales_rep"), "Quick fix, thanks 谢谢"),
        (("fay", "finance"), None),
    ],
)
def test_given_an_answer_then_the_customers_360_shows_it_and_hides_the_comment_from_finance(
    world: World, answered: dict[str, Any], who: tuple[str, str], comment: str | None
) -> None:
    response = world.api.get(f"/v1/customers/{world.customer_id}/360", as_=who, team="east")

    assert response.status_code == 200, response.json
    [section] = response.json["surveys"]
    assert (section["latest_csat"], section["latest_nps"], section["answers"]) == (4, 9, 1)
    assert section["csat_average"] == "4.00"
    assert section["latest_comment"] == comment


def test_given_an_answer_then_the_service_reports_count_it(
    world: World, answered: dict[str, Any]
) -> None:
    response = world.api.get("/v1/reports/service/satisfaction", as_=ADMIN)

    assert response.status_code == 200, response.json
    total = response.json["total"]
    assert (total["responses"], total["csat_average"], total["promoters"]) == (1, "4.00", 1)


def test_given_a_ticket_opened_and_resolved_in_one_stream_batch_then_its_sla_is_counted(
    world: World,
) -> None:
    today = datetime.now(UTC).date()
    days = f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"

    response = world.api.get(f"/v1/reports/service?{days}", as_=ADMIN)

    assert response.status_code == 200, response.json
    total = response.json["total"]
    assert (total["resolved"], total["sla_resolution"]["met"]) == (1, 1)


def test_given_the_ticket_resolved_again_after_reopening_then_a_second_survey(world: World) -> None:
    api = world.api
    assert (
        api.patch(f"/v1/tickets/{world.ticket_id}", {"status": "reopened"}, as_=ADMIN).status_code
        == 200
    )
    assert (
        api.patch(f"/v1/tickets/{world.ticket_id}", {"status": "resolved"}, as_=ADMIN).status_code
        == 200
    )

    world.stream.run()

    assert len(world.sent) == 2
    assert world.sent[1].survey_id != world.sent[0].survey_id
    assert world.survey(world.token(1)).json["answered"] is False
