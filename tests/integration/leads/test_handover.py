"""A deactivated rep's open leads go to their manager: the leads area follows the directory's
notice and runs its own paged job (local table timers), each lead moved on its version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import job_states
from chalicelib.directory import service as directory
from infra.local.timer_runner import run_due

from .conftest import ADMIN, ANN, BEN, Stream, capture, lead_of


def _person(n: int) -> dict[str, Any]:
    return {"name": f"Person {n}", "identities": [{"kind": "email", "value": f"p{n}@x.cn"}]}


def test_given_a_rep_with_open_leads_when_deactivated_then_her_manager_gets_them(
    api: Any, org: Any, stream: Stream
) -> None:
    mine = [capture(api, _person(n), ANN).json["lead"]["id"] for n in range(3)]
    api.post(f"/v1/leads/{mine[1]}/contacts", {"channel": "phone"}, as_=ANN, team="east")
    api.patch(f"/v1/leads/{mine[2]}", {"status": "disqualified"}, as_=ANN, team="east")
    bens = capture(api, _person(9), BEN).json["lead"]["id"]
    stream.run()
    response = api.post("/v1/directory/users/ann/deactivation", {}, as_=ADMIN)
    assert response.status_code == 202, response.json
    stream.run()
    for _tick in range(5):
        run_due(datetime.now(UTC) + timedelta(seconds=5))
    job = directory.handover_job_id(_deactivation_key(), "leads")
    assert job_states("acme", [job]) == {job: "done"}
    owners = {lead_id: lead_of(api, lead_id)["owner_id"] for lead_id in [*mine, bens]}
    assert owners == {mine[0]: "max", mine[1]: "max", mine[2]: "ann", bens: "ben"}
    assert "handed over from ann" in lead_of(api, mine[0])["assignment_reason"]


def _deactivation_key() -> str:
    from chalicelib.directory import store

    user = store.get_user("acme", "ann")
    assert user is not None
    return str(user.deactivation_id)
