"""Teams over HTTP: admins add, rename and staff them; everyone of the tenant reads them and
their members; the older team-manager route now writes the directory's team."""

from __future__ import annotations

from typing import Any

from .conftest import ADMIN, REP


def test_given_an_admin_when_adding_a_team_then_201_and_readable_by_a_rep(api: Any) -> None:
    response = api.post(
        "/v1/directory/teams",
        {"team_id": "south", "name": "South"},
        as_=ADMIN,
        headers={"Idempotency-Key": "south-1"},
    )

    assert response.status_code == 201, response.json
    assert response.headers["Location"] == "/v1/directory/teams/south"
    read = api.get("/v1/directory/teams/south", as_=REP)
    assert (read.json["name"], read.headers["ETag"]) == ("South", '"1"')
    assert api.post("/v1/directory/teams", {"team_id": "south", "name": "S"}).status_code == 409


def test_given_a_rep_when_adding_or_changing_a_team_then_403(api: Any, org: Any) -> None:
    assert (
        api.post("/v1/directory/teams", {"team_id": "x", "name": "X"}, as_=REP).status_code == 403
    )
    assert api.patch("/v1/directory/teams/north", {"name": "Mine"}, as_=REP).status_code == 403


def test_given_two_renames_of_the_same_version_then_one_200_and_one_412(api: Any, org: Any) -> None:
    etag = api.get("/v1/directory/teams/north").headers["ETag"]
    ask = {"as_": ADMIN, "headers": {"If-Match": etag}}

    first = api.patch("/v1/directory/teams/north", {"name": "North East"}, **ask)
    second = api.patch("/v1/directory/teams/north", {"name": "North West"}, **ask)

    assert (first.status_code, second.status_code) == (200, 412)
    assert first.headers["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'


def test_given_a_team_manager_not_in_the_directory_then_422_naming_manager_id(
    api: Any, org: Any
) -> None:
    response = api.patch("/v1/directory/teams/north", {"manager_id": "ghost"}, as_=ADMIN)
    assert (response.status_code, response.json["field"]) == (422, "manager_id")


def test_given_a_team_when_listing_members_then_its_users_by_id_in_pages(
    api: Any, org: Any
) -> None:
    first = api.get("/v1/directory/teams/north/members?limit=2", as_=("lena", "legal")).json
    rest = api.get(f"/v1/directory/teams/north/members?limit=2&next={first['next']}").json

    assert [u["user_id"] for u in first["items"] + rest["items"]] == ["alice", "bob", "carol"]
    assert api.get("/v1/directory/teams/nowhere/members").status_code == 404
    assert [t["team_id"] for t in api.get("/v1/directory/teams", as_=REP).json["items"]] == [
        "north"
    ]


def test_given_the_older_team_manager_route_then_it_writes_the_directory_team(
    api: Any, org: Any
) -> None:
    assert api.put("/v1/teams/east/manager", {"manager_id": "sam"}).status_code == 200
    assert api.put("/v1/teams/north/manager", {"manager_id": "sol"}).status_code == 200

    assert api.get("/v1/directory/teams/east").json["manager_id"] == "sam"
    north = api.get("/v1/directory/teams/north").json
    assert (north["manager_id"], north["name"], north["version"]) == ("sol", "North", 3)
    rep = api.put("/v1/teams/north/manager", {"manager_id": "alice"}, as_=REP)
    assert rep.status_code == 403
