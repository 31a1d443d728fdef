"""Who may see and change a lead, route by route: rep B never reaches rep A's lead (404), roles
without the right get 403, a manager sees the team's pool, edits need the version they read."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ADMIN, ANN, BEN, MAX, OLGA, PHONE, VIC, capture, lead_of

FORM = {"name": "Lin Wei", "identities": [{"kind": "phone", "value": PHONE}]}


@pytest.fixture
def anns_lead(api: Any, org: Any) -> dict[str, Any]:
    response = capture(api, FORM, ANN)
    assert response.status_code == 201, response.json
    return dict(response.json["lead"])


ROUTES = [
    ("GET", "", None),
    ("PATCH", "", {"need": "critical"}),
    ("POST", "/assignment", {"owner_id": "ben"}),
    ("POST", "/contacts", {"channel": "phone"}),
    ("POST", "/conversion", {}),
]


def test_given_rep_as_lead_when_rep_b_asks_on_any_route_then_404(
    api: Any, anns_lead: dict[str, Any]
) -> None:
    for method, suffix, body in ROUTES:
        path = f"/v1/leads/{anns_lead['id']}{suffix}"
        response = api.call(method, path, body, as_=BEN, team="east")
        assert response.status_code == 404, (method, suffix, response.json)
    assert lead_of(api, anns_lead["id"])["version"] == anns_lead["version"]  # nothing changed


def test_given_a_rep_when_listing_her_leads_then_one_query(
    api: Any, anns_lead: dict[str, Any]
) -> None:
    from collections import Counter

    from pynamodb.connection.base import Connection

    calls: Counter[str] = Counter()
    original = Connection._make_api_call

    def counted(self: Any, operation: str, kwargs: Any) -> Any:
        calls[operation] += 1
        return original(self, operation, kwargs)

    Connection._make_api_call = counted  # type: ignore[method-assign]
    try:
        response = api.get("/v1/leads?status=assigned", as_=ANN, team="east")
    finally:
        Connection._make_api_call = original  # type: ignore[method-assign]
    assert [item["id"] for item in response.json["items"]] == [anns_lead["id"]]
    assert calls == Counter({"Query": 1})


def test_given_rep_as_lead_when_another_teams_manager_or_a_viewer_asks_then_404(
    api: Any, anns_lead: dict[str, Any]
) -> None:
    for who in (OLGA, VIC):
        response = api.get(f"/v1/leads/{anns_lead['id']}", as_=who, team="west")
        assert response.status_code == 404, who


def test_given_rep_as_lead_when_she_assigns_it_then_403(
    api: Any, anns_lead: dict[str, Any]
) -> None:
    response = api.post(
        f"/v1/leads/{anns_lead['id']}/assignment", {"owner_id": "ben"}, as_=ANN, team="east"
    )
    assert response.status_code == 403


def test_given_a_lead_back_in_the_east_pool_then_its_manager_lists_it_and_reps_do_not(
    api: Any, anns_lead: dict[str, Any]
) -> None:
    response = api.post(f"/v1/leads/{anns_lead['id']}/assignment", {}, as_=MAX, team="east")
    lead = response.json
    assert (lead["owner_id"], lead["team_id"], lead["status"]) == (None, "east", "new")
    pool = api.get("/v1/leads?status=new", as_=MAX, team="east").json["items"]
    assert [item["id"] for item in pool] == [lead["id"]]
    assert api.get("/v1/leads", as_=ANN, team="east").json["items"] == []
    assert api.get("/v1/leads", as_=OLGA, team="west").json["items"] == []
    assert api.get(f"/v1/leads/{lead['id']}", as_=ANN, team="east").status_code == 404


def test_given_a_manager_when_they_assign_a_team_lead_then_it_moves(
    api: Any, anns_lead: dict[str, Any]
) -> None:
    response = api.post(
        f"/v1/leads/{anns_lead['id']}/assignment", {"owner_id": "ben"}, as_=MAX, team="east"
    )
    assert response.status_code == 200, response.json
    assert response.json["owner_id"] == "ben"
    assert api.get(f"/v1/leads/{anns_lead['id']}", as_=ANN, team="east").status_code == 404


def test_given_a_manager_when_they_assign_to_another_teams_rep_then_403(
    api: Any, anns_lead: dict[str, Any]
) -> None:
    response = api.post(
        f"/v1/leads/{anns_lead['id']}/assignment", {"owner_id": "cal"}, as_=MAX, team="east"
    )
    assert response.status_code == 403


def test_given_a_list_scope_beyond_the_role_then_403(api: Any) -> None:
    cases = [(VIC, None, 403), (ANN, "team", 403), (ANN, "all", 403), (MAX, "all", 403)]
    for who, scope, status in [*cases, (ADMIN, "all", 200)]:
        path = "/v1/leads" + (f"?scope={scope}" if scope else "")
        assert api.get(path, as_=who, team="east").status_code == status, (who, scope)


def test_given_a_stale_version_when_patching_then_412(api: Any, anns_lead: dict[str, Any]) -> None:
    path = f"/v1/leads/{anns_lead['id']}"
    current = api.patch(
        path,
        {"need": "important"},
        as_=ANN,
        team="east",
        headers={"If-Match": f'"{anns_lead["version"]}"'},
    )
    assert current.status_code == 200, current.json
    stale = api.patch(
        path,
        {"need": "critical"},
        as_=ANN,
        team="east",
        headers={"If-Match": f'"{anns_lead["version"]}"'},
    )
    assert stale.status_code == 412


def test_given_a_patch_that_sets_a_status_other_than_disqualified_then_409(
    api: Any, anns_lead: dict[str, Any]
) -> None:
    path = f"/v1/leads/{anns_lead['id']}"
    assert api.patch(path, {"status": "converted"}, as_=ANN, team="east").status_code == 409
    assert api.patch(path, {"status": "disqualified"}, as_=ANN, team="east").json["status"] == (
        "disqualified"
    )


@pytest.mark.parametrize("path", ["/v1/lead-settings", "/v1/lead-assignment-rules"])
def test_given_settings_then_admins_change_them_managers_read_them_reps_neither(
    api: Any, path: str
) -> None:
    body = {"first_contact_hours": 8} if "settings" in path else {"default_team_id": "east"}
    assert api.get(path, as_=ANN, team="east").status_code == 403
    assert api.get(path, as_=MAX, team="east").status_code == 200
    assert api.put(path, body, as_=MAX, team="east").status_code == 403
    saved = api.put(path, body, as_=ADMIN)
    assert saved.status_code == 200, saved.json
    stale = api.put(path, body, as_=ADMIN, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    again = api.put(path, body, as_=ADMIN, headers={"If-Match": saved.headers["ETag"]})
    assert again.status_code == 200
