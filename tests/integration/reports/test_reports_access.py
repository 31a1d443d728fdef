"""Who reads which figures: a rep their own, a manager their team's, finance, viewers and admins
all; nobody another tenant's. 404 for figures one may not see, 403 for a kind one's role never
reads."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import FINANCE, MANAGER_EAST, REP_ROB

FUNNEL = "/v1/reports/funnel?pipeline=b2b&period=2026-11"
ATTAINMENT = "/v1/reports/attainment?period=2026-11"


@pytest.fixture
def figures(month: Any) -> Any:
    """The hand-counted month (conftest.DEALS): rob and rita in east, wu in west."""
    return month


@pytest.mark.parametrize(
    ("who", "team", "query", "status"),
    [
        (REP_ROB, "east", "", 200),
        (REP_ROB, "east", "&owner=rob", 200),
        (REP_ROB, "east", "&owner=wu", 404),
        (REP_ROB, "east", "&team=east", 403),
        (MANAGER_EAST, "east", "", 200),
        (MANAGER_EAST, "east", "&team=west", 404),
        (MANAGER_EAST, "east", "&owner=rob", 200),
        (MANAGER_EAST, "east", "&owner=wu", 404),  # wu's figures are team west's
        (FINANCE, None, "&owner=wu", 200),
        (("vic", "viewer"), None, "&team=west", 200),
        (("mia", "marketing"), None, "", 403),
        (("ann", "legal"), None, "", 403),
    ],
)
def test_given_a_caller_when_asking_for_a_funnel_then_they_get_what_their_role_allows(
    figures: Any, who: tuple[str, str], team: str | None, query: str, status: int
) -> None:
    response = figures.get(FUNNEL + query, as_=who, team=team)

    assert response.status_code == status, response.json


def test_given_rep_b_when_asking_for_rep_as_funnel_then_404_and_nothing_of_it(figures: Any) -> None:
    response = figures.get(FUNNEL + "&owner=rob", as_=("rita", "sales_rep"), team="east")

    assert response.status_code == 404
    assert set(response.json) <= {"type", "title", "status", "detail", "field", "instance"}


def test_given_another_tenant_when_asking_for_the_funnel_then_none_of_acmes_figures(
    figures: Any,
) -> None:
    response = figures.get(FUNNEL, as_=FINANCE, tenant="globex")

    assert response.status_code == 200
    assert (response.json["created"], response.json["stages"]) == (0, [])


def test_given_a_pipeline_the_tenant_lacks_when_asking_then_404(figures: Any) -> None:
    response = figures.get("/v1/reports/funnel?pipeline=retail&period=2026-11", as_=FINANCE)

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "status"),
    [("&period=2026-11-01..2026-03-01", 422), ("", 422), ("&period=november", 422)],
)
def test_given_a_bad_period_when_asking_then_422(figures: Any, query: str, status: int) -> None:
    response = figures.get("/v1/reports/funnel?pipeline=b2b" + query, as_=FINANCE)

    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "team", "query", "status", "owners"),
    [
        (REP_ROB, "east", "", 200, ["rob"]),
        (REP_ROB, "east", "&team=east", 403, None),
        (MANAGER_EAST, "east", "", 200, ["eve", "rita", "rob"]),
        (MANAGER_EAST, "east", "&team=west", 404, None),
        (FINANCE, None, "", 200, ["rita", "rob", "wu"]),
        (FINANCE, None, "&team=west", 200, ["wu"]),
        (("mia", "marketing"), None, "", 403, None),
    ],
)
def test_given_a_caller_when_asking_for_attainment_then_they_get_what_their_role_allows(
    figures: Any,
    who: tuple[str, str],
    team: str | None,
    query: str,
    status: int,
    owners: list[str] | None,
) -> None:
    response = figures.get(ATTAINMENT + query, as_=who, team=team)

    assert response.status_code == status
    if owners is not None:
        assert [r["owner_id"] for r in response.json["reps"]] == owners


def test_given_another_tenant_when_asking_for_attainment_then_no_rep_of_acme(
    figures: Any,
) -> None:
    response = figures.get(ATTAINMENT, as_=FINANCE, tenant="globex")

    assert response.json["reps"] == []
