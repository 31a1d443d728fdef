"""Assignment on capture by the tenant's rules: fewest open leads (counts the stream keeps,
read with one Query), round robin turns per team, and the rules kept with If-Match."""

from __future__ import annotations

from typing import Any

from chalicelib.leads import assignment_store

from .conftest import ADMIN, ANN, Stream, capture


def _person(n: int, **facts: Any) -> dict[str, Any]:
    return {
        "name": f"Person {n}",
        "identities": [{"kind": "email", "value": f"p{n}@x.cn"}],
        **facts,
    }


def test_given_reps_open_leads_when_a_lead_arrives_by_load_then_the_least_loaded_gets_it(
    api: Any, org: Any, stream: Stream
) -> None:
    rules = {"rules": [{"name": "east", "region": "east", "team_id": "east", "strategy": "load"}]}
    assert api.put("/v1/lead-assignment-rules", rules, as_=ADMIN).status_code == 200
    capture(api, _person(1), ANN)
    capture(api, _person(2), ANN)
    stream.run()
    assert assignment_store.open_counts("acme", "east") == {"ann": 2}
    owners = []
    for n in range(3, 6):
        owners.append(capture(api, _person(n, region="East"), ADMIN).json["lead"]["owner_id"])
        stream.run()
    # ben (0) then ben (1 < 2); then 2-2: the round-robin turn breaks the tie
    assert owners[:2] == ["ben", "ben"]
    assert owners[2] in ("ann", "ben")
    assert sorted(assignment_store.open_counts("acme", "east").values()) == [2, 3]


def test_given_round_robin_by_default_then_reps_take_turns(api: Any, org: Any) -> None:
    rules = {"default_team_id": "east", "default_strategy": "round_robin"}
    api.put("/v1/lead-assignment-rules", rules, as_=ADMIN)
    owners = [capture(api, _person(n), ADMIN).json["lead"]["owner_id"] for n in range(4)]
    assert owners == ["ann", "ben", "ann", "ben"]
    assert assignment_store.turn("acme", "east") == 4


def test_given_a_lead_reassigned_then_the_counts_follow_it(
    api: Any, org: Any, stream: Stream
) -> None:
    lead = capture(api, _person(1), ANN).json["lead"]
    api.post(f"/v1/leads/{lead['id']}/assignment", {"owner_id": "ben"}, as_=ADMIN)
    stream.run()
    assert assignment_store.open_counts("acme", "east") == {"ann": 0, "ben": 1}


def test_given_a_stream_record_replayed_then_the_counts_move_once(
    api: Any, org: Any, stream: Stream
) -> None:
    from datetime import UTC, datetime

    from chalicelib.core import Notice
    from chalicelib.leads.background_service import on_lead_changed

    image = {"status": "assigned", "owner_id": "ann", "team_id": "east", "lead_id": "L1"}
    notice = Notice("leads.lead_changed", "acme", "L1", None, image, "record-1", datetime.now(UTC))
    on_lead_changed(notice, notice.at)
    on_lead_changed(notice, notice.at)
    assert assignment_store.open_counts("acme", "east") == {"ann": 1}


def test_given_auto_assignment_asked_then_the_rules_decide(api: Any, org: Any) -> None:
    api.put("/v1/lead-assignment-rules", {"default_team_id": "west"}, as_=ADMIN)
    lead = capture(api, _person(1), ANN).json["lead"]
    response = api.post(f"/v1/leads/{lead['id']}/assignment", {"auto": True}, as_=ADMIN)
    assert response.status_code == 200, response.json
    assert (response.json["owner_id"], response.json["team_id"]) == ("cal", "west")
    assert "round robin" in response.json["assignment_reason"]
