"""/v1/tag-rules through Chalice's test client on moto."""

from __future__ import annotations

from typing import Any

import pytest

HIGH_VALUE = {
    "name": "high value",
    "category": "value",
    "condition": {
        "all": [
            {">": [{"var": "aggregates.order_total_12m"}, 10000]},
            {"in": [{"var": "tier"}, ["gold", "black"]]},
        ]
    },
    "weight": 90,
}
MARKETER = ("mia", "marketing")
REP = ("rob", "sales_rep")
PROBLEM = "application/problem+json"


def created(api: Any, body: dict[str, Any] | None = None, **kw: Any) -> Any:
    response = api.post("/v1/tag-rules", body or HIGH_VALUE, **kw)
    assert response.status_code == 201, response.json
    return response


def test_given_a_marketer_when_creating_a_tag_rule_then_it_is_stored_with_version_1(
    tagging_api: Any,
) -> None:
    response = created(tagging_api, as_=MARKETER)
    rule = response.json
    assert rule["name"] == "high value"
    assert rule["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/v1/tag-rules/{rule['id']}"
    assert tagging_api.get(f"/v1/tag-rules/{rule['id']}").json == rule


def test_given_an_idempotency_key_when_the_create_is_retried_then_one_rule_exists(
    tagging_api: Any,
) -> None:
    headers = {"Idempotency-Key": "k-1"}
    first = created(tagging_api, headers=headers)
    second = created(tagging_api, headers=headers)
    assert second.json["id"] == first.json["id"]
    assert len(tagging_api.get("/v1/tag-rules").json["items"]) == 1


def test_given_a_bad_part_deep_in_the_condition_when_creating_then_422_names_it(
    tagging_api: Any,
) -> None:
    body = {
        **HIGH_VALUE,
        "condition": {"all": [True, {"in": [{"var": "tier"}, ["gold", "platinum"]]}]},
    }
    response = tagging_api.post("/v1/tag-rules", body)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json["field"] == "condition.all[1].in[1][1]"
    assert "platinum" in response.json["detail"]


def test_given_an_unknown_field_in_the_condition_when_creating_then_422_names_the_var(
    tagging_api: Any,
) -> None:
    body = {**HIGH_VALUE, "condition": {">": [{"var": "aggregates.spend"}, 1]}}
    response = tagging_api.post("/v1/tag-rules", body)
    assert response.status_code == 422
    assert response.json["field"] == "condition.>[0].var"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"weight": 101}, "weight"),
        ({"category": "mood"}, "category"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_given_invalid_attributes_when_creating_then_422_names_the_field(
    tagging_api: Any, patch: dict[str, Any], field: str
) -> None:
    response = tagging_api.post("/v1/tag-rules", {**HIGH_VALUE, **patch})
    assert response.status_code == 422
    assert response.json["field"] == field


def test_given_a_taken_name_when_creating_then_409(tagging_api: Any) -> None:
    created(tagging_api)
    response = tagging_api.post("/v1/tag-rules", {**HIGH_VALUE, "name": "HIGH VALUE"})
    assert response.status_code == 409
    assert response.json["field"] == "name"


def test_given_a_sales_rep_when_creating_a_tag_rule_then_403(tagging_api: Any) -> None:
    response = tagging_api.post("/v1/tag-rules", HIGH_VALUE, as_=REP)
    assert response.status_code == 403
    assert response.headers["Content-Type"] == PROBLEM


def test_given_a_sales_rep_when_reading_rules_then_they_are_visible(tagging_api: Any) -> None:
    rule = created(tagging_api).json
    assert tagging_api.get(f"/v1/tag-rules/{rule['id']}", as_=REP).status_code == 200


def test_given_another_tenants_rule_when_read_patched_or_deleted_then_404(tagging_api: Any) -> None:
    rule = created(tagging_api).json
    path = f"/v1/tag-rules/{rule['id']}"
    assert tagging_api.get(path, tenant="globex").status_code == 404
    assert tagging_api.patch(path, {"weight": 1}, tenant="globex").status_code == 404
    assert tagging_api.delete(path, tenant="globex").status_code == 404
    assert tagging_api.get("/v1/tag-rules", tenant="globex").json["items"] == []


def test_given_the_current_etag_when_patching_then_the_version_moves_on(tagging_api: Any) -> None:
    rule = created(tagging_api).json
    response = tagging_api.patch(
        f"/v1/tag-rules/{rule['id']}",
        {"weight": 10, "enabled": False, "name": "big spender"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.json
    assert (response.json["weight"], response.json["enabled"], response.json["version"]) == (
        10,
        False,
        2,
    )
    # The old name is free again, the new one is taken.
    assert tagging_api.post("/v1/tag-rules", HIGH_VALUE).status_code == 201
    assert (
        tagging_api.post("/v1/tag-rules", {**HIGH_VALUE, "name": "big spender"}).status_code == 409
    )


def test_given_a_stale_etag_when_patching_then_412(tagging_api: Any) -> None:
    rule = created(tagging_api).json
    path = f"/v1/tag-rules/{rule['id']}"
    tagging_api.patch(path, {"weight": 10}, headers={"If-Match": '"1"'})
    response = tagging_api.patch(path, {"weight": 20}, headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert response.json["current_version"] == 2


def test_given_a_bad_condition_when_patching_then_422_points_inside_it(tagging_api: Any) -> None:
    rule = created(tagging_api).json
    response = tagging_api.patch(
        f"/v1/tag-rules/{rule['id']}", {"condition": {"any": [{"not": 5}]}}
    )
    assert response.status_code == 422
    assert response.json["field"] == "condition.any[0].not"


def test_given_a_marketer_when_patching_as_viewer_then_403(tagging_api: Any) -> None:
    rule = created(tagging_api).json
    response = tagging_api.patch(
        f"/v1/tag-rules/{rule['id']}", {"weight": 1}, as_=("vic", "viewer")
    )
    assert response.status_code == 403


def test_given_a_stale_etag_when_deleting_then_412_and_the_rule_stays(tagging_api: Any) -> None:
    rule = created(tagging_api).json
    path = f"/v1/tag-rules/{rule['id']}"
    assert tagging_api.delete(path, headers={"If-Match": '"7"'}).status_code == 412
    assert tagging_api.get(path).status_code == 200


def test_given_a_rule_when_deleted_then_it_is_gone_and_its_name_free(tagging_api: Any) -> None:
    rule = created(tagging_api).json
    path = f"/v1/tag-rules/{rule['id']}"
    assert tagging_api.delete(path, headers={"If-Match": '"1"'}).status_code == 204
    assert tagging_api.get(path).status_code == 404
    created(tagging_api)


def test_given_many_rules_when_listing_then_pages_follow_the_signed_cursor(
    tagging_api: Any,
) -> None:
    for n in range(3):
        created(tagging_api, {**HIGH_VALUE, "name": f"rule {n}"})
    first = tagging_api.get("/v1/tag-rules?limit=2").json
    assert len(first["items"]) == 2
    assert first["next"]
    second = tagging_api.get(f"/v1/tag-rules?limit=2&next={first['next']}").json
    names = {r["name"] for r in first["items"] + second["items"]}
    assert names == {"rule 0", "rule 1", "rule 2"}
    forged = tagging_api.get(f"/v1/tag-rules?limit=2&next={first['next']}x")
    assert forged.status_code == 400
