"""A customer's message from a channel (`desk.service.receive`): once per channel message id,
linked to its customer by identity (an unknown sender becomes a lead customer), joined to its
thread, reopening a resolved ticket within the window, a new linked ticket after close."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.desk import service, thread_store
from chalicelib.desk.models import InboundMessage

from .conftest import NOW


def mail(
    external_id: str, *, refs: tuple[str, ...] = (), at: Any = NOW, **kw: Any
) -> InboundMessage:
    data = {
        "channel": "email",
        "sender": {"email": "li.lei@example.com", "name": "Li Lei"},
        "subject": "打印机故障",
        "body": "打印机不能用了",
        "external_id": external_id,
        "thread_refs": list(refs),
        "received_at": at.isoformat(),
        **kw,
    }
    return InboundMessage.model_validate(data)


@pytest.fixture
def desk(aws: None) -> Any:
    return service


def test_given_an_unknown_sender_when_a_mail_arrives_then_a_lead_customer_and_a_ticket_appear(
    desk: Any,
) -> None:
    from chalicelib.customers import service as customers

    got = desk.receive("acme", mail("<m1@example.com>"), NOW)

    ticket = desk.get_ticket("acme", got.ticket_id)
    assert got.created
    assert not got.duplicate
    assert ticket.customer_id == got.customer_id
    assert ticket.priority == "P1"  # 故障
    assert ticket.channel == "email"
    assert ticket.status == "new"
    facts = customers.facts_of("acme", got.customer_id, NOW)
    assert facts is not None
    assert facts["lifecycle_stage"] == "lead"


def test_given_a_known_senders_email_then_the_ticket_is_the_customers(desk: Any, api: Any) -> None:
    made = api.post(
        "/v1/customers",
        {"name": "Li Lei", "identities": [{"kind": "email", "value": "Li.Lei@example.com"}]},
    ).json

    got = desk.receive("acme", mail("<m1@example.com>"), NOW)

    assert got.customer_id == made["id"]


def test_given_the_same_message_twice_then_the_second_is_a_duplicate(desk: Any) -> None:
    first = desk.receive("acme", mail("<m1@example.com>"), NOW)
    second = desk.receive("acme", mail("<m1@example.com>"), NOW)

    assert second.duplicate
    assert second.ticket_id == first.ticket_id
    assert len(thread_store.thread("acme", first.ticket_id, None, None).items) == 1


def test_given_a_reply_referring_to_the_first_mail_then_it_joins_the_ticket(desk: Any) -> None:
    first = desk.receive("acme", mail("<m1@example.com>"), NOW)

    reply = desk.receive("acme", mail("<m2@example.com>", refs=("<m1@example.com>",)), NOW)

    assert reply.ticket_id == first.ticket_id
    assert not reply.created


def test_given_a_resolved_ticket_when_the_customer_answers_within_the_window_then_it_reopens(
    desk: Any,
) -> None:
    first = desk.receive("acme", mail("<m1@example.com>"), NOW)
    desk.change_status("acme", first.ticket_id, "resolved", NOW)

    later = NOW + timedelta(days=2)
    reply = desk.receive("acme", mail("<m2@example.com>", refs=("<m1@example.com>",)), later)

    ticket = desk.get_ticket("acme", first.ticket_id)
    assert reply.reopened
    assert reply.ticket_id == first.ticket_id
    assert ticket.status == "reopened"
    assert ticket.resolved_at is None


def test_given_a_resolved_ticket_when_the_customer_answers_after_the_window_then_a_new_one_opens(
    desk: Any,
) -> None:
    first = desk.receive("acme", mail("<m1@example.com>"), NOW)
    desk.change_status("acme", first.ticket_id, "resolved", NOW)

    later = NOW + timedelta(days=8)
    reply = desk.receive("acme", mail("<m2@example.com>", refs=("<m1@example.com>",)), later)

    assert reply.created
    assert reply.linked_from == first.ticket_id
    assert desk.get_ticket("acme", reply.ticket_id).linked_ticket_id == first.ticket_id


def test_given_a_closed_ticket_when_the_customer_answers_then_a_new_linked_ticket_opens(
    desk: Any,
) -> None:
    first = desk.receive("acme", mail("<m1@example.com>"), NOW)
    desk.change_status("acme", first.ticket_id, "closed", NOW)

    reply = desk.receive("acme", mail("<m2@example.com>", refs=("<m1@example.com>",)), NOW)

    assert reply.created
    assert reply.linked_from == first.ticket_id
    assert desk.get_ticket("acme", first.ticket_id).status == "closed"


def test_given_a_device_alarm_with_its_owner_then_a_fault_ticket_for_that_customer(
    desk: Any, customer: Any
) -> None:
    alarm = InboundMessage.model_validate(
        {
            "channel": "device",
            "sender": {"device_id": "PUMP-7"},
            "customer_id": customer.customer_id,
            "body": "E42 overheating",
            "fault_code": "E42",
            "external_id": "PUMP-7/1733043600",
            "received_at": NOW.isoformat(),
        }
    )

    got = desk.receive("acme", alarm, NOW)

    ticket = desk.get_ticket("acme", got.ticket_id)
    assert ticket.customer_id == customer.customer_id
    assert ticket.type == "fault"
    assert ticket.priority == "P1"


def test_given_a_sender_naming_another_customers_ticket_then_it_opens_its_own(
    desk: Any, ticket: Any
) -> None:
    theirs = ticket()

    got = desk.receive("acme", mail("<m9@example.com>", refs=(theirs["ticket_id"],)), NOW)

    assert got.created
    assert got.ticket_id != theirs["ticket_id"]
