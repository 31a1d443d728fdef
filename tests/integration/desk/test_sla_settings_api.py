"""The SLA settings routes: everyone at the desk reads the tenant's policies and calendar
(defaults until set); only admins replace them, with If-Match; a change starts the job that
moves open tickets' deadlines; another tenant never sees them."""

from __future__ import annotations

import json
from typing import Any

from .conftest import AGENT

POLICIES = "/v1/desk/sla-policies"
CALENDAR = "/v1/desk/calendar"


def _policies(api: Any, **changes: Any) -> dict[str, Any]:
    body = {k: v for k, v in api.get(POLICIES).json.items() if k != "version"}
    return {**body, **changes}


def test_given_no_settings_when_an_agent_reads_them_then_the_defaults_with_national_holidays(
    api: Any,
) -> None:
    policies = api.get(POLICIES, as_=AGENT)
    calendar = api.get(CALENDAR, as_=AGENT)

    assert policies.status_code == 200, policies.json
    p1 = [p for p in policies.json["policies"] if p["priority"] == "P1" and p["tier"] is None]
    assert (p1[0]["first_response_minutes"], p1[0]["pause_statuses"]) == (60, ["pending_customer"])
    assert policies.json["unresolved_escalation_hours"] == {"P0": 24, "P1": 24}
    assert calendar.json["time_zone"] == "Asia/Shanghai"
    assert calendar.json["china_public_holidays"] is True
    assert calendar.json["hours"]["mon"] == [["09:00", "18:00"]]


def test_given_an_admin_when_the_calendar_is_replaced_with_if_match_then_it_holds_and_a_job_starts(
    api: Any,
) -> None:
    from chalicelib.core import job_states

    body = {
        "time_zone": "Asia/Shanghai",
        "hours": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "sat": [["10:00", "16:00"]]},
        "extra_holidays": ["2026-12-24"],
        "extra_workdays": ["2026-12-27"],
    }
    first = api.put(CALENDAR, body)
    second = api.put(
        CALENDAR, {**body, "china_public_holidays": False}, headers={"If-Match": '"1"'}
    )

    assert first.status_code == 200, first.json
    assert first.headers["ETag"] == '"1"'
    assert second.status_code == 200, second.json
    assert api.get(CALENDAR, as_=AGENT).json["china_public_holidays"] is False
    assert job_states("acme", ["sla-recompute-deskcalendar-2"]) == {
        "sla-recompute-deskcalendar-2": "running"
    }


def test_given_a_stale_if_match_then_412(api: Any) -> None:
    api.put(POLICIES, _policies(api, warning_percent=75))
    stale = api.put(POLICIES, _policies(api, warning_percent=70), headers={"If-Match": '"0"'})
    assert stale.status_code == 412


def test_given_an_agent_or_a_customer_contact_when_writing_policies_then_403(
    api: Any, customer: Any
) -> None:
    from .conftest import contact_of

    refused = api.put(POLICIES, _policies(api, warning_percent=50), as_=AGENT)
    assert refused.status_code == 403
    assert api.get(POLICIES, **contact_of(customer.customer_id)).status_code == 403
    assert api.get(POLICIES).json["warning_percent"] == 80


def test_given_broken_settings_then_422_naming_the_problem_and_nothing_changes(api: Any) -> None:
    broken = [
        (CALENDAR, {"hours": {"mon": [["18:00", "09:00"]]}}, "ends before it starts"),
        (CALENDAR, {"hours": {}}, "at least one weekday"),
        (
            POLICIES,
            {
                "policies": [
                    {
                        "name": "x",
                        "priority": "P0",
                        "first_response_minutes": 5,
                        "resolution_minutes": 9,
                    }
                ]
            },
            "missing: P1, P2, P3",
        ),
    ]
    for path, body, words in broken:
        refused = api.put(path, body)
        assert refused.status_code == 422, refused.json
        assert words in json.dumps(refused.json), refused.json
    assert api.get(CALENDAR).json["version"] is None
    assert api.get(POLICIES).json["version"] is None


def test_given_another_tenant_then_it_keeps_its_own_defaults(api: Any) -> None:
    api.put(POLICIES, _policies(api, warning_percent=60))
    theirs = api.get(POLICIES, tenant="zeta")
    assert theirs.status_code == 200
    assert (theirs.json["warning_percent"], theirs.json["version"]) == (80, None)
