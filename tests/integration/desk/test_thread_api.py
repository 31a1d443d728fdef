"""A ticket's thread through the API: replies and notes, the first response, what a customer
contact and finance may see, and the routes a customer contact may not use."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import AGENT, FINANCE, LEGAL, SECRET, contact_of


def _thread(api: Any, ticket_id: str, **kw: Any) -> list[dict[str, Any]]:
    response = api.get(f"/v1/tickets/{ticket_id}/messages", **kw)
    assert response.status_code == 200, response.json
    return list(response.json["items"])


def test_given_a_note_then_a_public_reply_then_only_the_reply_is_the_first_response(
    api: Any, ticket: Any
) -> None:
    made = ticket()
    path = f"/v1/tickets/{made['ticket_id']}"

    api.post(f"{path}/messages", {"text": "check logs", "visibility": "internal"}, as_=AGENT)
    after_note = api.get(path).json
    api.post(f"{path}/messages", {"text": "We are on it"}, as_=AGENT)
    after_reply = api.get(path).json

    assert after_note["first_response_at"] is None
    assert after_reply["first_response_at"] is not None
    assert after_reply["status"] == "open"


def test_given_an_automatic_answer_then_it_is_no_first_response(api: Any, ticket: Any) -> None:
    from chalicelib.desk import service

    from .conftest import NOW

    made = ticket()
    service.tell_customer("acme", made["ticket_id"], "We got your message", reason="ack", now=NOW)

    after = api.get(f"/v1/tickets/{made['ticket_id']}").json
    (message,) = _thread(api, made["ticket_id"])
    assert after["first_response_at"] is None
    assert message["automatic"] is True
    assert message["author_kind"] == "system"


def test_given_an_internal_note_when_the_customer_contact_reads_the_thread_then_it_is_hidden(
    api: Any, ticket: Any, customer: Any
) -> None:
    made = ticket()
    path = f"/v1/tickets/{made['ticket_id']}/messages"
    api.post(path, {"text": "public answer"})
    api.post(path, {"text": SECRET, "visibility": "internal"})

    seen = _thread(api, made["ticket_id"], **contact_of(customer.customer_id))

    assert [m["text"] for m in seen] == ["public answer"]


def test_given_a_customer_contact_when_it_replies_then_its_message_is_public_from_the_customer(
    api: Any, ticket: Any, customer: Any
) -> None:
    made = ticket()
    path = f"/v1/tickets/{made['ticket_id']}/messages"

    reply = api.post(path, {"text": "still broken"}, **contact_of(customer.customer_id))
    note = api.post(
        path, {"text": "x", "visibility": "internal"}, **contact_of(customer.customer_id)
    )

    assert reply.status_code == 201, reply.json
    assert reply.json["author_kind"] == "customer"
    assert note.status_code == 403


def test_given_a_contact_of_another_customer_when_it_asks_for_the_ticket_then_404(
    api: Any, ticket: Any, other_customer: Any
) -> None:
    made = ticket()
    them = contact_of(other_customer.customer_id)

    assert api.get(f"/v1/tickets/{made['ticket_id']}", **them).status_code == 404
    assert api.get(f"/v1/tickets/{made['ticket_id']}/messages", **them).status_code == 404
    assert (
        api.post(f"/v1/tickets/{made['ticket_id']}/messages", {"text": "hi"}, **them).status_code
        == 404
    )


def test_given_a_customer_contact_then_every_other_route_is_403(
    api: Any, ticket: Any, customer: Any
) -> None:
    made = ticket()
    me = contact_of(customer.customer_id)

    for method, path in (
        ("GET", f"/v1/customers/{customer.customer_id}"),
        ("GET", f"/v1/customers/{customer.customer_id}/360"),
        ("GET", "/v1/customers?tier=standard"),
        ("PATCH", f"/v1/tickets/{made['ticket_id']}"),
        ("GET", "/v1/saved-replies"),
        ("GET", "/v1/desk/settings"),
        ("GET", "/v1/opportunities?scope=all"),
    ):
        response = api.call(method, path, {} if method == "PATCH" else None, **me)
        assert response.status_code == 403, (method, path, response.json)
    assert api.get("/v1/tickets?status=new", **me).status_code == 403
    mine = api.get(f"/v1/tickets?customer={customer.customer_id}", **me)
    assert [t["ticket_id"] for t in mine.json["items"]] == [made["ticket_id"]]


def test_given_finance_and_legal_then_no_ticket_text_is_shown(api: Any, ticket: Any) -> None:
    made = ticket(subject=SECRET, description=SECRET)
    api.post(f"/v1/tickets/{made['ticket_id']}/messages", {"text": SECRET})

    for role in (FINANCE, LEGAL):
        view = api.get(f"/v1/tickets/{made['ticket_id']}", as_=role)
        thread = api.get(f"/v1/tickets/{made['ticket_id']}/messages", as_=role)
        assert view.status_code == 200
        assert thread.status_code == 200
        assert SECRET not in view.body.decode() + thread.body.decode()
        assert thread.json["items"][0]["text"] is None


def test_given_a_ticket_when_its_customer_360_is_read_then_working_tickets_show_latest_first(
    api: Any, ticket: Any, customer: Any
) -> None:
    first = ticket(subject="first")
    second = ticket(subject="second")
    done = ticket(subject="done")
    api.patch(f"/v1/tickets/{done['ticket_id']}", {"status": "closed"})

    view = api.get(f"/v1/customers/{customer.customer_id}/360").json

    assert [t["ticket_id"] for t in view["tickets"]] == [second["ticket_id"], first["ticket_id"]]


def test_given_a_customer_contact_when_every_route_not_opened_to_contacts_is_called_then_403(
    api: Any,
) -> None:
    import re

    import app  # noqa: F401 - registers every route
    from chalicelib.core.http import ROUTE_DOCS

    closed = [(p, m) for (p, m), doc in ROUTE_DOCS.items() if not doc.public and not doc.contacts]
    opened = sorted(p for (p, _m), doc in ROUTE_DOCS.items() if doc.contacts)

    for path, method in closed:
        url = re.sub(r"{[^}]+}", "x", path)
        response = api.call(method, url, {}, **contact_of("C1"))
        assert response.status_code == 403, (method, path, response.status_code)
    assert set(opened) == {
        "/v1/tickets",
        "/v1/tickets/{ticket_id}",
        "/v1/tickets/{ticket_id}/messages",
        "/v1/tickets/{ticket_id}/answer-confirmation",  # the contact confirms a KB answer
    }


def test_given_a_closed_ticket_when_its_customer_contact_replies_then_a_new_linked_ticket_opens(
    api: Any, ticket: Any, customer: Any
) -> None:
    made = ticket()
    api.patch(f"/v1/tickets/{made['ticket_id']}", {"status": "closed"})

    reply = api.post(
        f"/v1/tickets/{made['ticket_id']}/messages",
        {"text": "it broke again"},
        **contact_of(customer.customer_id),
    )

    assert reply.status_code == 201, reply.json
    assert reply.json["ticket_id"] != made["ticket_id"]
    follow_up = api.get(f"/v1/tickets/{reply.json['ticket_id']}").json
    assert follow_up["linked_ticket_id"] == made["ticket_id"]
    assert follow_up["status"] == "new"


def _texts(api: Any, ticket_id: str) -> list[str]:
    return [m["text"] for m in api.get(f"/v1/tickets/{ticket_id}/messages").json["items"]]


def _as_read(ticket_id: str) -> Any:
    from chalicelib.desk import store

    found = store.current("acme", ticket_id)
    assert found is not None
    return found


def _note_from(read: Any, text: str) -> None:
    """An agent's internal note written from a ticket as it was read."""
    from chalicelib.desk import store, thread

    thread.write_message(
        read,
        store.now(),
        text=text,
        author_id="ann",
        author_kind="agent",
        visibility="internal",
        touch_only=True,
    )


def test_given_a_note_written_since_the_read_when_another_note_is_added_then_both_are_kept(
    api: Any, ticket: Any
) -> None:
    made = ticket()
    read = _as_read(made["ticket_id"])
    meanwhile = {"text": "first", "visibility": "internal"}
    assert api.post(f"/v1/tickets/{made['ticket_id']}/messages", meanwhile).status_code == 201

    _note_from(read, "second")  # what a second agent's request read before the first wrote

    assert _texts(api, made["ticket_id"]) == ["first", "second"]
    assert api.get(f"/v1/tickets/{made['ticket_id']}").json["version"] == made["version"] + 2


def test_given_a_status_change_since_the_read_when_a_note_is_added_then_it_is_refused(
    api: Any, ticket: Any
) -> None:
    made = ticket()
    read = _as_read(made["ticket_id"])
    moved = api.patch(f"/v1/tickets/{made['ticket_id']}", {"status": "on_hold"})
    assert moved.status_code == 200, moved.json

    from chalicelib.desk import store

    with pytest.raises(store.Raced):
        _note_from(read, "late")
    assert "late" not in _texts(api, made["ticket_id"])
