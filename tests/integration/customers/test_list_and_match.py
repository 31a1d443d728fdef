"""Listing by owner, stage and tier with signed cursors; finding likely duplicates."""

from __future__ import annotations

from .conftest import ALICE, BOB, CAROL


def make(api, name, who=ALICE, team="east", **fields):
    response = api.post("/v1/customers", {"name": name, **fields}, as_=who, team=team)
    assert response.status_code == 201, response.json
    return response.json


def test_given_a_rep_when_listing_without_filter_then_only_their_customers(api):
    mine = make(api, "A")
    make(api, "B", who=BOB)
    listed = api.get("/v1/customers", as_=ALICE, team="east").json["items"]
    assert [c["id"] for c in listed] == [mine["id"]]


def test_given_a_rep_when_listing_by_tier_then_others_customers_are_filtered_out(api):
    mine = make(api, "A", tier="gold")
    make(api, "B", who=BOB, tier="gold")
    listed = api.get("/v1/customers?tier=gold", as_=ALICE, team="east").json["items"]
    assert [c["id"] for c in listed] == [mine["id"]]


def test_given_a_manager_when_listing_by_tier_then_the_whole_team_is_listed(api):
    make(api, "A", tier="gold")
    make(api, "B", who=BOB, tier="gold")
    make(api, "C", who=("x", "sales_rep"), team="west", tier="gold")
    listed = api.get("/v1/customers?tier=gold", as_=CAROL, team="east").json["items"]
    assert sorted(c["name"] for c in listed) == ["A", "B"]


def test_given_a_rep_when_listing_another_owner_then_403_names_owner(api):
    response = api.get("/v1/customers?owner=bob", as_=ALICE, team="east")
    assert response.status_code == 403
    assert response.json["field"] == "owner"


def test_given_more_customers_than_a_page_then_cursors_walk_all_of_them(api):
    created = {make(api, f"C{n}")["id"] for n in range(5)}
    seen, cursor = set(), None
    for _ in range(5):
        page = api.get(
            "/v1/customers?owner=alice&limit=2" + (f"&next={cursor}" if cursor else "")
        ).json
        seen |= {c["id"] for c in page["items"]}
        cursor = page["next"]
        if not cursor:
            break
    assert seen == created


def test_given_another_tenant_when_listing_the_same_owner_then_nothing(api):
    make(api, "A")
    assert api.get("/v1/customers?owner=alice", tenant="globex").json["items"] == []


def test_given_a_tampered_cursor_then_400_names_next(api):
    response = api.get("/v1/customers?owner=alice&next=abc.def")
    assert response.status_code == 400
    assert response.json["field"] == "next"


def test_given_a_page_size_out_of_bounds_then_400_names_limit(api):
    assert api.get("/v1/customers?limit=1000").json["field"] == "limit"


def test_given_the_same_email_when_matching_then_the_customer_scores_100(api, alices_customer):
    result = api.post(
        "/v1/customers:match", {"identities": [{"kind": "email", "value": "WEI.ZHANG@example.com"}]}
    )
    assert result.status_code == 200
    (candidate,) = result.json["candidates"]
    assert candidate["customer"]["id"] == alices_customer["id"]
    assert candidate["score"] == 100


def test_given_a_similar_company_name_when_matching_then_it_is_a_candidate(api):
    acme = make(api, "Acme Trading Co., Ltd.", type="company")
    make(api, "Acorn Foods")
    result = api.post("/v1/customers:match", {"name": "ACME Trading"}).json
    assert [c["customer"]["id"] for c in result["candidates"]] == [acme["id"]]


def test_given_another_reps_duplicate_when_a_rep_matches_then_it_is_not_revealed(
    api, alices_customer
):
    result = api.post(
        "/v1/customers:match",
        {"name": "张伟", "identities": [{"kind": "phone", "value": "13800138000"}]},
        as_=BOB,
        team="east",
    )
    assert result.json["candidates"] == []


def test_given_another_tenant_when_matching_then_nothing_leaks(api, alices_customer):
    result = api.post("/v1/customers:match", {"name": "张伟"}, tenant="globex")
    assert result.json["candidates"] == []


def test_given_an_unknown_field_when_matching_then_422(api):
    assert api.post("/v1/customers:match", {"nam": "x"}).status_code == 422
