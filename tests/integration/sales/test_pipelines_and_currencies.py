"""A tenant's set-up: admins edit the pipeline with If-Match (stages archived, never removed,
not while they hold open deals; guards compiled or refused naming the part), the base
currency and dated exchange rates."""

from __future__ import annotations

from typing import Any

from .conftest import MANAGER, REP_A

PATH = "/v1/sales/pipelines/b2b"


def _edited(pipeline: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {k: pipeline[k] for k in ("name", "stages", "transitions", "expected_close_from")}
    return {**body, **changes}


def _archive(pipeline: dict[str, Any], stage: str) -> dict[str, Any]:
    stages = [{**s, "archived": s["archived"] or s["id"] == stage} for s in pipeline["stages"]]
    return _edited(pipeline, stages=stages)


def test_given_the_default_pipeline_then_everyone_reads_it_at_version_0(api: Any) -> None:
    shipped = api.get(PATH, as_=REP_A)
    assert (shipped.status_code, shipped.headers["ETag"]) == (200, '"0"')
    stages = [s["id"] for s in shipped.json["stages"]]
    assert stages == [
        "lead",
        "qualified",
        "needs_confirmed",
        "proposal",
        "negotiation",
        "contract",
        "won",
        "lost",
        "after_sales",
    ]
    contract = next(s for s in shipped.json["stages"] if s["id"] == "contract")
    assert contract["approval"] == "opportunity_stage"


def test_given_an_admin_edit_then_if_match_is_needed_and_a_stale_one_is_412(api: Any) -> None:
    pipeline = api.get(PATH).json
    body = _edited(pipeline, name="B2B (2027)")
    assert api.put(PATH, body).status_code == 422  # no If-Match
    saved = api.put(PATH, body, headers={"If-Match": '"0"'})
    assert (saved.status_code, saved.json["version"]) == (200, 1)
    assert api.put(PATH, body, headers={"If-Match": '"0"'}).status_code == 412


def test_given_a_manager_when_editing_the_pipeline_then_403(api: Any) -> None:
    pipeline = api.get(PATH).json
    response = api.put(PATH, _edited(pipeline), as_=MANAGER, headers={"If-Match": '"0"'})
    assert response.status_code == 403


def test_given_a_stage_removed_then_422_and_archived_while_holding_deals_then_409(
    api: Any, new_deal: Any
) -> None:
    pipeline = api.get(PATH).json
    fewer = _edited(
        pipeline,
        stages=pipeline["stages"][1:],
        transitions=[
            t for t in pipeline["transitions"] if "lead" not in (t["from_stage"], t["to"])
        ],
    )
    assert api.put(PATH, fewer, headers={"If-Match": '"0"'}).status_code == 422
    new_deal()
    refused = api.put(PATH, _archive(pipeline, "lead"), headers={"If-Match": '"0"'})
    assert (refused.status_code, refused.json["rule"]) == (409, "archive")
    assert (
        api.put(PATH, _archive(pipeline, "qualified"), headers={"If-Match": '"0"'}).status_code
        == 200
    )


def test_given_a_guard_that_does_not_compile_then_422_naming_its_place(api: Any) -> None:
    pipeline = api.get(PATH).json
    transitions = [{**pipeline["transitions"][0], "guard": {">": [{"var": "tier"}, 1]}}]
    response = api.put(
        PATH, _edited(pipeline, transitions=transitions), headers={"If-Match": '"0"'}
    )
    assert response.status_code == 422
    assert response.json["field"].startswith("transitions[0].guard")


def test_given_a_tighter_guard_then_moves_follow_the_edited_pipeline(
    api: Any, new_deal: Any
) -> None:
    pipeline = api.get(PATH).json
    transitions = [
        {**t, "guard": {">=": [{"var": "amount"}, 10000]}}
        if t["name"] == "lead to qualified"
        else t
        for t in pipeline["transitions"]
    ]
    api.put(PATH, _edited(pipeline, transitions=transitions), headers={"If-Match": '"0"'})
    deal = new_deal(amount=500, currency="CNY")
    refused = api.post(f"/v1/opportunities/{deal['id']}/moves", {"to": "qualified"}, as_=REP_A)
    assert (refused.status_code, refused.json["rule"]) == (409, "lead to qualified")


def test_given_rates_then_only_admins_and_finance_set_them_and_the_day_s_rate_applies(
    api: Any, new_deal: Any
) -> None:
    rate = {"currency": "USD", "day": "2026-01-01", "rate": 7}
    assert api.put("/v1/sales/exchange-rates", rate, as_=REP_A).status_code == 403
    assert api.put("/v1/sales/exchange-rates", rate, as_=("fay", "finance")).status_code == 200
    api.put("/v1/sales/exchange-rates", {**rate, "day": "2100-01-01", "rate": 99})
    deal = new_deal(amount=10, currency="USD")
    assert (deal["base_amount"], deal["rate_missing"]) == ("70.00", False)
    listed = api.get("/v1/sales/exchange-rates?currency=USD", as_=REP_A).json["items"]
    assert [r["day"] for r in listed] == ["2026-01-01", "2100-01-01"]


def test_given_a_new_base_currency_then_if_match_guards_it(api: Any) -> None:
    assert api.get("/v1/sales/settings").json == {"base_currency": "CNY", "version": 0}
    assert api.put("/v1/sales/settings", {"base_currency": "EUR"}, as_=MANAGER).status_code == 403
    saved = api.put("/v1/sales/settings", {"base_currency": "EUR"}, headers={"If-Match": '"0"'})
    assert (saved.status_code, saved.json["version"]) == (200, 1)
    stale = api.put("/v1/sales/settings", {"base_currency": "USD"}, headers={"If-Match": '"0"'})
    assert stale.status_code == 412


def test_given_a_pipeline_id_that_is_not_a_slug_then_422(api: Any) -> None:
    pipeline = api.get(PATH).json
    response = api.put(
        "/v1/sales/pipelines/B2B-Ünicode", _edited(pipeline), headers={"If-Match": '"0"'}
    )
    assert (response.status_code, response.json["field"]) == (422, "pipeline_id")
