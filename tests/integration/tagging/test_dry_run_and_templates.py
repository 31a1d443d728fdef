"""Dry runs (no writes) and industry templates through the API."""

from __future__ import annotations

from typing import Any

VIP_SPENDER = {
    "all": [
        {">": [{"var": "aggregates.order_total_12m"}, 10000]},
        {"in": [{"var": "tier"}, ["gold", "black"]]},
    ]
}


def _tag_items() -> list[Any]:
    from chalicelib.tagging.store import TagItem

    return list(TagItem.scan())


def test_given_three_customers_when_dry_running_then_only_the_matching_one_is_listed(
    tagging_api: Any, make_customer: Any
) -> None:
    vip = make_customer(name="Gold Big", tier="gold", aggregates={"order_total_12m": 20000})
    make_customer(name="Standard Big", aggregates={"order_total_12m": 20000})
    make_customer(name="Gold Small", tier="gold", aggregates={"order_total_12m": 10})
    response = tagging_api.post("/v1/tag-rules:dry-run", {"condition": VIP_SPENDER})
    assert response.status_code == 200, response.json
    assert response.json["evaluated"] == 3
    assert [m["customer_id"] for m in response.json["matched"]] == [vip.customer_id]
    assert _tag_items() == []


def test_given_a_tier_scope_when_dry_running_then_only_that_tier_is_evaluated(
    tagging_api: Any, make_customer: Any
) -> None:
    make_customer(name="Gold", tier="gold", aggregates={"order_total_12m": 20000})
    make_customer(name="Black", tier="black", aggregates={"order_total_12m": 20000})
    response = tagging_api.post(
        "/v1/tag-rules:dry-run", {"condition": VIP_SPENDER, "scope": {"tier": "black"}}
    )
    assert response.json["evaluated"] == 1
    assert [m["name"] for m in response.json["matched"]] == ["Black"]


def test_given_another_tenants_customers_when_dry_running_then_they_are_not_seen(
    tagging_api: Any, make_customer: Any
) -> None:
    make_customer("globex", tier="gold", aggregates={"order_total_12m": 20000})
    response = tagging_api.post("/v1/tag-rules:dry-run", {"condition": VIP_SPENDER})
    assert response.json == {"evaluated": 0, "matched": [], "next": None}


def test_given_more_customers_than_the_limit_when_dry_running_then_a_cursor_continues(
    tagging_api: Any, make_customer: Any
) -> None:
    for n in range(3):
        make_customer(name=f"C{n}", tier="gold", aggregates={"order_total_12m": 20000})
    first = tagging_api.post("/v1/tag-rules:dry-run", {"condition": VIP_SPENDER, "limit": 2}).json
    assert first["evaluated"] == 2
    assert first["next"]
    second = tagging_api.post(
        "/v1/tag-rules:dry-run", {"condition": VIP_SPENDER, "limit": 2, "next": first["next"]}
    ).json
    assert second["evaluated"] == 1


def test_given_a_bad_condition_when_dry_running_then_422_names_the_part(tagging_api: Any) -> None:
    response = tagging_api.post(
        "/v1/tag-rules:dry-run", {"condition": {"all": [{"exists": {"var": "shoe_size"}}]}}
    )
    assert response.status_code == 422
    assert response.json["field"] == "condition.all[0].exists.var"


def test_given_two_facets_in_the_scope_when_dry_running_then_422(tagging_api: Any) -> None:
    response = tagging_api.post(
        "/v1/tag-rules:dry-run",
        {"condition": True, "scope": {"tier": "gold", "owner_id": "rob"}},
    )
    assert response.status_code == 422
    assert response.json["field"].startswith("scope")


def test_given_a_sales_rep_when_dry_running_then_403(tagging_api: Any) -> None:
    response = tagging_api.post(
        "/v1/tag-rules:dry-run", {"condition": True}, as_=("rob", "sales_rep")
    )
    assert response.status_code == 403


def test_given_the_retail_template_when_enabled_then_its_starter_rules_exist(
    tagging_api: Any,
) -> None:
    response = tagging_api.post(
        "/v1/tag-rules:enable-template", {"template": "retail"}, as_=("mia", "marketing")
    )
    assert response.status_code == 201, response.json
    names = {r["name"] for r in response.json["created"]}
    assert {"high value", "price-sensitive", "at risk"} <= names
    assert all(r["template"] == "retail" for r in response.json["created"])
    listed = tagging_api.get("/v1/tag-rules").json["items"]
    assert {r["name"] for r in listed} == names


def test_given_a_template_enabled_twice_then_the_second_time_skips_every_rule(
    tagging_api: Any,
) -> None:
    tagging_api.post("/v1/tag-rules:enable-template", {"template": "b2b_software"})
    again = tagging_api.post("/v1/tag-rules:enable-template", {"template": "b2b_software"}).json
    assert again["created"] == []
    assert "high value" in again["skipped"]


def test_given_an_unknown_template_when_enabled_then_422(tagging_api: Any) -> None:
    response = tagging_api.post("/v1/tag-rules:enable-template", {"template": "bakery"})
    assert response.status_code == 422
    assert response.json["field"] == "template"


def test_given_a_viewer_when_enabling_a_template_then_403(tagging_api: Any) -> None:
    response = tagging_api.post(
        "/v1/tag-rules:enable-template", {"template": "retail"}, as_=("vic", "viewer")
    )
    assert response.status_code == 403
