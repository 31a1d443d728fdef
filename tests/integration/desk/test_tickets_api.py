"""Tickets through the API: opened by agents with a priority from the tenant's rules, read and
listed by one index each, changed with If-Match by the status rules."""

from __future__ import annotations

from typing import Any

from .conftest import AGENT, OTHER_AGENT, REP_A, REP_B


def test_given_an_agent_when_a_ticket_is_opened_then_it_is_new_with_a_rule_priority(
    api: Any, customer: Any
) -> None:
    response = api.post(
        "/v1/tickets",
        {"customer_id": customer.customer_id, "subject": "服务器宕机", "type": "fault"},
        as_=AGENT,
        headers={"Idempotency-Key": "t-1"},
    )

    assert response.status_code == 201, response.json
    assert response.json["status"] == "new"
    assert response.json["priority"] == "P1"
    assert response.headers["ETag"] == '"1"'
    again = api.post(
        "/v1/tickets",
        {"customer_id": customer.customer_id, "subject": "服务器宕机", "type": "fault"},
        as_=AGENT,
        headers={"Idempotency-Key": "t-1"},
    )
    assert again.json["ticket_id"] == response.json["ticket_id"]


def test_given_a_ticket_when_its_owner_rep_and_another_rep_ask_then_only_the_owner_sees_it(
    api: Any, ticket: Any
) -> None:
    made = ticket()

    assert api.get(f"/v1/tickets/{made['ticket_id']}", as_=REP_A).status_code == 200
    assert api.get(f"/v1/tickets/{made['ticket_id']}", as_=REP_B).status_code == 404


def test_given_tickets_when_listed_by_each_filter_then_one_query_finds_them(
    api: Any, ticket: Any, customer: Any
) -> None:
    made = ticket(queue="east", assignee_id="ann")

    for query in (
        "status=new",
        "queue=east",
        "assignee=ann",
        f"customer={customer.customer_id}",
    ):
        page = api.get(f"/v1/tickets?{query}", as_=AGENT)
        assert page.status_code == 200, (query, page.json)
        assert [t["ticket_id"] for t in page.json["items"]] == [made["ticket_id"]], query


def test_given_a_ticket_when_patched_with_a_stale_version_then_412(api: Any, ticket: Any) -> None:
    made = ticket()
    path = f"/v1/tickets/{made['ticket_id']}"

    first = api.patch(path, {"status": "open"}, headers={"If-Match": '"1"'})
    second = api.patch(path, {"status": "on_hold"}, headers={"If-Match": '"1"'})

    assert first.status_code == 200, first.json
    assert second.status_code == 412


def test_given_a_patch_that_clears_the_subject_or_language_then_it_is_refused_not_500(
    api: Any, ticket: Any
) -> None:
    made = ticket()
    path = f"/v1/tickets/{made['ticket_id']}"

    no_language = api.patch(path, {"language": None})
    no_subject = api.patch(path, {"subject": None})

    assert no_language.status_code in (400, 422), no_language.json
    assert no_subject.status_code in (400, 422), no_subject.json
    assert api.get(path).json["language"] == made["language"]


def test_given_a_priority_change_without_a_reason_then_422(api: Any, ticket: Any) -> None:
    made = ticket()
    path = f"/v1/tickets/{made['ticket_id']}"

    refused = api.patch(path, {"priority": "P0"})
    accepted = api.patch(path, {"priority": "P0", "priority_reason": "CEO called"})

    assert refused.status_code == 422
    assert refused.json["field"] == "priority_reason"
    assert accepted.json["priority"] == "P0"


def test_given_a_new_ticket_when_moved_to_pending_after_closing_then_422(
    api: Any, ticket: Any
) -> None:
    made = ticket()
    path = f"/v1/tickets/{made['ticket_id']}"

    assert api.patch(path, {"status": "closed"}).status_code == 200
    assert api.patch(path, {"status": "open"}).status_code == 422


def test_given_a_ticket_of_another_queue_when_an_agent_changes_it_then_403(
    api: Any, ticket: Any
) -> None:
    made = ticket(queue="east")

    response = api.patch(
        f"/v1/tickets/{made['ticket_id']}", {"status": "open"}, as_=OTHER_AGENT, team="west"
    )

    assert response.status_code == 403


def test_given_a_ticket_then_a_get_and_a_list_page_are_one_query_each(
    api: Any, ticket: Any, dynamodb_calls: Any
) -> None:
    made = ticket(queue="east")

    with dynamodb_calls() as get_calls:
        api.get(f"/v1/tickets/{made['ticket_id']}", as_=AGENT)
    with dynamodb_calls() as list_calls:
        api.get("/v1/tickets?queue=east", as_=AGENT)

    assert get_calls == {"Query": 1}
    assert list_calls == {"Query": 1}
