"""Stage moves through the API: one of two concurrent moves wins, refused moves name the rule
or field, the contract stage waits for an approval of the deal's figures as they are, won
freezes the base amount and a reopen needs a manager."""

from __future__ import annotations

from typing import Any

from .conftest import MANAGER, REP_A

READY = {
    "amount": 250000,
    "currency": "CNY",
    "expected_close": "2026-12-15",
    "products": [{"sku": "erp", "quantity": 1}],
    "stakeholders": [{"name": "Wang Fang", "role": "decision_maker"}],
}


def _move(api: Any, deal: dict[str, Any], to: str, version: int | None = None, **kw: Any) -> Any:
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    body = {"to": to, **({"reason": kw.pop("reason")} if "reason" in kw else {})}
    return api.post(
        f"/v1/opportunities/{deal['id']}/moves", body, headers=headers, **{"as_": REP_A, **kw}
    )


def _walk(api: Any, deal: dict[str, Any], *stages: str) -> dict[str, Any]:
    for stage in stages:
        response = _move(api, deal, stage)
        assert response.status_code == 200, response.json
        deal = response.json
    return deal


def test_given_two_moves_from_the_same_version_then_one_wins_and_the_other_gets_412(
    api: Any, new_deal: Any
) -> None:
    deal = new_deal()
    first = _move(api, deal, "qualified", version=1)
    second = _move(api, deal, "lost", version=1, reason="no budget")
    assert (first.status_code, second.status_code) == (200, 412)
    assert first.headers["ETag"] == '"2"'


def test_given_a_move_that_loses_the_race_after_reading_then_409(
    api: Any, new_deal: Any, monkeypatch: Any
) -> None:
    from chalicelib.sales import store

    deal = new_deal()
    read = store.get

    def read_then_lose(tenant: str, opportunity_id: str) -> Any:
        item = read(tenant, opportunity_id)
        other = read(tenant, opportunity_id)
        other.update([store.OpportunityItem.title.set("Renamed meanwhile")])
        return item

    monkeypatch.setattr(store, "get", read_then_lose)
    response = _move(api, deal, "qualified")
    assert response.status_code == 409


def test_given_a_skipped_stage_then_409_names_the_rule(api: Any, new_deal: Any) -> None:
    response = _move(api, new_deal(), "proposal")
    assert response.status_code == 409
    assert response.json["rule"] == "allowed_moves"


def test_given_a_missing_required_field_then_422_names_it(api: Any, new_deal: Any) -> None:
    deal = _walk(api, new_deal(), "qualified")
    response = _move(api, deal, "needs_confirmed")
    assert (response.status_code, response.json["field"]) == (422, "stakeholders")


def test_given_lost_without_a_reason_then_422_and_with_one_then_lost(
    api: Any, new_deal: Any
) -> None:
    deal = new_deal()
    assert _move(api, deal, "lost").json["field"] == "reason"
    lost = _move(api, deal, "lost", reason="Chose a rival")
    assert (lost.json["status"], lost.json["lost_reason"]) == ("lost", "Chose a rival")


def test_given_the_contract_gate_when_moving_before_approval_then_refused_and_requested_then_passes(
    api: Any, new_deal: Any
) -> None:
    deal = _walk(api, new_deal(**READY), "qualified", "needs_confirmed", "proposal", "negotiation")
    refused = _move(api, deal, "contract")
    assert (refused.status_code, refused.json["rule"]) == (409, "approval")
    approval_id = refused.json["approval_id"]
    decided = api.post(
        f"/v1/approvals/{approval_id}/decisions", {"decision": "approve"}, as_=("lee", "legal")
    )
    assert decided.status_code == 201, decided.json
    assert decided.json["status"] == "approved"
    moved = _move(api, deal, "contract")
    assert (moved.status_code, moved.json["stage"]) == (200, "contract")


def test_given_an_approval_when_the_amount_changes_then_the_gate_closes_again(
    api: Any, new_deal: Any
) -> None:
    deal = _walk(api, new_deal(**READY), "qualified", "needs_confirmed", "proposal", "negotiation")
    approval_id = _move(api, deal, "contract").json["approval_id"]
    api.post(
        f"/v1/approvals/{approval_id}/decisions", {"decision": "approve"}, as_=("lee", "legal")
    )
    edited = api.patch(f"/v1/opportunities/{deal['id']}", {"amount": 990000}, as_=REP_A)
    assert edited.status_code == 200, edited.json
    assert api.get(f"/v1/approvals/{approval_id}", as_=("lee", "legal")).json["status"] == "void"
    refused = _move(api, deal, "contract")
    assert (refused.status_code, refused.json["rule"]) == (409, "approval")
    assert refused.json["approval_id"] != approval_id  # the new figures need their own


