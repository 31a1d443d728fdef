"""Device alarms open fault tickets for the device's owner (joining the open one for the same
fault), the registry is the admins', and web chat sessions are threads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from .conftest import SECRET, Hooks

ALARM = {
    "device_id": "PUR-2026-000042",
    "fault_code": "E42",
    "severity": "critical",
    "occurred_at": "2026-12-01T08:00:00+08:00",
    "readings": {"pressure_kpa": 12.5, "filter": "clogged"},
}


@pytest.fixture
def owner(customer_maker: Callable[..., Any], api: Any, channel: Any) -> str:
    customer = customer_maker("acme", name="上海新华印刷厂")
    channel("device", secret=SECRET)
    response = api.put(
        "/v1/desk/devices/PUR-2026-000042",
        {
            "customer_id": customer.customer_id,
            "model": "AquaPure X5",
            "installed_at": "2025-06-01T00:00:00Z",
        },
    )
    assert response.status_code == 200, response.json
    return str(customer.customer_id)


def _ticket(ticket_id: str) -> Any:
    from chalicelib.desk.service import get_ticket

    return get_ticket("acme", ticket_id)


def test_given_a_known_device_when_it_alarms_then_a_fault_ticket_opens_for_its_owner(
    hooks: Hooks, owner: str
) -> None:
    response = hooks.signed("/v1/channels/acme/device-alarms", ALARM)

    assert response.status_code == 202, response.json
    ticket = _ticket(response.json["ticket_id"])
    assert (ticket.customer_id, ticket.type, ticket.channel) == (owner, "fault", "device")
    assert "pressure_kpa: 12.5" in ticket.description


def test_given_an_open_fault_ticket_when_the_same_fault_alarms_again_then_it_joins_it(
    hooks: Hooks, owner: str
) -> None:
    first = hooks.signed("/v1/channels/acme/device-alarms", ALARM).json
    again = hooks.signed(
        "/v1/channels/acme/device-alarms", {**ALARM, "occurred_at": "2026-12-01T09:00:00+08:00"}
    ).json
    other = hooks.signed("/v1/channels/acme/device-alarms", {**ALARM, "fault_code": "E7"}).json

    assert (again["ticket_id"], again["created"]) == (first["ticket_id"], False)
    assert other["created"] is True
    assert other["ticket_id"] != first["ticket_id"]


def test_given_a_resolved_fault_ticket_when_the_fault_alarms_again_then_a_new_ticket_opens(
    hooks: Hooks, owner: str
) -> None:
    from chalicelib.desk.service import change_status

    first = hooks.signed("/v1/channels/acme/device-alarms", ALARM).json
    change_status("acme", first["ticket_id"], "resolved", datetime.now(UTC))

    again = hooks.signed(
        "/v1/channels/acme/device-alarms", {**ALARM, "occurred_at": "2026-12-02T08:00:00+08:00"}
    ).json

    assert again["created"] is True
    assert again["ticket_id"] != first["ticket_id"]


def test_given_an_unknown_device_when_it_alarms_then_422_names_device_id(
    hooks: Hooks, owner: str
) -> None:
    response = hooks.signed("/v1/channels/acme/device-alarms", {**ALARM, "device_id": "NOPE-1"})

    assert response.status_code == 422
    assert response.json["field"] == "device_id"
    assert "NOPE-1" in response.json["detail"]


def test_given_a_sales_rep_when_registering_a_device_then_403(api: Any, owner: str) -> None:
    body = {"customer_id": owner, "model": "X", "installed_at": "2025-06-01T00:00:00Z"}
    assert api.put("/v1/desk/devices/D-2", body, as_=("rob", "sales_rep")).status_code == 403


def test_given_another_tenant_when_reading_a_device_then_404(api: Any, owner: str) -> None:
    assert api.get("/v1/desk/devices/PUR-2026-000042", tenant="globex").status_code == 404
    assert api.get("/v1/desk/devices/PUR-2026-000042").json["customer_id"] == owner


def test_given_a_registered_device_when_changed_without_if_match_then_412(
    api: Any, owner: str
) -> None:
    body = {"customer_id": owner, "model": "AquaPure X6", "installed_at": "2025-06-01T00:00:00Z"}

    assert api.put("/v1/desk/devices/PUR-2026-000042", body).status_code == 412
    changed = api.put("/v1/desk/devices/PUR-2026-000042", body, headers={"If-Match": '"1"'})
    assert (changed.status_code, changed.json["model"]) == (200, "AquaPure X6")
    assert [
        d["device_id"] for d in api.get(f"/v1/desk/devices?customer_id={owner}").json["items"]
    ] == ["PUR-2026-000042"]


def test_given_a_web_chat_session_when_two_messages_arrive_then_they_share_one_ticket(
    hooks: Hooks, channel: Any
) -> None:
    channel("webchat", secret=SECRET)
    message = {
        "session_id": "sess-9f2c",
        "message_id": "m1",
        "text": "How do I reset my router?",
        "visitor": {"email": "visitor@example.com", "name": "Visitor"},
    }

    first = hooks.signed("/v1/channels/acme/webchat", message).json
    second = hooks.signed(
        "/v1/channels/acme/webchat", {**message, "message_id": "m2", "text": "Still stuck"}
    ).json

    assert first["created"] is True
    assert (second["ticket_id"], second["created"]) == (first["ticket_id"], False)
    assert _ticket(first["ticket_id"]).channel == "webchat"


def test_given_an_anonymous_visitor_when_two_messages_arrive_then_they_share_one_ticket(
    hooks: Hooks, channel: Any
) -> None:
    channel("webchat", secret=SECRET)
    message = {"session_id": "sess-anon", "message_id": "m1", "text": "你好"}

    first = hooks.signed("/v1/channels/acme/webchat", message).json
    second = hooks.signed("/v1/channels/acme/webchat", {**message, "message_id": "m2"}).json

    assert (second["ticket_id"], second["created"]) == (first["ticket_id"], False)


def test_given_a_huge_web_chat_body_when_posted_then_413(hooks: Hooks, channel: Any) -> None:
    channel("webchat", secret=SECRET)
    body = {"session_id": "s", "message_id": "m", "text": "x" * 300_000}
    assert hooks.signed("/v1/channels/acme/webchat", body).status_code == 413


def test_given_a_web_chat_body_with_unknown_fields_when_posted_then_422(
    hooks: Hooks, channel: Any
) -> None:
    channel("webchat", secret=SECRET)
    body = {"session_id": "s", "message_id": "m", "text": "hi", "admin": True}
    assert hooks.signed("/v1/channels/acme/webchat", body).status_code == 422
