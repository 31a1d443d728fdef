"""An approver's queue holds only the steps they may decide; an approval is seen by its
requester, its subject's readers, its approvers and their delegates, and admins; no tenant
sees another's."""

from __future__ import annotations

from typing import Any


def queue_of(api: Any, who: tuple[str, ...], tenant: str = "acme") -> list[str]:
    response = api.get("/v1/approvals/queue", as_=who, tenant=tenant)
    assert response.status_code == 200, response.json
    return [q["approval_id"] for q in response.json["items"]]


def test_given_pending_steps_then_each_approver_sees_only_the_steps_they_may_decide(
    requested: Any, api: Any
) -> None:
    small = requested("opp-1", amount=10_000)
    large = requested("opp-2", amount=200_000)
    assert queue_of(api, ("lena", "legal")) == [small.id, large.id]  # longest waiting first
    assert queue_of(api, ("fay", "finance")) == []
    assert queue_of(api, ("rob", "sales_rep")) == []
    api.post(f"/v1/approvals/{large.id}/decisions", {"decision": "approve"}, as_=("lena", "legal"))
    assert queue_of(api, ("lena", "legal")) == [small.id]
    assert queue_of(api, ("fay", "finance")) == [large.id]


def test_given_a_named_manager_step_then_only_that_manager_sees_it(
    requested: Any, api: Any
) -> None:
    api.post("/v1/approval-rules", {"name": "Managers sign", "subject_type": "contract",
             "steps": [{"kind": "management"}]})  # fmt: skip
    approval = requested()
    assert queue_of(api, ("sam", "sales_manager")) == [approval.id]
    assert queue_of(api, ("max", "sales_manager")) == []
    assert queue_of(api, ("lena", "legal")) == []


def test_given_an_approver_who_requested_then_their_own_request_is_not_in_their_queue(
    requested: Any, api: Any
) -> None:
    requested(requested_by="lena", owner="rob")
    assert queue_of(api, ("lena", "legal")) == []


def test_given_another_tenants_approver_then_they_see_nothing(requested: Any, api: Any) -> None:
    approval = requested()
    assert queue_of(api, ("lena", "legal"), tenant="globex") == []
    response = api.get(f"/v1/approvals/{approval.id}", as_=("lena", "legal"), tenant="globex")
    assert response.status_code == 404
    decided = api.post(f"/v1/approvals/{approval.id}/decisions", {"decision": "approve"},
                       as_=("lena", "legal"), tenant="globex")  # fmt: skip
    assert decided.status_code == 404


def test_given_an_approval_then_its_people_read_it_and_others_get_404(
    requested: Any, api: Any
) -> None:
    approval = requested(owner="rob", team="east")
    path = f"/v1/approvals/{approval.id}"
    allowed = [
        ("rob", "sales_rep"),  # requester and owner
        ("sam", "sales_manager"),  # manages the owner's team (token claim below)
        ("lena", "legal"),  # approver of its step
        ("ada", "admin"),
    ]
    for who in allowed:
        team = "east" if who[0] == "sam" else None
        response = api.get(path, as_=who, team=team)
        assert response.status_code == 200, (who, response.json)
        assert response.headers["ETag"] == '"1"'
    for who, team in [(("bob", "sales_rep"), "east"), (("sue", "sales_manager"), "west")]:
        assert api.get(path, as_=who, team=team).status_code == 404
    assert (
        api.get("/v1/approvals/01NOSUCHAPPROVAL000000000", as_=("ada", "admin")).status_code == 404
    )


def test_given_a_reader_who_is_no_approver_when_deciding_then_it_is_forbidden(
    requested: Any, api: Any
) -> None:
    approval = requested(owner="rob", team="east")
    response = api.post(f"/v1/approvals/{approval.id}/decisions", {"decision": "approve"},
                        as_=("ada", "admin"))  # fmt: skip
    assert response.status_code == 403
    owner = api.post(f"/v1/approvals/{approval.id}/decisions", {"decision": "approve"},
                     as_=("rob", "sales_rep"))  # fmt: skip
    assert owner.status_code == 403


def test_given_another_rep_when_withdrawing_or_resubmitting_then_404(
    requested: Any, api: Any
) -> None:
    approval = requested(owner="rob", team="east")
    for action in ("withdrawal", "resubmission"):
        response = api.post(f"/v1/approvals/{approval.id}/{action}", {}, as_=("bob", "sales_rep"),
                            team="east")  # fmt: skip
        assert response.status_code == 404, action
