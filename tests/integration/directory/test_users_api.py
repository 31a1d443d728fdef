"""Users of the directory over HTTP: admins add and change them; every role of the tenant reads
them; no other tenant sees them; edits name the version they read."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ADMIN, REP, person


def test_given_an_admin_when_adding_a_user_then_201_with_location_and_etag(api: Any) -> None:
    body = person("zoe", "sales_rep", skills=["solutions", "solutions"], time_zone="Europe/Paris")

    response = api.post("/v1/directory/users", body, as_=ADMIN)

    assert response.status_code == 201, response.json
    assert response.headers["Location"] == "/v1/directory/users/zoe"
    assert response.headers["ETag"] == '"1"'
    assert response.json["skills"] == ["solutions"]
    assert api.get("/v1/directory/users/zoe", as_=REP).json["time_zone"] == "Europe/Paris"


def test_given_an_idempotency_key_when_the_create_is_retried_then_the_first_answer_again(
    api: Any,
) -> None:
    headers = {"Idempotency-Key": "add-zoe-1"}
    first = api.post("/v1/directory/users", person("zoe"), as_=ADMIN, headers=headers)
    again = api.post("/v1/directory/users", person("zoe"), as_=ADMIN, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert api.post("/v1/directory/users", person("zoe"), as_=ADMIN).status_code == 409


def test_given_a_rep_when_adding_or_changing_a_user_then_403(api: Any, org: Any) -> None:
    assert api.post("/v1/directory/users", person("mallory"), as_=REP).status_code == 403
    response = api.patch("/v1/directory/users/alice", {"roles": ["admin"]}, as_=REP)
    assert response.status_code == 403
    assert api.post("/v1/directory/users/bob/deactivation", as_=REP).status_code == 403


def test_given_any_role_of_the_tenant_when_reading_then_the_directory_answers(
    api: Any, org: Any
) -> None:
    for who in (REP, ("lena", "legal"), ("dave", "finance"), ("vic", "viewer")):
        assert api.get("/v1/directory/users/carol", as_=who).json["team_id"] == "north"
    me = api.get("/v1/directory/me", as_=REP)
    assert (me.json["user_id"], me.headers["ETag"]) == ("alice", '"1"')


def test_given_someone_not_in_the_directory_when_asking_who_they_are_then_404(
    api: Any, org: Any
) -> None:
    assert api.get("/v1/directory/me", as_=("newcomer", "viewer")).status_code == 404


def test_given_another_tenant_when_reading_the_directory_then_nothing_of_it(
    api: Any, org: Any
) -> None:
    assert api.get("/v1/directory/users/alice", tenant="globex").status_code == 404
    assert api.get("/v1/directory/users", tenant="globex").json["items"] == []
    assert api.get("/v1/directory/teams/north", tenant="globex").status_code == 404
    response = api.patch("/v1/directory/users/alice", {"region": "x"}, tenant="globex")
    assert response.status_code == 404
    assert api.get("/v1/directory/teams/north/members", tenant="globex").status_code == 404
    assert api.get("/v1/directory/me", as_=REP, tenant="globex").status_code == 404
    assert api.post("/v1/directory/users/bob/deactivation", tenant="globex").status_code == 404
    assert api.get("/v1/directory/users/bob").json["active"] is True


def test_given_two_edits_of_the_same_version_then_one_200_and_one_412(api: Any, org: Any) -> None:
    etag = api.get("/v1/directory/users/bob").headers["ETag"]
    ask = {"as_": ADMIN, "headers": {"If-Match": etag}}

    first = api.patch("/v1/directory/users/bob", {"region": "cn-west"}, **ask)
    second = api.patch("/v1/directory/users/bob", {"region": "cn-south"}, **ask)

    assert (first.status_code, second.status_code) == (200, 412)
    assert second.json["field"] == "If-Match"
    assert api.get("/v1/directory/users/bob").json["region"] == "cn-west"


def test_given_two_edits_racing_past_the_read_then_the_store_refuses_the_second(
    api: Any, org: Any
) -> None:
    from chalicelib.core import PreconditionFailed
    from chalicelib.directory import service, store

    before = service.get_user("acme", "bob")
    assert before is not None
    one = before.model_copy(update={"region": "a", "version": 2})
    other = before.model_copy(update={"region": "b", "version": 2})
    store.save_user("acme", before, one)
    with pytest.raises(PreconditionFailed, match="changed meanwhile"):
        store.save_user("acme", before, other)
    assert api.get("/v1/directory/users/bob").json["region"] == "a"


def test_given_a_manager_change_that_closes_a_loop_then_422_naming_manager_id(
    api: Any, org: Any
) -> None:
    # sol's manager is carol; making sol carol's manager would loop.
    response = api.patch("/v1/directory/users/carol", {"manager_id": "sol"}, as_=ADMIN)

    assert response.status_code == 422
    assert response.json["field"] == "manager_id"
    assert "carol -> sol -> carol" in response.json["detail"]
    itself = api.patch("/v1/directory/users/carol", {"manager_id": "carol"}, as_=ADMIN)
    assert itself.json["field"] == "manager_id"


def test_given_unknown_teams_managers_or_zones_then_422_naming_the_field(
    api: Any, org: Any
) -> None:
    cases = [
        (person("x", team_id="nowhere"), "team_id"),
        (person("x", manager_id="nobody"), "manager_id"),
        (person("x", time_zone="Mars/Olympus"), "time_zone"),
        (person("x", working_hours={"someday": []}), "working_hours.someday.[key]"),
        (person("x", roles=["emperor"]), "roles.0"),
        (person("x", roles=["viewer", "customer_contact"]), "roles.1"),  # a customer's person
    ]
    for body, field in cases:
        response = api.post("/v1/directory/users", body, as_=ADMIN)
        assert (response.status_code, response.json["field"]) == (422, field), body


def test_given_a_patch_that_deactivates_then_422_pointing_to_the_handover(
    api: Any, org: Any
) -> None:
    response = api.patch("/v1/directory/users/bob", {"active": False}, as_=ADMIN)
    assert (response.status_code, response.json["field"]) == (422, "active")


def test_given_a_skill_when_listing_then_one_query_and_one_batch_read_never_a_scan(
    api: Any, org: Any, dynamodb_calls: Any
) -> None:
    with dynamodb_calls() as calls:
        response = api.get("/v1/directory/users?skill=solutions", as_=REP)

    assert [u["user_id"] for u in response.json["items"]] == ["sol"]
    assert calls == {"Query": 1, "BatchGetItem": 1}


def test_given_filters_when_listing_then_only_users_fitting_all_of_them(api: Any, org: Any) -> None:
    def ids(query: str) -> list[str]:
        return [u["user_id"] for u in api.get(f"/v1/directory/users?{query}").json["items"]]

    assert ids("team_id=north") == ["alice", "bob", "carol"]
    assert ids("role=sales_rep&team_id=north") == ["alice", "bob"]
    assert ids("language=zh") == ["carol"]
    assert ids("region=cn-east") == ["alice"]
    assert ids("role=legal") == ["lena"]


def test_given_many_users_when_paging_then_every_user_once(api: Any, org: Any) -> None:
    seen, url = [], "/v1/directory/users?limit=3"
    while url:
        page = api.get(url, as_=REP).json
        seen += [u["user_id"] for u in page["items"]]
        url = f"/v1/directory/users?limit=3&next={page['next']}" if page["next"] else ""
    assert seen == sorted(["root", "carol", "alice", "bob", "sol", "dave", "lena"])
    forged = api.get("/v1/directory/users?skill=solutions&next=abc.def")
    assert forged.status_code == 400
