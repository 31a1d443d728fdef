"""Contacts, interactions and orders, read back through the 360 view."""

from __future__ import annotations

from .conftest import ALICE, BOB, DAVE

CALL = {"kind": "call", "channel": "phone", "direction": "outbound", "text": "聊了价格"}


def test_given_children_when_reading_360_then_every_section_is_there_latest_first(
    api, alices_customer
):
    cid = alices_customer["id"]
    base = f"/v1/customers/{cid}"
    assert api.post(f"{base}/contacts", {"name": "李娜", "phone": "13900139000"}).status_code == 201
    api.post(
        f"{base}/interactions",
        {**CALL, "occurred_at": "2026-01-01T09:00:00+08:00", "text": "first"},
    )
    api.post(
        f"{base}/interactions",
        {**CALL, "occurred_at": "2026-03-01T09:00:00+08:00", "text": "second"},
    )
    order = api.post(
        f"{base}/orders", {"amount": "199.90", "items": [{"sku": "A1", "unit_price": "199.90"}]}
    )
    assert order.status_code == 201
    assert order.json["amount"] == "199.90"

    view = api.get(f"{base}/360", as_=ALICE, team="east").json

    assert view["profile"]["id"] == cid
    assert view["contacts"][0]["phone"] == "+8613900139000"
    assert [i["text"] for i in view["interactions"]] == ["second", "first"]
    assert view["orders"][0]["currency"] == "CNY"
    assert view["tags"] == []
    assert view["tasks"] == []


def test_given_the_areas_when_reading_360_then_it_has_exactly_their_sections(api, alices_customer):
    from chalicelib.core import registry

    view = api.get(f"/v1/customers/{alices_customer['id']}/360").json

    sections = {section.name for _, section in registry().sections()}
    assert set(view) == {"profile", "identities", "next", *sections}


def test_given_finance_when_reading_360_then_interaction_text_is_hidden(api, alices_customer):
    base = f"/v1/customers/{alices_customer['id']}"
    api.post(f"{base}/interactions", CALL)
    view = api.get(f"{base}/360", as_=DAVE).json
    assert view["interactions"][0]["text"] is None
    assert view["interactions"][0]["kind"] == "call"


def test_given_many_children_when_paging_the_360_then_pages_chain_and_end(api, alices_customer):
    base = f"/v1/customers/{alices_customer['id']}"
    for n in range(5):
        api.post(f"{base}/interactions", {**CALL, "text": f"n{n}"})
    first = api.get(f"{base}/360?limit=3").json
    second = api.get(f"{base}/360?limit=3&next={first['next']}").json
    assert first["profile"] is not None
    assert second["profile"] is None
    assert len(first["interactions"]) + len(second["interactions"]) == 5
    assert second["next"] is None


def test_given_another_reps_360_cursor_then_it_is_refused(api, alices_customer):
    base = f"/v1/customers/{alices_customer['id']}"
    for n in range(3):
        api.post(f"{base}/interactions", {**CALL, "text": f"n{n}"})
    cursor = api.get(f"{base}/360?limit=2", as_=ALICE, team="east").json["next"]
    assert api.get(f"{base}/360?limit=2&next={cursor}", as_=BOB, team="east").status_code == 400


def test_given_another_rep_when_reading_360_then_404(api, alices_customer):
    assert (
        api.get(f"/v1/customers/{alices_customer['id']}/360", as_=BOB, team="east").status_code
        == 404
    )


def test_given_another_tenant_when_reading_360_then_404(api, alices_customer):
    assert api.get(f"/v1/customers/{alices_customer['id']}/360", tenant="globex").status_code == 404


def test_given_another_rep_when_logging_on_alices_customer_then_404(api, alices_customer):
    base = f"/v1/customers/{alices_customer['id']}"
    assert api.post(f"{base}/interactions", CALL, as_=BOB, team="east").status_code == 404
    assert api.post(f"{base}/orders", {"amount": "1"}, as_=BOB, team="east").status_code == 404
    assert api.post(f"{base}/contacts", {"name": "x"}, as_=BOB, team="east").status_code == 404


def test_given_another_tenant_when_logging_then_404(api, alices_customer):
    base = f"/v1/customers/{alices_customer['id']}"
    assert api.post(f"{base}/interactions", CALL, tenant="globex").status_code == 404


def test_given_finance_when_logging_an_order_then_201_but_an_interaction_403(api, alices_customer):
    base = f"/v1/customers/{alices_customer['id']}"
    assert api.post(f"{base}/orders", {"amount": "10.00"}, as_=DAVE).status_code == 201
    assert api.post(f"{base}/interactions", CALL, as_=DAVE).status_code == 403


def test_given_a_negative_amount_then_422_names_amount(api, alices_customer):
    response = api.post(f"/v1/customers/{alices_customer['id']}/orders", {"amount": "-1"})
    assert response.status_code == 422
    assert response.json["field"] == "amount"


def test_given_a_naive_timestamp_then_422_asks_for_a_time_zone(api, alices_customer):
    response = api.post(
        f"/v1/customers/{alices_customer['id']}/interactions",
        {**CALL, "occurred_at": "2026-01-01T09:00:00"},
    )
    assert response.status_code == 422
    assert response.json["field"] == "occurred_at"


def test_given_a_contact_with_a_bad_email_then_422_names_email(api, alices_customer):
    response = api.post(
        f"/v1/customers/{alices_customer['id']}/contacts", {"name": "x", "email": "nope"}
    )
    assert response.status_code == 422
    assert response.json["field"] == "email"


def test_given_a_tag_and_a_task_in_the_collection_then_the_360_shows_both(api, alices_customer):
    from datetime import UTC, datetime

    from chalicelib.automation.store import TaskItem
    from chalicelib.core.table import customer_pk
    from chalicelib.tagging.store import TagItem

    pk, now = customer_pk("acme", alices_customer["id"]), datetime.now(UTC)
    TagItem(
        pk=pk,
        sk="TAG#vip",
        tenant_id="acme",
        customer_id=alices_customer["id"],
        tag="vip",
        source="rule",
        rule_id="r1",
        rule_version=1,
        evaluated_at=now,
    ).save()
    TaskItem(
        pk=pk,
        sk="TASK#t1",
        tenant_id="acme",
        customer_id=alices_customer["id"],
        task_id="t1",
        title="Call back",
        assignee_id="alice",
        due_at=now,
        created_at=now,
    ).save()

    view = api.get(f"/v1/customers/{alices_customer['id']}/360", as_=ALICE, team="east")

    assert view.status_code == 200
    assert [(t["tag"], t["rule_id"]) for t in view.json["tags"]] == [("vip", "r1")]
    assert [t["title"] for t in view.json["tasks"]] == ["Call back"]
