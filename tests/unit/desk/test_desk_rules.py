"""The desk's pure decisions, as tables: the status machine, priorities from rules, who reads
and changes a ticket, what a customer's message does, saved reply variables, auto-close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import Principal, Role
from chalicelib.desk import rules

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "after", "allowed"),
    [
        ("new", "open", True),
        ("new", "resolved", True),
        ("open", "pending_customer", True),
        ("pending_customer", "open", True),
        ("on_hold", "resolved", True),
        ("resolved", "reopened", True),
        ("resolved", "closed", True),
        ("resolved", "open", False),
        ("reopened", "resolved", True),
        ("closed", "open", False),
        ("closed", "reopened", False),
        ("open", "new", False),
        ("open", "reopened", False),
        ("open", "open", True),
    ],
)
def test_given_a_status_when_moved_then_the_table_decides(
    before: str, after: str, allowed: bool
) -> None:
    assert rules.can_move(before, after) is allowed


@pytest.mark.parametrize(
    ("before", "after", "stamped"),
    [
        ("open", "resolved", {"resolved_at": NOW}),
        ("resolved", "closed", {"closed_at": NOW}),
        ("resolved", "reopened", {"reopened_at": NOW, "resolved_at": None}),
        ("open", "on_hold", {}),
        ("resolved", "resolved", {}),
    ],
)
def test_given_a_status_change_then_its_moments_are_stamped(
    before: str, after: str, stamped: dict[str, Any]
) -> None:
    assert rules.stamps_for(before, after, NOW) == stamped


@pytest.mark.parametrize(
    ("kind", "visibility", "automatic", "counts"),
    [
        ("agent", "public", False, True),
        ("agent", "internal", False, False),
        ("system", "public", True, False),
        ("agent", "public", True, False),
        ("customer", "public", False, False),
    ],
)
def test_given_a_message_then_only_an_agents_own_public_reply_is_a_first_response(
    kind: str, visibility: str, automatic: bool, counts: bool
) -> None:
    assert rules.counts_as_first_response(kind, visibility, automatic) is counts


@pytest.mark.parametrize(
    ("status", "resolved_days_ago", "window", "decision"),
    [
        ("open", None, 7, "append"),
        ("pending_customer", None, 7, "append"),
        ("resolved", 2, 7, "reopen"),
        ("resolved", 7, 7, "reopen"),
        ("resolved", 8, 7, "new_linked"),
        ("resolved", 0, 0, "reopen"),
        ("closed", None, 7, "new_linked"),
    ],
)
def test_given_a_customers_message_on_a_ticket_then_it_joins_reopens_or_opens_a_new_one(
    status: str, resolved_days_ago: int | None, window: int, decision: str
) -> None:
    resolved = None if resolved_days_ago is None else NOW - timedelta(days=resolved_days_ago)

    assert rules.inbound_decision(status, resolved, NOW, window) == decision


def _facts(
    text: str = "", *, type_: str = "question", channel: str = "email", tier: str = "standard"
) -> dict[str, Any]:
    return rules.priority_facts(
        {"subject": text, "description": "", "type": type_, "channel": channel},
        {"tier": tier},
    )


@pytest.mark.parametrize(
    ("facts", "priority"),
    [
        (_facts("How do I reset my password?"), "P3"),
        (_facts("网站故障，请处理"), "P1"),
        (_facts("Site is DOWN"), "P1"),
        (_facts("urgent: invoice"), "P1"),
        (_facts("服务器宕机", tier="gold"), "P0"),
        (_facts("outage in Shanghai", tier="black"), "P0"),
        (_facts("fan noise", type_="fault"), "P1"),
        (_facts("E42", channel="device"), "P1"),
        (_facts("rude driver", type_="complaint"), "P2"),
        (_facts("question about plans", tier="gold"), "P2"),
    ],
)
def test_given_the_shipped_rules_then_a_new_tickets_priority_is_chosen(
    facts: dict[str, Any], priority: str
) -> None:
    assert rules.choose_priority([], facts, NOW)[0] == priority


def test_given_tenant_rules_then_they_replace_the_defaults_and_the_most_urgent_match_wins() -> None:
    from chalicelib.rulelang import compile_rule

    vip = rules.PriorityRule(
        "VIP", "P1", compile_rule({"==": [{"var": "customer.tier"}, "silver"]}, rules.FACTS)
    )
    anything = rules.PriorityRule("Everything", "P2", compile_rule(True, rules.FACTS))

    assert rules.choose_priority([anything, vip], _facts("hi", tier="silver"), NOW) == ("P1", "VIP")
    assert rules.choose_priority([anything, vip], _facts("网站故障"), NOW) == ("P2", "Everything")


AGENT = Principal("acme", "ann", frozenset({Role.SERVICE_AGENT}), "east")
ADMIN = Principal("acme", "root", frozenset({Role.ADMIN}))
FINANCE = Principal("acme", "dave", frozenset({Role.FINANCE}))
LEGAL = Principal("acme", "lea", frozenset({Role.LEGAL}))
REP = Principal("acme", "rob", frozenset({Role.SALES_REP}))
CONTACT = Principal("acme", "kim", frozenset({Role.CUSTOMER_CONTACT}), customer_id="C1")


@pytest.mark.parametrize(
    ("principal", "ticket", "sees_customer", "reads"),
    [
        (AGENT, {"customer_id": "C2"}, False, True),
        (FINANCE, {"customer_id": "C2"}, False, True),
        (REP, {"customer_id": "C2"}, True, True),
        (REP, {"customer_id": "C2"}, False, False),
        (CONTACT, {"customer_id": "C1"}, False, True),
        (CONTACT, {"customer_id": "C2"}, False, False),
    ],
)
def test_who_reads_a_ticket(
    principal: Principal, ticket: dict[str, Any], sees_customer: bool, reads: bool
) -> None:
    assert rules.can_read_ticket(principal, ticket, sees_customer) is reads


@pytest.mark.parametrize(
    ("principal", "ticket", "works"),
    [
        (ADMIN, {"assignee_id": "x", "queue": "west"}, True),
        (AGENT, {"assignee_id": "ann", "queue": "west"}, True),
        (AGENT, {"assignee_id": None, "queue": "east"}, True),
        (AGENT, {"assignee_id": None, "queue": None}, True),
        (AGENT, {"assignee_id": "olga", "queue": "east"}, True),
        (AGENT, {"assignee_id": None, "queue": "west"}, False),
        (AGENT, {"assignee_id": "olga", "queue": None}, False),
        (FINANCE, {"assignee_id": None, "queue": None}, False),
        (CONTACT, {"assignee_id": None, "queue": None}, False),
        # a customer's dedicated adviser (a sales rep) works on the tickets assigned to them
        (REP, {"assignee_id": REP.user_id, "queue": "technical"}, True),
        (REP, {"assignee_id": "ann", "queue": "technical"}, False),
        (REP, {"assignee_id": None, "queue": None}, False),
    ],
)
def test_who_works_on_a_ticket(principal: Principal, ticket: dict[str, Any], works: bool) -> None:
    assert rules.can_work_on(principal, ticket) is works


@pytest.mark.parametrize(
    ("queue", "queue_team", "works"),
    [
        ("technical", "east", True),  # the tenant's queue technical belongs to the agent's team
        ("technical", "west", False),  # another team's queue
        ("technical", None, False),  # no such queue: its name is its team, not the agent's
        ("east", None, True),  # a queue named after the agent's team
        ("east", "west", False),  # a queue named east that belongs to team west
    ],
)
def test_given_a_queue_of_a_team_when_an_agent_works_on_its_ticket_then_the_team_decides(
    queue: str, queue_team: str | None, works: bool
) -> None:
    ticket = {"assignee_id": "olga", "queue": queue}

    assert rules.can_work_on(AGENT, ticket, queue_team) is works


@pytest.mark.parametrize(
    ("principal", "reads_text", "sees_internal"),
    [(AGENT, True, True), (ADMIN, True, True), (FINANCE, False, True), (LEGAL, False, True),
     (CONTACT, True, False)],
)  # fmt: skip
def test_who_reads_conversation_text_and_internal_notes(
    principal: Principal, reads_text: bool, sees_internal: bool
) -> None:
    assert rules.reads_text(principal) is reads_text
    assert rules.message_visible(principal, "internal") is sees_internal


@pytest.mark.parametrize(
    ("text", "rendered", "missing"),
    [
        ("您好 {{customer.name}}，工单 {{ticket.id}}", "您好 Lin，工单 T1", []),
        ("{{ agent.name }} here", "Ann here", []),
        ("Dear {{customer.title}}", "Dear ", ["customer.title"]),
        ("{{nope}} stays", "{{nope}} stays", []),
    ],
)
def test_given_a_saved_reply_then_its_variables_are_filled(
    text: str, rendered: str, missing: list[str]
) -> None:
    values = {"customer": {"name": "Lin"}, "ticket": {"id": "T1"}, "agent": {"name": "Ann"}}

    assert rules.render(text, values) == (rendered, missing)


@pytest.mark.parametrize(
    ("principal", "scope", "owner", "visible"),
    [
        (AGENT, "global", None, True),
        (AGENT, "team", "east", True),
        (AGENT, "team", "west", False),
        (AGENT, "personal", "ann", True),
        (AGENT, "personal", "olga", False),
    ],
)
def test_who_uses_a_saved_reply(
    principal: Principal, scope: str, owner: str | None, visible: bool
) -> None:
    assert rules.reply_visible(principal, scope, owner) is visible


def test_given_a_resolution_then_the_auto_close_timer_is_named_per_resolution() -> None:
    first = rules.auto_close_timer_name("acme", "T" * 26, "2026-12-01T09:00:00.000000+0000")
    second = rules.auto_close_timer_name("acme", "T" * 26, "2026-12-03T09:00:00.000000+0000")

    assert first != second
    assert len(first) <= 80
    assert rules.auto_close_deadline(NOW, 3) == NOW + timedelta(days=3)
    assert rules.should_auto_close("resolved", "a", "a")
    assert not rules.should_auto_close("reopened", "a", "a")
    assert not rules.should_auto_close("resolved", "b", "a")


def test_given_an_attachment_size_written_as_a_whole_float_then_it_is_that_integer() -> None:
    from chalicelib.desk.models import AttachmentRequest

    body = {"name": "a.txt", "content_type": "text/plain", "size": 2559.0}

    assert AttachmentRequest.model_validate(body).size == 2559
