"""Publishing to the bus: batches of 10, retry only what failed, then the DLQ, then raise."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core.events import EventPublishError, Publisher, chunk_entries
from chalicelib.customers.events import CustomerDeleted


def _details(count: int) -> list[CustomerDeleted]:
    return [
        CustomerDeleted(
            event_id=f"e{index}",
            tenant_id="t1",
            correlation_id="c",
            occurred_at=datetime(2026, 5, 28, tzinfo=UTC),
            customer_id=f"c{index}",
            soft=True,
        )
        for index in range(count)
    ]


class FakeEvents:
    """EventBridge that rejects chosen events a number of times, or always."""

    def __init__(self, reject: dict[str, int] | None = None, down: bool = False) -> None:
        self.reject = dict(reject or {})
        self.down = down
        self.calls: list[list[str]] = []
        self.accepted: list[str] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        ids = [json.loads(entry["Detail"])["event_id"] for entry in Entries]
        self.calls.append(ids)
        if self.down:
            raise ConnectionError("endpoint unreachable")
        results = []
        for event_id in ids:
            if self.reject.get(event_id, 0) > 0:
                self.reject[event_id] -= 1
                results.append({"ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"})
            else:
                self.accepted.append(event_id)
                results.append({"EventId": event_id})
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


class FakeSqs:
    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.messages: list[dict[str, Any]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        if self.down:
            raise ConnectionError("queue unreachable")
        self.messages.extend(json.loads(entry["MessageBody"]) for entry in Entries)
        return {"Successful": [{"Id": entry["Id"]} for entry in Entries]}


def _publisher(events: FakeEvents, sqs: FakeSqs, dlq: str | None = "https://dlq") -> Publisher:
    return Publisher(events, sqs, bus_name="crm", dlq_url=dlq, max_attempts=3, sleep=lambda _: None)


def test_given_25_events_when_published_then_three_calls_of_at_most_ten_are_made():
    events = FakeEvents()

    report = _publisher(events, FakeSqs()).publish(_details(25))

    assert [len(call) for call in events.calls] == [10, 10, 5]
    assert report.published == 25


def test_given_one_rejected_entry_when_published_then_only_that_entry_is_sent_again():
    events = FakeEvents(reject={"e3": 1})

    _publisher(events, FakeSqs()).publish(_details(5))

    assert events.calls[1] == ["e3"]
    assert sorted(events.accepted) == ["e0", "e1", "e2", "e3", "e4"]


def test_given_an_entry_that_keeps_failing_when_published_then_it_is_parked_on_the_dlq():
    events, sqs = FakeEvents(reject={"e1": 99}), FakeSqs()

    report = _publisher(events, sqs).publish(_details(3))

    assert len(events.calls) == 3  # bounded attempts
    assert [m["entry"]["DetailType"] for m in sqs.messages] == ["Customer Deleted"]
    assert json.loads(sqs.messages[0]["entry"]["Detail"])["event_id"] == "e1"
    assert "ThrottlingException" in sqs.messages[0]["error"]
    assert (report.published, report.dead_lettered) == (2, 1)


def test_given_eventbridge_down_and_the_dlq_down_when_published_then_it_raises_naming_the_events():
    with pytest.raises(EventPublishError) as raised:
        _publisher(FakeEvents(down=True), FakeSqs(down=True)).publish(_details(2))

    assert set(raised.value.failed_event_ids) == {"e0", "e1"}


def test_given_no_dlq_configured_when_an_entry_keeps_failing_then_it_raises():
    with pytest.raises(EventPublishError):
        _publisher(FakeEvents(reject={"e0": 99}), FakeSqs(), dlq=None).publish(_details(1))


def test_given_large_entries_when_chunked_then_no_call_exceeds_256_kib():
    entry = {"Source": "crm.x", "DetailType": "X", "Detail": "x" * 100_000}

    chunks = chunk_entries([entry] * 5)

    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
