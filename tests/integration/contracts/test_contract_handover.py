"""A deactivated user's contracts go to their manager, in the area's own handover job."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from chalicelib.contracts.handlers import on_handover_step
from chalicelib.contracts.handover import start_handover
from chalicelib.core import Notice

from .conftest import WON_AT, Deal


def test_given_a_deactivated_rep_then_their_live_contracts_move_to_the_manager_once(
    api: Any, win: Callable[..., Deal]
) -> None:
    kept, other = win(owner="rob"), win(owner="ann")
    job = SimpleNamespace(
        tenant_id="acme", job_id="d1.contracts", params={"user_id": "rob", "manager_id": "max"}
    )

    first = on_handover_step(job, None, WON_AT)
    again = on_handover_step(job, None, WON_AT)

    assert (first.processed, again.processed) == (1, 0)
    assert api.get(f"/v1/contracts/{kept.contract_id}").json["owner_id"] == "max"
    assert api.get(f"/v1/contracts/{other.contract_id}").json["owner_id"] == "ann"
    assert api.get(f"/v1/contracts/{kept.contract_id}", as_=("max", "sales_rep")).status_code == 200


def test_given_the_deactivation_notice_then_the_job_starts_under_the_id_the_directory_follows(
    aws: None,
) -> None:
    payload = {"user_id": "rob", "manager_id": "max", "by": "admin"}
    notice = Notice("directory.user_deactivated", "acme", "rob", None, payload, "d1", WON_AT)

    assert start_handover(notice, WON_AT) == "d1.contracts"
