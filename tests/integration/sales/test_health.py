"""Health kept by the stream: a changed deal is scored, the score stored without a new version,
and Opportunity Health Changed raised only when the colour changes."""

from __future__ import annotations

from typing import Any

from .conftest import REP_A, deal_image


def test_given_a_new_deal_then_it_is_scored_and_the_first_colour_is_news(
    api: Any, new_deal: Any, stream: Any
) -> None:
    deal = new_deal(stakeholders=[{"name": "Wang", "role": "champion"}])
    created = deal_image("acme", deal["id"])
    stream.change(None, created)
    scored = api.get(f"/v1/opportunities/{deal['id']}", as_=REP_A).json
    assert 0 <= scored["health"]["score"] <= 100
    assert scored["health"]["colour"] in ("red", "yellow", "green")
    assert scored["version"] == 1
    events = stream.change(created, deal_image("acme", deal["id"]))
    (event,) = events
    assert (event.DETAIL_TYPE, event.colour, event.previous_colour) == (
        "Opportunity Health Changed",
        scored["health"]["colour"],
        None,
    )


def test_given_a_change_that_keeps_the_colour_then_no_health_event(
    api: Any, new_deal: Any, stream: Any
) -> None:
    deal = new_deal()
    stream.change(None, deal_image("acme", deal["id"]))
    scored = deal_image("acme", deal["id"])
    renamed = api.patch(f"/v1/opportunities/{deal['id']}", {"title": "ERP phase 1"}, as_=REP_A)
    assert renamed.status_code == 200
    events = stream.change(scored, deal_image("acme", deal["id"]))
    assert [e.DETAIL_TYPE for e in events] == []


def test_given_more_engaged_stakeholders_then_the_score_rises(
    api: Any, new_deal: Any, stream: Any
) -> None:
    deal = new_deal()
    stream.change(None, deal_image("acme", deal["id"]))
    lonely = api.get(f"/v1/opportunities/{deal['id']}", as_=REP_A).json["health"]["score"]
    before = deal_image("acme", deal["id"])
    today = deal["created_at"][:10]
    people = [
        {"name": n, "role": r, "last_engaged": today}
        for n, r in (("Wang", "decision_maker"), ("Li", "champion"), ("Zhao", "user"))
    ]
    api.patch(f"/v1/opportunities/{deal['id']}", {"stakeholders": people}, as_=REP_A)
    stream.change(before, deal_image("acme", deal["id"]))
    engaged = api.get(f"/v1/opportunities/{deal['id']}", as_=REP_A).json["health"]
    assert engaged["score"] > lonely
    assert any("stakeholders engaged" in r for r in engaged["reasons"])
