"""Splitting and merging tickets: messages keep their origin; concurrent merges and edits
cannot both win (one transaction on the tickets' versions)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.desk import merging


def _messages(api: Any, ticket_id: str) -> list[dict[str, Any]]:
    return list(api.get(f"/v1/tickets/{ticket_id}/messages").json["items"])


def test_given_a_ticket_when_two_messages_are_split_off_then_they_move_to_a_linked_ticket(
    api: Any, ticket: Any
) -> None:
    made = ticket()
    path = f"/v1/tickets/{made['ticket_id']}"
    ids = [api.post(f"{path}/messages", {"text": f"m{i}"}).json["message_id"] for i in range(3)]

    split = api.post(f"{path}/split", {"message_ids": ids[1:], "subject": "Second problem"})

    assert split.status_code == 201, split.json
    assert split.json["linked_ticket_id"] == made["ticket_id"]
    moved = _messages(api, split.json["ticket_id"])
    assert [m["text"] for m in moved] == ["m1", "m2"]
    assert {m["origin_ticket_id"] for m in moved} == {made["ticket_id"]}
    assert [m["text"] for m in _messages(api, made["ticket_id"])] == ["m0"]


def test_given_two_tickets_when_merged_then_every_message_is_kept_with_its_origin(
    api: Any, ticket: Any
) -> None:
    source, target = ticket(), ticket()
    api.post(f"/v1/tickets/{source['ticket_id']}/messages", {"text": "from source"})
    api.post(f"/v1/tickets/{target['ticket_id']}/messages", {"text": "from target"})

    merged = api.post(f"/v1/tickets/{source['ticket_id']}/merge", {"into": target["ticket_id"]})

    assert merged.status_code == 200, merged.json
    assert merged.json["source"]["status"] == "closed"
    assert merged.json["source"]["merged_into"] == target["ticket_id"]
    texts = {m["text"]: m["origin_ticket_id"] for m in _messages(api, target["ticket_id"])}
    assert texts == {"from source": source["ticket_id"], "from target": None}
    assert [m["text"] for m in _messages(api, source["ticket_id"])] == ["from source"]


def test_given_a_merged_ticket_when_merged_again_then_422(api: Any, ticket: Any) -> None:
    source, target, third = ticket(), ticket(), ticket()
    api.post(f"/v1/tickets/{source['ticket_id']}/merge", {"into": target["ticket_id"]})

    again = api.post(f"/v1/tickets/{source['ticket_id']}/merge", {"into": third["ticket_id"]})

    assert again.status_code == 422


def test_given_a_merge_into_a_ticket_that_does_not_exist_then_422_names_into(
    api: Any, ticket: Any
) -> None:
    source = ticket()

    refused = api.post(f"/v1/tickets/{source['ticket_id']}/merge", {"into": "01NOSUCHTICKET"})

    assert refused.status_code == 422, refused.json
    assert refused.json["field"] == "into"


def test_given_two_merges_crossing_when_both_run_at_once_then_one_wins(
    api: Any, ticket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = ticket(), ticket()
    read = merging.workable_item
    calls: list[str] = []

    def meanwhile(principal: Any, ticket_id: str, expected: int | None = None) -> Any:
        found = read(principal, ticket_id, expected)
        calls.append(ticket_id)
        if len(calls) == 2:  # both read by A->B: B->A runs to its end before A->B writes
            monkeypatch.setattr(merging, "workable_item", read)
            done = api.post(f"/v1/tickets/{b['ticket_id']}/merge", {"into": a["ticket_id"]})
            assert done.status_code == 200, done.json
        return found

    monkeypatch.setattr(merging, "workable_item", meanwhile)
    lost = api.post(f"/v1/tickets/{a['ticket_id']}/merge", {"into": b["ticket_id"]})

    assert lost.status_code == 412
    after_a = api.get(f"/v1/tickets/{a['ticket_id']}").json
    after_b = api.get(f"/v1/tickets/{b['ticket_id']}").json
    assert after_b["merged_into"] == a["ticket_id"]
    assert after_a["merged_into"] is None


def test_given_a_merge_and_a_patch_at_once_then_one_wins(
    api: Any, ticket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = ticket(), ticket()
    read = merging.workable_item
    calls: list[str] = []

    def meanwhile(principal: Any, ticket_id: str, expected: int | None = None) -> Any:
        found = read(principal, ticket_id, expected)
        calls.append(ticket_id)
        if len(calls) == 2:
            patched = api.patch(f"/v1/tickets/{a['ticket_id']}", {"status": "on_hold"})
            assert patched.status_code == 200, patched.json
        return found

    monkeypatch.setattr(merging, "workable_item", meanwhile)
    lost = api.post(f"/v1/tickets/{a['ticket_id']}/merge", {"into": b["ticket_id"]})

    assert lost.status_code == 412
    after = api.get(f"/v1/tickets/{a['ticket_id']}").json
    assert after["status"] == "on_hold"
    assert after["merged_into"] is None
