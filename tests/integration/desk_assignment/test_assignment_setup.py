"""Queues and assignment rules: admins keep them (If-Match), agents read them, a customer
contact and other roles may not change them."""

from __future__ import annotations

from typing import Any

from .conftest import ADMIN, AMY, FIN, as_

FAULTS = {"==": [{"var": "ticket.type"}, "fault"]}


def test_given_an_admin_when_creating_a_queue_then_agents_read_it_and_a_second_is_refused(
    api: Any,
) -> None:
    body = {"name": "care", "team_id": "support", "skills": ["complaint"]}
    created = api.post("/v1/desk/queues", body, as_=ADMIN)
    assert created.status_code == 201, created.json
    assert created.headers["Location"] == "/v1/desk/queues/care"
    read = api.get("/v1/desk/queues/care", **as_(AMY))
    assert (read.status_code, read.json["skills"], read.headers["ETag"]) == (
        200,
        ["complaint"],
        '"1"',
    )
    assert api.post("/v1/desk/queues", body, as_=ADMIN).status_code == 409
    assert [q["name"] for q in api.get("/v1/desk/queues", **as_(AMY)).json["items"]] == ["care"]


def test_given_a_stale_etag_when_changing_a_queue_then_412_and_the_fresh_one_wins(
    api: Any,
) -> None:
    api.post("/v1/desk/queues", {"name": "care"}, as_=ADMIN)
    first = api.patch(
        "/v1/desk/queues/care", {"skills": ["vip"]}, as_=ADMIN, headers={"If-Match": '"1"'}
    )
    assert (first.status_code, first.json["version"]) == (200, 2)
    stale = api.patch(
        "/v1/desk/queues/care", {"skills": []}, as_=ADMIN, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    gone = api.delete("/v1/desk/queues/care", as_=ADMIN, headers={"If-Match": '"2"'})
    assert gone.status_code == 204
    assert api.get("/v1/desk/queues/care", as_=ADMIN).status_code == 404


def test_given_an_unknown_supervisor_when_creating_a_queue_then_422_naming_it(api: Any) -> None:
    response = api.post("/v1/desk/queues", {"name": "care", "supervisor_id": "nobody"}, as_=ADMIN)
    assert (response.status_code, response.json["field"]) == (422, "supervisor_id")


def test_given_an_agent_or_a_contact_when_changing_queues_or_rules_then_403(api: Any) -> None:
    api.post("/v1/desk/queues", {"name": "care"}, as_=ADMIN)
    assert api.post("/v1/desk/queues", {"name": "mine"}, **as_(AMY)).status_code == 403
    assert api.patch("/v1/desk/queues/care", {"skills": []}, **as_(AMY)).status_code == 403
    assert api.delete("/v1/desk/queues/care", **as_(AMY)).status_code == 403
    rule = {"name": "faults", "condition": FAULTS, "queue": "technical"}
    assert api.post("/v1/desk/assignment-rules", rule, **as_(AMY)).status_code == 403
    contact = {"as_": ("kim", "customer_contact"), "customer": "C1"}
    assert api.get("/v1/desk/queues", **contact).status_code == 403
    assert api.get("/v1/desk/queues", as_=FIN).status_code == 403


def test_given_an_admin_when_creating_rules_then_listed_in_order_and_bad_conditions_refused(
    api: Any,
) -> None:
    rule = {
        "name": "faults",
        "order": 5,
        "condition": FAULTS,
        "queue": "technical",
        "skill": "fault",
    }
    created = api.post("/v1/desk/assignment-rules", rule, as_=ADMIN)
    assert created.status_code == 201, created.json
    assert (created.json["queue"], created.json["condition"]) == ("technical", FAULTS)
    bad = {"name": "typo", "condition": {"==": [{"var": "ticket.kind"}, "x"]}, "queue": "x"}
    refused = api.post("/v1/desk/assignment-rules", bad, as_=ADMIN)
    assert refused.status_code == 422
    assert refused.json["field"].startswith("condition")
    empty = api.post("/v1/desk/assignment-rules", {"name": "nothing"}, as_=ADMIN)
    assert empty.status_code == 422
    listed = api.get("/v1/desk/assignment-rules", **as_(AMY))
    assert [r["name"] for r in listed.json["items"]] == ["faults"]
    rule_id = created.json["id"]
    changed = api.patch(
        f"/v1/desk/assignment-rules/{rule_id}", {"level": "senior"}, as_=ADMIN,
        headers={"If-Match": '"1"'},
    )  # fmt: skip
    assert (changed.status_code, changed.json["level"]) == (200, "senior")
