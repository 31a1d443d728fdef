"""End to end with the sales area: a deal created and moved through the sales API, its changes
fed to the sales reaction (as the stream would), reach the funnel through
`sales.opportunity_moved`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.integration.sales.conftest import Stream, deal_image

from .conftest import FINANCE, REP_ROB


def test_given_a_deal_created_moved_and_lost_through_sales_then_the_funnel_counts_it(
    api: Any, customer_maker: Callable[..., Any]
) -> None:
    stream = Stream()
    customer = customer_maker(owner_id="rob", team_id="east")
    created = api.post(
        "/v1/opportunities",
        {"customer_id": customer.customer_id, "title": "ERP", "amount": 1000, "currency": "CNY"},
        as_=REP_ROB,
        team="east",
    )
    assert created.status_code == 201, created.json
    deal = created.json["id"]
    before = deal_image("acme", deal)
    stream.change(None, before)
    for body in ({"to": "qualified"}, {"to": "lost", "reason": "no budget"}):
        moved = api.post(f"/v1/opportunities/{deal}/moves", body, as_=REP_ROB, team="east")
        assert moved.status_code == 200, moved.json
        after = deal_image("acme", deal)
        stream.change(before, after)
        before = after
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")

    funnel = api.get(f"/v1/reports/funnel?pipeline=b2b&period={month}", as_=FINANCE).json

    assert (funnel["created"], funnel["created_amount"], funnel["lost"]) == (1, "1000.00", 1)
    assert [(s["stage"], s["entered"], s["left"]) for s in funnel["stages"]] == [
        ("lead", 1, 1),
        ("qualified", 1, 1),
        ("lost", 1, 0),
    ]
    assert [(t["from_stage"], t["to_stage"]) for t in funnel["transitions"]] == [
        ("lead", "qualified"),
        ("qualified", "lost"),
    ]
