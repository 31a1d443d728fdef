"""The tone of a customer's recent messages in their deals' health, end to end on the real
stream engine (moto's table stream): an inbound message is scored when logged, the customer's
aggregates keep the recent sentiment, and their open deals are rescored with it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.leads.conftest import Stream

from .conftest import REP_A

FINANCE = ("fay", "finance")


@pytest.fixture
def real_stream(api: Any) -> Stream:
    return Stream()


def _deal_after_message(api: Any, customer_maker: Any, text: str) -> tuple[str, str]:
    """A deal on a new customer of rob's, then an inbound message from that customer."""
    customer = customer_maker(owner_id="rob", team_id="east")
    body = {"customer_id": customer.customer_id, "title": "ERP roll-out"}
    deal = api.post("/v1/opportunities", body, as_=REP_A, team="east")
    assert deal.status_code == 201, deal.json
    message = {"kind": "chat", "channel": "wechat", "direction": "inbound", "text": text}
    logged = api.post(
        f"/v1/customers/{customer.customer_id}/interactions", message, as_=REP_A, team="east"
    )
    assert logged.status_code == 201, logged.json
    return str(deal.json["id"]), customer.customer_id


def test_given_negative_recent_messages_then_the_deal_scores_lower_with_the_reason(
    api: Any, customer_maker: Any, real_stream: Stream
) -> None:
    calm, _ = _deal_after_message(api, customer_maker, "Please send the quote for 10 seats")
    upset, _ = _deal_after_message(
        api, customer_maker, "非常失望，交付又延迟了。We are unhappy and looking at a competitor."
    )

    real_stream.run()

    calm_health = api.get(f"/v1/opportunities/{calm}", as_=REP_A).json["health"]
    upset_health = api.get(f"/v1/opportunities/{upset}", as_=REP_A).json["health"]
    assert upset_health["score"] < calm_health["score"]
    # 失望 -2, 延迟 -1, unhappy -2, competitor -1: -6 / 7
    assert "recent messages negative (sentiment -0.9)" in upset_health["reasons"]
    assert not any("recent messages" in r for r in calm_health["reasons"])


def test_given_a_text_blind_role_then_it_sees_the_sentiment_but_not_the_text(
    api: Any, customer_maker: Any
) -> None:
    _, customer_id = _deal_after_message(api, customer_maker, "我们对报价不太满意")

    page = api.get(f"/v1/customers/{customer_id}/360", as_=FINANCE).json
    (message,) = page["interactions"]

    assert (message["text"], message["sentiment"]) == (None, -0.5)
