"""Finance never reads conversation text: not in an interaction, not in the aggregates that
quote it, not in a ticket or its thread, on no read route at all (every GET the API declares,
and :match)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.approvals import service as approvals
from chalicelib.customers import children_store

SECRET = "报价 confidential price 8871"
DAVE = ("dave", "finance")


@pytest.fixture
def talked_to(api: Any, customer_maker: Any) -> dict[str, str]:
    """A customer whose conversation holds SECRET: an interaction and the recent texts."""
    customer = customer_maker(
        name="保密客户", aggregates={"recent_texts": [SECRET], "interaction_count": 1}
    )
    children_store.put_child(
        children_store.interaction_item(
            "acme",
            customer.customer_id,
            "01JINTERACTION0000000000000",
            datetime(2026, 11, 1, tzinfo=UTC),
            kind="call",
            channel="phone",
            direction="outbound",
            text=SECRET,
            logged_by="rob",
        )
    )
    rule = api.post(
        "/v1/tag-rules", {"name": "talked", "category": "behaviour", "condition": True}
    ).json
    automation = api.post(
        "/v1/automation-rules",
        {
            "name": "r",
            "trigger": {"type": "change"},
            "actions": [{"type": "notify", "message": "m"}],
        },
    ).json
    deal = api.post(
        "/v1/opportunities",
        {"customer_id": customer.customer_id, "title": "保密", "amount": 1000, "currency": "CNY"},
        headers={"Idempotency-Key": "deal-1"},
    ).json
    api.post(f"/v1/opportunities/{deal['id']}/follow-ups", {"note": SECRET})
    lead = api.post(
        "/v1/leads",
        {"name": "保密线索", "identities": [{"kind": "phone", "value": "+8613800138000"}]},
        headers={"Idempotency-Key": "lead-1"},
    ).json["lead"]
    api.post(f"/v1/leads/{lead['id']}/contacts", {"channel": "phone", "note": SECRET})
    approval = approvals.request(
        "acme",
        subject_type="contract",
        subject_id="CONTRACT-1",
        subject_owner_id="rob",
        requested_by="rob",
        snapshot={"title": "保密"},
        facts={"amount": 1000},
        title="保密",
    )
    ticket = api.post(
        "/v1/tickets",
        {"customer_id": customer.customer_id, "subject": SECRET, "description": SECRET},
    ).json
    api.post(f"/v1/tickets/{ticket['ticket_id']}/messages", {"text": SECRET})
    api.post(
        f"/v1/tickets/{ticket['ticket_id']}/messages", {"text": SECRET, "visibility": "internal"}
    )
    reply = api.post("/v1/saved-replies", {"name": "r", "text": "hi", "scope": "global"}).json
    return {
        "customer_id": customer.customer_id,
        "ticket_id": ticket["ticket_id"],
        "reply_id": reply["id"],
        "opportunity_id": deal["id"],
        "lead_id": lead["id"],
        "approval_id": approval.id,
        "contract_id": "CONTRACT-1",
        "user_id": "dave",
        "team_id": "east",
        "pipeline_id": "b2b",
        "job_id": rule["backfill_job_id"],
        "rule_id": rule["id"],
        "automation_rule_id": automation["id"],
        "owner": "rob",
        "channel": "email",
        "device_id": "PUR-1",
        "article_id": "no-such-article",
        "name": "general",
    }


def _read_routes() -> list[str]:
    import app  # noqa: F401 - registers every route
    from chalicelib.core.http import ROUTE_DOCS

    # Signed routes (channel webhooks, survey links) take no user token: nothing to walk as finance.
    return sorted(
        path for (path, method), doc in ROUTE_DOCS.items() if method == "GET" and not doc.signed
    )


def _fill(path: str, ids: dict[str, str]) -> list[str]:
    reports = {
        "/v1/reports/funnel": "/v1/reports/funnel?pipeline=b2b&period=2026-11",
        "/v1/reports/attainment": "/v1/reports/attainment?period=2026-11",
        "/v1/reports/daily/{team}/{day}": "/v1/reports/daily/east/2026-11-30",
        "/v1/sales/forecast": "/v1/sales/forecast?period=2026-11",
    }
    if path in reports:
        return [reports[path]]
    if path.startswith("/v1/value/classes/"):
        return [path.replace("{name}", "high_value")]
    if path.startswith("/v1/value/tiers/"):
        return [path.replace("{name}", "ordinary")]
    params = re.findall(r"{([^}]+)}", path)
    unknown = [p for p in params if p not in ids]
    assert not unknown, f"teach this test the parameter(s) {unknown} of {path}"
    filled = path
    for name in params:
        filled = filled.replace("{" + name + "}", ids[name])
    if "approval-rules/{rule_id}" in path:
        filled = path.replace("{rule_id}", "no-such-rule")
    if "ticket-priority-rules/{rule_id}" in path:
        filled = path.replace("{rule_id}", "no-such-rule")
    if "automation-rules/{rule_id}" in path:
        filled = path.replace("{rule_id}", ids["automation_rule_id"])
    if filled == "/v1/tickets":
        return [f"{filled}?customer={ids['customer_id']}", f"{filled}?status=new"]
    if filled == "/v1/desk/inbound-log":
        return [f"{filled}?day={datetime.now(UTC).date().isoformat()}"]
    if filled == "/v1/knowledge/search":
        return [f"{filled}?q=printer"]
    if filled == "/v1/desk/devices":
        return [f"{filled}?customer_id={ids['customer_id']}"]
    if filled == "/v1/customers":
        return [f"{filled}?owner={ids['owner']}", f"{filled}?tier=standard", f"{filled}?tag=talked"]
    return [filled]


def test_given_an_admin_then_the_secret_is_readable_so_the_walk_below_can_fail(
    api: Any, talked_to: dict[str, str]
) -> None:
    body = api.get(f"/v1/customers/{talked_to['customer_id']}/360").body.decode()

    assert SECRET in body


def test_given_finance_when_every_read_route_is_walked_then_no_conversation_text_appears(
    api: Any, talked_to: dict[str, str]
) -> None:
    walked = []
    for path in _read_routes():
        for url in _fill(path, talked_to):
            response = api.get(url, as_=DAVE)
            walked.append((url, response.status_code))
            assert response.status_code != 422, (url, response.json)
            assert SECRET not in response.body.decode(), url
    match = api.post("/v1/customers:match", {"name": "保密客户"}, as_=DAVE)
    assert match.json["candidates"], "the match must find the customer for the check to mean it"
    assert SECRET not in match.body.decode()
    assert {status for _, status in walked} <= {200, 403, 404}
    assert any(url.endswith("/360") and status == 200 for url, status in walked)
    deal = f"/v1/opportunities/{talked_to['opportunity_id']}"
    assert (deal, 200) in walked, "finance reads the deal whose follow-up quotes SECRET"
    thread = f"/v1/tickets/{talked_to['ticket_id']}/messages"
    assert (thread, 200) in walked, "finance reads the thread whose messages quote SECRET"
