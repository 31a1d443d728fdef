"""The approvals area's reactions (pure): a new request is Approval Requested; a request that
ends is Approval Decided and the notice `approvals.decided` for its subject's area."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.approvals.reactions import approval_changed
from chalicelib.core.changes import Change

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PENDING: dict[str, Any] = {
    "pk": "T#acme#APPROVAL#a1",
    "sk": "#APPROVAL",
    "type": "Approval",
    "tenant_id": "acme",
    "approval_id": "a1",
    "subject_type": "contract",
    "subject_id": "k1",
    "requested_by": "rob",
    "title": "Contract for Lin Wei",
    "snapshot_hash": "abc",
    "status": "pending",
    "steps_json": json.dumps([{"index": 0, "kind": "role", "role": "legal", "status": "pending"}]),
}


def change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> Change:
    image = new or old or {}
    name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    keys = {"pk": image["pk"], "sk": image["sk"]}
    return Change("record-1", name, "1", keys, old, new, AT)


def test_given_a_new_request_then_approval_requested_names_its_first_approver() -> None:
    reaction = approval_changed(change(None, PENDING))
    (event,) = reaction.events
    assert event.DETAIL_TYPE == "Approval Requested"
    assert (event.approval_id, event.approvers) == ("a1", ["role:legal"])
    assert reaction.notices == []


@pytest.mark.parametrize("status", ["approved", "rejected", "withdrawn", "void"])
def test_given_a_request_that_ends_then_it_is_decided_and_the_subject_area_is_told(
    status: str,
) -> None:
    ended = {**PENDING, "status": status, "decided_by": "lena"}
    reaction = approval_changed(change(PENDING, ended))
    (event,) = reaction.events
    assert (event.DETAIL_TYPE, event.status) == ("Approval Decided", status)
    (notice,) = reaction.notices
    assert notice.topic == "approvals.decided"
    assert notice.subject_id == "k1"
    assert notice.new == {
        "tenant_id": "acme",
        "approval_id": "a1",
        "subject_type": "contract",
        "subject_id": "k1",
        "status": status,
        "decided_by": "lena",
        "snapshot_hash": "abc",
    }


def test_given_a_step_decided_while_others_wait_then_nothing_is_published() -> None:
    moved = {**PENDING, "version": 2}
    reaction = approval_changed(change(PENDING, moved))
    assert reaction.events == []
    assert reaction.notices == []


def test_given_a_request_approved_at_once_then_requested_and_decided_both_come() -> None:
    approved = {**PENDING, "status": "approved", "steps_json": "[]"}
    types = [e.DETAIL_TYPE for e in approval_changed(change(None, approved)).events]
    assert types == ["Approval Requested", "Approval Decided"]
