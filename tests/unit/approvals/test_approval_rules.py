"""The approvals area's pure decisions, table by table: which route a subject gets, what a
snapshot hashes to, who may decide or read a step, what a decision does to the steps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.approvals import rules
from chalicelib.approvals.models import Step
from chalicelib.rulelang import compile_rule

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEGAL = Step.model_validate({"kind": "role", "role": "legal"})
FINANCE = Step.model_validate({"kind": "role", "role": "finance"})
MANAGEMENT = Step.model_validate({"kind": "management"})


def names(steps: list[Step]) -> list[str]:
    return [s.role.value if s.role else s.user_id or s.kind.value for s in steps]


@pytest.mark.parametrize(
    ("subject_type", "facts", "expected"),
    [
        ("contract", {"amount": 50_000}, ["legal"]),
        ("contract", {"amount": 100_000}, ["legal"]),  # "over" 100,000
        ("contract", {"amount": Decimal("100000.01")}, ["legal", "finance"]),
        ("contract", {"amount": 500_000}, ["legal", "finance"]),
        ("contract", {"amount": 500_001}, ["legal", "finance", "management"]),
        ("contract", {}, ["legal"]),  # no amount: the thresholds do not hold
        ("contract", {"amount": "a lot"}, ["legal"]),  # a mistyped fact is false, never raises
        ("opportunity_stage", {"amount": 9_000_000}, ["legal"]),
        ("invoice", {"amount": 9_000_000}, ["admin"]),  # no rule at all: the admins decide
    ],
)
def test_given_the_shipped_defaults_when_choosing_a_route_then_amount_and_type_decide(
    subject_type: str, facts: dict[str, Any], expected: list[str]
) -> None:
    assert names(rules.choose_route([], subject_type, facts, NOW)) == expected


def rule(name: str, condition: Any, steps: list[Step], position: int, subject: str = "contract"):
    return rules.RouteRule(
        rule_id=name,
        name=name,
        subject_type=subject,
        condition=compile_rule(condition, rules.FACTS),
        steps=tuple(steps),
        position=position,
    )


TENANT_RULES = [
    rule("management first", {">": [{"var": "amount"}, 1_000_000]}, [MANAGEMENT], 5),
    rule("ndas need legal", {"==": [{"var": "contract_type"}, "nda"]}, [LEGAL], 10),
    rule("sales need finance", {"==": [{"var": "contract_type"}, "sales"]}, [FINANCE], 20),
    rule("sales need legal too", {"==": [{"var": "contract_type"}, "sales"]}, [LEGAL], 30),
    rule("big sales", {">": [{"var": "amount"}, 200_000]}, [FINANCE, LEGAL], 40),
]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"contract_type": "nda", "amount": 0}, ["legal"]),
        ({"contract_type": "sales", "amount": 10}, ["finance", "legal"]),
        ({"contract_type": "sales", "amount": 300_000}, ["finance", "legal"]),  # kept once
        ({"contract_type": "nda", "amount": 300_000}, ["legal", "finance"]),
        ({"contract_type": "nda", "amount": 2_000_000}, ["management", "legal", "finance"]),
        ({"contract_type": "lease", "amount": 1}, []),  # the tenant's rules replace defaults
    ],
)
def test_given_tenant_rules_when_choosing_a_route_then_positions_order_the_steps(
    facts: dict[str, Any], expected: list[str]
) -> None:
    assert names(rules.choose_route(TENANT_RULES, "contract", facts, NOW)) == expected


def test_given_tenant_rules_for_contracts_only_then_stage_gates_keep_the_defaults() -> None:
    assert names(rules.choose_route(TENANT_RULES, "opportunity_stage", {}, NOW)) == ["legal"]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
        ({"amount": 1.5}, {"amount": Decimal("1.50")}),
        ({"amount": 100000}, {"amount": Decimal("1E+5")}),
        ({"at": datetime(2026, 1, 1, 8, tzinfo=UTC)}, {"at": datetime(2026, 1, 1, 8, tzinfo=UTC)}),
        ({"lines": [{"sku": "x", "qty": 2}]}, {"lines": [{"qty": Decimal(2), "sku": "x"}]}),
        ({"tags": {"b", "a"}}, {"tags": ["a", "b"]}),
    ],
)
def test_given_equal_snapshots_in_other_forms_when_hashing_then_the_hashes_agree(
    left: dict[str, Any], right: dict[str, Any]
) -> None:
    assert rules.snapshot_hash(left) == rules.snapshot_hash(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ({"amount": 100}, {"amount": 101}),
        ({"amount": 100}, {"amount": "100"}),
        ({"lines": [1, 2]}, {"lines": [2, 1]}),
        ({"terms": None}, {}),
        ({"flag": True}, {"flag": 1}),
    ],
)
def test_given_different_snapshots_when_hashing_then_the_hashes_differ(
    left: dict[str, Any], right: dict[str, Any]
) -> None:
    assert rules.snapshot_hash(left) != rules.snapshot_hash(right)


def test_given_a_snapshot_then_its_canonical_form_is_sorted_compact_json() -> None:
    text = rules.canonical_json({"b": [1, Decimal("2.50")], "a": "甲"})
    assert text == '{"a":"甲","b":[1,2.5]}'
    assert len(rules.snapshot_hash({})) == 64


def test_given_a_value_json_cannot_hold_when_hashing_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        rules.snapshot_hash({"x": float("nan")})
    with pytest.raises(ValueError, match="cannot hold"):
        rules.snapshot_hash({"x": object()})


USER_STEP = {"index": 0, "kind": "user", "user_id": "vic", "status": "pending"}
ROLE_STEP = {"index": 0, "kind": "role", "role": "legal", "status": "pending"}
ESCALATED = {**USER_STEP, "escalated_to": "max"}
AWAY_LEGAL = rules.Standing("lena", frozenset({"legal"}))
AWAY_VIC = rules.Standing("vic", frozenset())


@pytest.mark.parametrize(
    ("step", "user", "roles", "standing", "expected"),
    [
        (USER_STEP, "vic", set(), [], (True, None)),
        (USER_STEP, "rob", {"legal"}, [], (False, None)),
        (USER_STEP, "dave", set(), [AWAY_VIC], (True, "vic")),
        (ROLE_STEP, "lena", {"legal"}, [], (True, None)),
        (ROLE_STEP, "fay", {"finance"}, [], (False, None)),
        (ROLE_STEP, "dave", set(), [AWAY_LEGAL], (True, "lena")),
        (ROLE_STEP, "dave", {"legal"}, [AWAY_LEGAL], (True, None)),  # own standing first
        (ESCALATED, "max", set(), [], (True, None)),
        (ESCALATED, "vic", set(), [], (True, None)),  # the approver still may
        ({**ROLE_STEP, "escalated_role": "admin"}, "ada", {"admin"}, [], (True, None)),
        (ROLE_STEP, "ada", {"admin"}, [], (False, None)),  # admins are not every approver
    ],
)
def test_given_a_step_when_asking_who_may_decide_then_approvers_and_delegates_may(
    step: dict[str, Any],
    user: str,
    roles: set[str],
    standing: list[rules.Standing],
    expected: tuple[bool, str | None],
) -> None:
    assert rules.deciding_as(step, user, roles, standing) == expected


@pytest.mark.parametrize(
    ("user", "on_behalf_of", "expected"),
    [
        ("rob", None, True),  # requester
        ("olga", None, True),  # the subject's owner
        ("lena", "rob", True),  # standing in for the requester
        ("lena", None, False),
        ("lena", "vic", False),
    ],
)
def test_given_a_request_when_its_own_people_decide_then_it_is_their_own(
    user: str, on_behalf_of: str | None, expected: bool
) -> None:
    approval = {"requested_by": "rob", "subject_owner_id": "olga"}
    assert rules.own_request(approval, user, on_behalf_of) is expected


THREE = rules.initial_steps([LEGAL, FINANCE, MANAGEMENT], NOW)


def test_given_a_new_route_then_the_first_step_is_pending_and_the_rest_wait() -> None:
    assert [s["status"] for s in THREE] == ["pending", "waiting", "waiting"]


def test_given_an_approved_middle_step_then_the_next_one_is_pending() -> None:
    steps, status, following = rules.apply_decision(
        THREE, 0, approve=True, by="lena", on_behalf_of=None, comment=None, at=NOW
    )
    assert (status, following) == ("pending", 1)
    assert [s["status"] for s in steps] == ["approved", "pending", "waiting"]
    assert steps[0]["decided_by"] == "lena"
    assert steps[1]["started_at"] == NOW.isoformat()


def test_given_the_last_step_approved_then_the_approval_is_approved() -> None:
    steps, status, following = rules.apply_decision(
        THREE[:1], 0, approve=True, by="lena", on_behalf_of="x", comment="ok", at=NOW
    )
    assert (status, following) == ("approved", None)
    assert steps[0]["on_behalf_of"] == "x"
    assert steps[0]["comment"] == "ok"


def test_given_a_rejection_then_the_approval_is_rejected_and_later_steps_close() -> None:
    steps, status, following = rules.apply_decision(
        THREE, 0, approve=False, by="lena", on_behalf_of=None, comment="no", at=NOW
    )
    assert (status, following) == ("rejected", None)
    assert [s["status"] for s in steps] == ["rejected", "closed", "closed"]


APPROVAL = {"requested_by": "rob", "steps": [ROLE_STEP, {**USER_STEP, "status": "waiting"}]}


@pytest.mark.parametrize(
    ("user", "roles", "standing", "reads_subject", "expected"),
    [
        ("rob", {"sales_rep"}, [], False, True),  # requester
        ("ada", {"admin"}, [], False, True),
        ("sam", {"sales_manager"}, [], True, True),  # reads the subject
        ("lena", {"legal"}, [], False, True),  # approver of a step
        ("vic", set(), [], False, True),  # approver of a later step
        ("dave", {"sales_rep"}, [AWAY_LEGAL], False, True),  # a delegate
        ("bob", {"sales_rep"}, [], False, False),
        ("fay", {"finance"}, [], False, False),
    ],
)
def test_given_an_approval_when_asking_who_may_read_then_only_its_people_may(
    user: str,
    roles: set[str],
    standing: list[rules.Standing],
    reads_subject: bool,
    expected: bool,
) -> None:
    assert rules.may_read(APPROVAL, user, roles, standing, reads_subject) is expected


@pytest.mark.parametrize(
    ("step", "manager", "expected"),
    [
        (USER_STEP, "max", ("USER", "max")),
        (USER_STEP, None, ("ROLE", "admin")),
        (ROLE_STEP, "max", ("ROLE", "admin")),
    ],
)
def test_given_a_step_waiting_too_long_then_it_escalates_to_the_managers(
    step: dict[str, Any], manager: str | None, expected: tuple[str, str]
) -> None:
    assert rules.escalation_of(step, manager) == expected


def test_given_any_ids_then_timer_names_fit_step_functions() -> None:
    name = rules.timer_name("t" * 64, "01JEXAMPLE0000000000000000", 12, "escalate")
    assert len(name) <= 80
    assert name.replace("-", "").isalnum()


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC), True),
        (datetime(2026, 12, 2, tzinfo=UTC), datetime(2026, 12, 3, tzinfo=UTC), False),
        (datetime(2026, 11, 1, tzinfo=UTC), NOW, False),
        (None, None, False),
    ],
)
def test_given_a_delegation_then_it_holds_only_between_its_moments(
    start: datetime | None, end: datetime | None, expected: bool
) -> None:
    assert rules.is_standing_in(start, end, NOW) is expected
