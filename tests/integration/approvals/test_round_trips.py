"""DynamoDB round trips of the approval routes, counted at pynamodb's connection."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from chalicelib.approvals import service


@pytest.fixture
def approval(api: Any, managers: Any, step_functions: Any) -> Any:
    return service.request(
        "acme",
        subject_type="contract",
        subject_id="k1",
        subject_owner_id="rob",
        subject_team_id="east",
        requested_by="rob",
        snapshot={"amount": 200_000},
        facts={"amount": 200_000},
        title="Contract",
    )


def test_given_the_requester_when_reading_then_one_get_item(
    api: Any, approval: Any, dynamodb_calls: Any
) -> None:
    with dynamodb_calls() as calls:
        assert api.get(f"/v1/approvals/{approval.id}", as_=("rob", "sales_rep")).status_code == 200
    assert calls == Counter({"GetItem": 1})


def test_given_a_legal_approver_when_reading_their_queue_then_one_query_per_queue(
    api: Any, approval: Any, dynamodb_calls: Any
) -> None:
    with dynamodb_calls() as calls:
        items = api.get("/v1/approvals/queue", as_=("lena", "legal")).json["items"]
    assert [i["approval_id"] for i in items] == [approval.id]
    # their own, legal's, escalations to them, and whom they stand in for: all at once
    assert calls == Counter({"Query": 4})


def test_given_an_approver_when_deciding_then_one_read_and_one_conditional_write(
    api: Any, approval: Any, dynamodb_calls: Any
) -> None:
    with dynamodb_calls() as calls:
        response = api.post(f"/v1/approvals/{approval.id}/decisions", {"decision": "approve"},
                            as_=("lena", "legal"))  # fmt: skip
    assert response.status_code == 201
    assert calls == Counter({"GetItem": 1, "PutItem": 1})