def _won(api: Any, new_deal: Any, **fields: Any) -> dict[str, Any]:
    deal = _walk(
        api,
        new_deal(**{**READY, **fields}),
        "qualified",
        "needs_confirmed",
        "proposal",
        "negotiation",
    )
    approval_id = _move(api, deal, "contract").json["approval_id"]
    api.post(
        f"/v1/approvals/{approval_id}/decisions", {"decision": "approve"}, as_=("lee", "legal")
    )
    return _walk(api, deal, "contract", "won")


def test_given_a_usd_deal_when_won_then_its_base_amount_is_frozen_at_that_day_s_rate(
    api: Any, new_deal: Any
) -> None:
    rate = {"currency": "USD", "day": "2026-01-01", "rate": 7.1}
    assert api.put("/v1/sales/exchange-rates", rate).status_code == 200
    won = _won(api, new_deal, currency="USD", amount=1000)
    assert (won["status"], won["base_amount"], won["base_currency"]) == ("won", "7100.00", "CNY")
    api.put("/v1/sales/exchange-rates", {**rate, "day": "2026-02-01", "rate": 9})
    edited = api.patch(f"/v1/opportunities/{won['id']}", {"title": "ERP (signed)"}, as_=REP_A)
    assert edited.json["base_amount"] == "7100.00"


def test_given_no_rate_when_a_usd_deal_is_created_then_flagged_not_zero(
    api: Any, new_deal: Any
) -> None:
    deal = new_deal(amount=1000, currency="USD")
    assert (deal["base_amount"], deal["rate_missing"]) == (None, True)


def test_given_a_won_deal_when_the_rep_reopens_then_403_and_the_manager_may(
    api: Any, new_deal: Any
) -> None:
    won = _won(api, new_deal)
    assert _move(api, won, "negotiation", reason="Budget cut").status_code == 403
    reopened = _move(api, won, "negotiation", reason="Budget cut", as_=MANAGER, team="east")
    assert reopened.status_code == 200, reopened.json
    assert (reopened.json["status"], reopened.json["won_at"]) == ("open", None)


def test_given_a_deal_in_proposal_when_its_amount_is_cleared_then_422(
    api: Any, new_deal: Any
) -> None:
    deal = _walk(api, new_deal(**READY), "qualified", "needs_confirmed", "proposal")
    cleared = api.patch(f"/v1/opportunities/{deal['id']}", {"amount": None}, as_=REP_A)
    assert (cleared.status_code, cleared.json["field"]) == (422, "amount")


def test_given_a_deal_in_negotiation_when_its_rep_asks_for_the_contract_approval_then_legal_sees_it(
    api: Any, new_deal: Any
) -> None:
    deal = _walk(api, new_deal(**READY), "qualified", "needs_confirmed", "proposal", "negotiation")

    asked = api.post(f"/v1/opportunities/{deal['id']}/approvals", {"stage": "contract"}, as_=REP_A)

    assert asked.status_code == 201, asked.json
    assert asked.json["status"] == "pending"
    queue = api.get("/v1/approvals/queue", as_=("lee", "legal")).json["items"]
    assert asked.json["approval_id"] in [entry["approval_id"] for entry in queue]
    again = api.post(f"/v1/opportunities/{deal['id']}/approvals", {"stage": "contract"}, as_=REP_A)
    assert again.json["approval_id"] == asked.json["approval_id"]  # the same figures ask once


def test_given_another_reps_deal_when_asking_for_its_approval_then_404(
    api: Any, new_deal: Any
) -> None:
    deal = new_deal(**READY)

    asked = api.post(
        f"/v1/opportunities/{deal['id']}/approvals",
        {"stage": "contract"},
        as_=("rita", "sales_rep"),
        team="east",
    )

    assert asked.status_code == 404


def test_given_a_stage_without_a_gate_when_asking_for_its_approval_then_422_names_the_stage(
    api: Any, new_deal: Any
) -> None:
    deal = new_deal(**READY)

    asked = api.post(f"/v1/opportunities/{deal['id']}/approvals", {"stage": "proposal"}, as_=REP_A)

    assert (asked.status_code, asked.json["field"]) == (422, "stage")
