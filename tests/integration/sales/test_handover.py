"""A deactivated rep's open deals go to their manager in a job (once, however often the
directory's notice is delivered); closed deals stay with who won or lost them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core.changes import Notice
from chalicelib.sales.handlers import on_user_deactivated
from infra.local.timer_runner import run_due

from .conftest import REP_A


def _run_jobs() -> None:
    for tick in range(1, 6):
        if not run_due(datetime.now(UTC) + timedelta(minutes=tick)):
            return


def test_given_a_deactivated_rep_then_open_deals_go_to_the_manager_once(
    table_timers: None, api: Any, new_deal: Any
) -> None:
    open_deal, lost = new_deal(title="Open"), new_deal(title="Lost")
    api.post(f"/v1/opportunities/{lost['id']}/moves", {"to": "lost", "reason": "x"}, as_=REP_A)
    notice = Notice(
        "directory.user_deactivated",
        "acme",
        "rob",
        None,
        {"tenant_id": "acme", "user_id": "rob", "manager_id": "sam", "by": "root"},
        "record-9",
        datetime.now(UTC),
    )
    on_user_deactivated(notice, notice.at)
    on_user_deactivated(notice, notice.at)  # the notice again
    _run_jobs()
    owners = {
        d["title"]: d["owner_id"]
        for who in ("rob", "sam")
        for d in api.get(f"/v1/opportunities?owner={who}").json["items"]
    }
    assert owners == {"Open": "sam", "Lost": "rob"}
    assert api.get(f"/v1/opportunities/{open_deal['id']}").json["version"] == 2
