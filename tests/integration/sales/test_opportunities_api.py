"""Opportunities through the API: create on a customer the caller may change, read as the
caller may, list by owner and stage; rep B never sees rep A's deal."""

from __future__ import annotations

from typing import Any

from .conftest import MANAGER, REP_A, REP_B


def test_given_rob_s_customer_when_rob_creates_a_deal_then_it_starts_in_lead_with_history(
    new_deal: Any,
) -> None:
    deal = new_deal(amount=120000, currency="CNY")
    assert (deal["stage"], deal["status"], deal["probability"]) == ("lead", "open", 10)
    assert (deal["owner_id"], deal["team_id"], deal["version"]) == ("rob", "east", 1)
    assert (deal["base_amount"], deal["base_currency"], deal["rate_missing"]) == (
        "120000.00",
        "CNY",
        False,
    )
    assert deal["stage_history"][0]["to"] == "lead"


def test_given_a_customer_rob_cannot_see_when_rita_creates_a_deal_then_404(
    api: Any, customer: Any
) -> None:
    body = {"customer_id": customer.customer_id, "title": "Poach"}
    response = api.post("/v1/opportunities", body, as_=REP_B, team="west")
    assert response.status_code == 404


def test_given_a_viewer_when_creating_a_deal_then_403(api: Any, customer: Any) -> None:
    body = {"customer_id": customer.customer_id, "title": "Look only"}
    response = api.post("/v1/opportunities", body, as_=("vera", "viewer"))
    assert response.status_code == 403


def test_given_rob_s_deal_when_rita_reads_or_moves_it_then_404(api: Any, new_deal: Any) -> None:
    deal = new_deal()
    path = f"/v1/opportunities/{deal['id']}"
    assert api.get(path, as_=REP_B, team="east").status_code == 404
    moved = api.post(f"{path}/moves", {"to": "qualified"}, as_=REP_B, team="east")
    assert moved.status_code == 404


def test_given_rob_s_deal_when_his_manager_reads_and_moves_it_then_both_succeed(
    api: Any, new_deal: Any
) -> None:
    deal = new_deal()
    path = f"/v1/opportunities/{deal['id']}"
    assert api.get(path, as_=MANAGER, team="east").status_code == 200
    moved = api.post(f"{path}/moves", {"to": "qualified"}, as_=MANAGER, team="east")
    assert moved.status_code == 200, moved.json
    assert moved.json["stage_history"][-1]["by"] == "sam"


def test_given_another_team_s_manager_when_reading_then_404(api: Any, new_deal: Any) -> None:
    deal = new_deal()
    response = api.get(f"/v1/opportunities/{deal['id']}", as_=("wes", "sales_manager"), team="west")
    assert response.status_code == 404


def test_given_a_viewer_when_reading_then_200_and_when_moving_then_403(
    api: Any, new_deal: Any
) -> None:
    deal = new_deal()
    path = f"/v1/opportunities/{deal['id']}"
    viewer = ("vera", "viewer")
    assert api.get(path, as_=viewer).status_code == 200
    assert api.post(f"{path}/moves", {"to": "qualified"}, as_=viewer).status_code == 403
    assert api.patch(path, {"title": "Mine now"}, as_=viewer).status_code == 403


def test_given_a_deal_with_follow_up_notes_when_finance_reads_then_amounts_but_no_notes(
    api: Any, new_deal: Any
) -> None:
    deal = new_deal(amount=5000, currency="CNY")
    path = f"/v1/opportunities/{deal['id']}"
    logged = api.post(f"{path}/follow-ups", {"note": "They fear the price"}, as_=REP_A)
    assert logged.status_code == 201, logged.json
    seen = api.get(path, as_=("fay", "finance")).json
    assert seen["amount"] == "5000.00"
    assert seen["follow_ups"] is None
    assert "fear" not in str(seen)
    assert api.get(path, as_=REP_A).json["follow_ups"][0]["note"] == "They fear the price"


def test_given_deals_when_listing_by_owner_and_by_stage_then_only_visible_ones(
    api: Any, new_deal: Any
) -> None:
    deal = new_deal()
    mine = api.get("/v1/opportunities", as_=REP_A).json["items"]
    assert [d["id"] for d in mine] == [deal["id"]]
    assert api.get("/v1/opportunities?owner=rob", as_=REP_B).json["items"] == []
    by_stage = api.get("/v1/opportunities?stage=lead", as_=MANAGER, team="east").json["items"]
    assert [d["id"] for d in by_stage] == [deal["id"]]
    assert api.get("/v1/opportunities?stage=lead", as_=REP_B).json["items"] == []


def test_given_an_unknown_or_malformed_id_then_404(api: Any) -> None:
    assert api.get("/v1/opportunities/nope").status_code == 404
    assert api.get("/v1/opportunities/C1-01JBZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404


def test_given_a_deal_when_the_customer_360_is_read_then_it_shows_as_a_section(
    api: Any, new_deal: Any, customer: Any
) -> None:
    deal = new_deal()
    view = api.get(f"/v1/customers/{customer.customer_id}/360", as_=REP_A)
    assert view.status_code == 200, view.json
    assert [o["id"] for o in view.json["opportunities"]] == [deal["id"]]
    api.post(
        f"/v1/opportunities/{deal['id']}/follow-ups", {"note": "Asked for a discount"}, as_=REP_A
    )
    seen = api.get(f"/v1/customers/{customer.customer_id}/360", as_=("lee", "legal")).json
    assert seen["opportunities"][0]["follow_ups"] is None


def test_given_the_same_idempotency_key_twice_then_one_deal(api: Any, customer: Any) -> None:
    body = {"customer_id": customer.customer_id, "title": "Once"}
    headers = {"Idempotency-Key": "deal-once-1"}
    first = api.post("/v1/opportunities", body, as_=REP_A, headers=headers)
    second = api.post("/v1/opportunities", body, as_=REP_A, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json["id"] == second.json["id"]
    assert len(api.get("/v1/opportunities", as_=REP_A).json["items"]) == 1


def test_given_a_deal_when_read_then_one_get_item(
    api: Any, new_deal: Any, monkeypatch: Any
) -> None:
    from chalicelib.core.table import CrmItem

    deal = new_deal()
    calls: list[str] = []
    connection = CrmItem._get_connection().connection
    real = connection._make_api_call

    def counted(operation: str, kwargs: Any) -> Any:
        calls.append(operation)
        return real(operation, kwargs)

    monkeypatch.setattr(connection, "_make_api_call", counted)
    assert api.get(f"/v1/opportunities/{deal['id']}", as_=REP_A).status_code == 200
    assert calls == ["GetItem"]


def test_given_a_deal_when_a_patch_clears_its_title_or_owner_then_422_and_it_keeps_both(
    api: Any, new_deal: Any
) -> None:
    deal = new_deal()
    path = f"/v1/opportunities/{deal['id']}"

    for field in ("title", "owner_id"):
        answer = api.patch(path, {field: None}, as_=REP_A)
        assert answer.status_code == 422, answer.json
        assert answer.json["field"] == field

    kept = api.get(path, as_=REP_A).json
    assert kept["title"] == deal["title"]
    assert kept["owner_id"] == deal["owner_id"]
