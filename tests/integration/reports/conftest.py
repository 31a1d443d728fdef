"""Fixtures of the reports tests: a hand-written month of opportunities fed to the area's
follower as the sales area's notices, in a tenant in Asia/Shanghai (the default zone)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core import Notice

REP_ROB = ("rob", "sales_rep")
REP_RITA = ("rita", "sales_rep")
MANAGER_EAST = ("sam", "sales_manager")
FINANCE = ("fay", "finance")


def local(day: int, hour: int = 10) -> datetime:
    """November `day`, `hour` o'clock in Shanghai (UTC+8), as UTC."""
    return (
        datetime(2026, 11, day, hour - 8, 0, tzinfo=UTC)
        if hour >= 8
        else datetime(2026, 11, day - 1, hour + 16, 0, tzinfo=UTC)
    )


# A dozen deals in pipeline b2b, November 2026: (id, owner, team, base amount, path).
# A path is [(stage, local day)]; its first stage is where the deal was created.
DEALS: list[tuple[str, str, str, str, list[tuple[str, Any]]]] = [
    ("o1", "rob", "east", "100", [("lead", 1), ("qualified", 3), ("proposal", 6), ("won", 10)]),
    ("o2", "rob", "east", "200", [("lead", 1), ("qualified", 2), ("lost", 5)]),
    ("o3", "rob", "east", "300", [("lead", 2), ("qualified", 4), ("proposal", 8), ("won", 12)]),
    ("o4", "rita", "east", "400", [("lead", 2), ("qualified", 5)]),
    ("o5", "rita", "east", "500", [("lead", 3), ("lost", 4)]),
    (
        "o6",
        "rita",
        "east",
        "600",
        [("lead", 3), ("qualified", 6), ("proposal", 9), ("won", 16), ("proposal", 18)],
    ),
    ("o7", "wu", "west", "700", [("lead", 4), ("qualified", 5), ("proposal", 7), ("lost", 11)]),
    ("o8", "wu", "west", "800", [("lead", 5), ("qualified", 7), ("proposal", 10), ("won", 15)]),
    ("o9", "wu", "west", "900", [("lead", 5)]),
    # created at 07:00 on the 6th in Shanghai: still the 5th in UTC
    ("o10", "wu", "west", "1000", [("lead", (6, 7)), ("qualified", 8), ("proposal", 11)]),
    ("o11", "rob", "east", "1100", [("lead", 7), ("qualified", 8)]),
    (
        "o12",
        "rita",
        "east",
        "1200",
        [("lead", 8), ("qualified", 10), ("proposal", 12), ("lost", 14)],
    ),
]


def _when(day: Any) -> datetime:
    return local(*day) if isinstance(day, tuple) else local(day)


def deal_notices(tenant: str = "acme") -> list[Notice]:
    """The notices sales raises for DEALS: a create, then one per stage move."""
    notices = []
    for opportunity, owner, team, amount, path in DEALS:
        created = _when(path[0][1])
        previous: tuple[str, datetime] | None = None
        for index, (stage, day) in enumerate(path):
            at = _when(day)
            payload = {
                "tenant_id": tenant,
                "opportunity_id": opportunity,
                "pipeline_id": "b2b",
                "owner_id": owner,
                "team_id": team,
                "from_stage": previous[0] if previous else None,
                "to_stage": stage,
                "base_amount": amount,
                "currency": "CNY",
                "at": at.isoformat(),
                "created_at": created.isoformat(),
                "entered_from_at": previous[1].isoformat() if previous else None,
            }
            notices.append(
                Notice(
                    topic="sales.opportunity_moved",
                    tenant_id=tenant,
                    subject_id=opportunity,
                    old=None,
                    new=payload,
                    key=f"{tenant}-{opportunity}-{index}",
                    at=at,
                )
            )
            previous = (stage, at)
    return notices


@pytest.fixture(scope="module")
def month() -> Iterator[Any]:
    """The API over a table holding the month's figures, with targets set in sales (east's
    too) and east's members in the directory (eve has no deal): fed once per module for its
    readers (each test only reads; a replay adds nothing). Its own moto, so module scope: a
    wider scope would leave it running under other folders' tests."""
    import boto3
    from chalice.test import Client
    from moto import mock_aws

    import app as chalice_app
    from chalicelib.core.auth import mint_dev_token
    from tests.conftest import Api, create_tables

    def mint(
        user: str,
        *roles: str,
        tenant: str = "acme",
        team: str | None = None,
        customer: str | None = None,
    ) -> str:
        return mint_dev_token(tenant, user, list(roles) or ["admin"], team, customer_id=customer)

    with mock_aws():
        create_tables(boto3.client("dynamodb", region_name="us-east-1"))
        feed()
        with Client(chalice_app.app) as client:
            api = Api(client, mint)
            for owner, amount in (("rob", 1000), ("wu", 1600), ("rita", 2000)):
                body = {"period": "2026-11", "owner_id": owner, "amount": amount}
                assert api.put("/v1/sales/targets", body).status_code == 200
            team_goal = {"period": "2026-11", "team_id": "east", "amount": 3000}
            assert api.put("/v1/sales/targets", team_goal).status_code == 200
            # the directory's east: rob, rita and eve (new, no deals yet)
            east = {"team_id": "east", "name": "East"}
            assert api.post("/v1/directory/teams", east).status_code == 201
            for user in ("rob", "rita", "eve"):
                member = {"user_id": user, "display_name": user.title(), "team_id": "east"}
                created = api.post("/v1/directory/users", {**member, "roles": ["sales_rep"]})
                assert created.status_code == 201, created.json
            yield api


def feed(tenant: str = "acme", notices: list[Notice] | None = None) -> int:
    """The month's notices (or those given) to the reports follower, as the stream would."""
    from chalicelib.reports.handlers import on_opportunity_moved

    chosen = deal_notices(tenant) if notices is None else notices
    for notice in chosen:
        on_opportunity_moved(notice, notice.at)
    return len(chosen)
