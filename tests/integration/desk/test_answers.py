"""Knowledge answers through the table's stream on moto: a new question ticket with a published
matching article is answered at once and waits for the customer; the customer's confirmation
resolves it or sends it back to its agent; suggestions for agents; a draft article from a
resolved ticket."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from .conftest import AGENT, FINANCE, NOW, OTHER_AGENT, contact_of

QUESTION = "How do I reset the gateway password? The admin password no longer works."
ARTICLE = (
    "Reset the gateway password",
    "Hold the reset button on the gateway for 10 seconds; the admin password goes back to the "
    "one printed on its label.",
)


class TableStream:
    """The table's stream on moto, fed to the stream function in-process; events kept."""

    def __init__(self) -> None:
        import boto3

        from chalicelib.core.settings import get_settings

        self.client = boto3.client("dynamodbstreams", region_name="us-east-1")
        table = boto3.client("dynamodb", region_name="us-east-1").describe_table(
            TableName=get_settings().table_name
        )
        self.arn = table["Table"]["LatestStreamArn"]
        self.published: list[Any] = []
        self._iterator: str | None = None

    def _start(self, where: str) -> None:
        shard = self.client.describe_stream(StreamArn=self.arn)["StreamDescription"]
        self._iterator = self.client.get_shard_iterator(
            StreamArn=self.arn, ShardId=shard["Shards"][0]["ShardId"], ShardIteratorType=where
        )["ShardIterator"]

    def skip(self) -> None:
        """Leave the records written so far unread (the stories' setup)."""
        self._start("LATEST")

    def _records(self) -> list[dict[str, Any]]:
        if self._iterator is None:
            self._start("TRIM_HORIZON")
        response = self.client.get_records(ShardIterator=self._iterator)
        self._iterator = response["NextShardIterator"]
        for record in response["Records"]:
            moment = record["dynamodb"].get("ApproximateCreationDateTime")
            if isinstance(moment, datetime):
                record["dynamodb"]["ApproximateCreationDateTime"] = moment.timestamp()
            record["eventSourceARN"] = "arn:aws:dynamodb:us-east-1:123456789012:table/crm/stream/x"
        return list(response["Records"])

    def run(self, batch: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """Feed the records written since the last run (or `batch` again: a retry)."""
        from chalicelib.core.events import PublishReport
        from chalicelib.core.stream import handle_stream_batch

        def publish(details: Any) -> PublishReport:
            self.published.extend(details)
            return PublishReport(published=len(details), dead_lettered=0)

        batch = batch if batch is not None else self._records()
        if batch:
            response = handle_stream_batch({"Records": batch}, None, publish=publish)
            assert response["batchItemFailures"] == []
        return batch


@pytest.fixture
def table_stream(aws: None) -> TableStream:
    return TableStream()


@pytest.fixture
def published(api: Any, table_stream: TableStream) -> str:
    """The gateway article, written, published and indexed (as its stream record would); its
    id. The stream's stories start after it."""
    from chalicelib.knowledge import search, store

    title, body = ARTICLE
    made = api.post("/v1/knowledge/articles", {"title": title, "body": body, "language": "en"})
    assert made.status_code == 201, made.json
    article_id = str(made.json["article_id"])
    assert api.post(f"/v1/knowledge/articles/{article_id}/publish").status_code == 200
    item = store.get_article("acme", article_id)
    assert item is not None
    search.reindex("acme", article_id, search.article_values(item))
    table_stream.skip()
    return article_id


@pytest.fixture
def answered(
    api: Any, ticket: Callable[..., dict[str, Any]], published: str, table_stream: TableStream
) -> dict[str, Any]:
    """A question ticket (Ann's, queue east) the stream answered at once; its JSON now."""
    made = ticket(
        subject="Gateway password",
        description=QUESTION,
        type="question",
        language="en",
        assignee_id="ann",
        queue="east",
    )
    table_stream.run()
    now = api.get(f"/v1/tickets/{made['ticket_id']}", as_=AGENT)
    return dict(now.json)


def confirm(api: Any, ticket_id: str, resolved: bool, **caller: Any) -> Any:
    return api.post(
        f"/v1/tickets/{ticket_id}/answer-confirmation", {"resolved": resolved}, **caller
    )


def test_given_a_question_with_a_published_match_then_the_customer_is_answered_and_it_waits(
    api: Any, answered: dict[str, Any], published: str, table_stream: TableStream
) -> None:
    ticket_id = answered["ticket_id"]

    assert answered["status"] == "pending_customer"
    assert answered["first_response_at"] is None  # an automatic answer is no first response
    thread = api.get(f"/v1/tickets/{ticket_id}/messages", as_=AGENT).json["items"]
    (told,) = [m for m in thread if m["automatic"]]
    assert told["author_kind"] == "system"
    assert told["visibility"] == "public"
    assert "Hold the reset button" in told["text"]
    suggestions = api.get(f"/v1/tickets/{ticket_id}/suggestions", as_=AGENT).json
    assert suggestions["state"] == "awaiting"
    assert suggestions["answered_article_id"] == published
    assert suggestions["items"][0]["article_id"] == published
    assert suggestions["items"][0]["confident"] is True
    table_stream.run()
    replied = [d for d in table_stream.published if d.DETAIL_TYPE == "Ticket Replied"]
    assert [d.automatic for d in replied] == [True]


def test_given_a_retried_stream_record_then_the_customer_is_answered_once(
    api: Any, ticket: Callable[..., dict[str, Any]], published: str, table_stream: TableStream
) -> None:
    made = ticket(subject="Gateway password", description=QUESTION, type="question", language="en")
    batch = table_stream.run()
    table_stream.run(batch)  # the same records delivered again

    thread = api.get(f"/v1/tickets/{made['ticket_id']}/messages", as_=AGENT).json["items"]
    assert len([m for m in thread if m["automatic"]]) == 1


def test_given_an_answer_when_the_customer_confirms_then_resolved_and_a_second_answer_is_409(
    api: Any, answered: dict[str, Any], customer: Any
) -> None:
    ticket_id = answered["ticket_id"]
    contact = contact_of(customer.customer_id)

    first = confirm(api, ticket_id, True, **contact)
    again = confirm(api, ticket_id, False, **contact)

    assert first.status_code == 200, first.json
    assert first.json["state"] == "confirmed"
    assert api.get(f"/v1/tickets/{ticket_id}", as_=AGENT).json["status"] == "resolved"
    assert again.status_code == 409


def test_given_an_answer_when_it_did_not_help_then_back_to_its_agent_and_counted_as_a_gap(
    api: Any, answered: dict[str, Any]
) -> None:
    from chalicelib.knowledge import gap_store

    ticket_id = answered["ticket_id"]

    declined = confirm(api, ticket_id, False, as_=AGENT)  # on the customer's behalf

    assert declined.status_code == 200, declined.json
    now = api.get(f"/v1/tickets/{ticket_id}", as_=AGENT).json
    assert (now["status"], now["assignee_id"], now["queue"]) == ("open", "ann", "east")
    assert [g.last_ticket_id for g in gap_store.top_gaps("acme", 10)] == [ticket_id]


def test_given_an_answer_when_others_confirm_then_404_for_another_contact_and_403_for_roles(
    api: Any, answered: dict[str, Any], other_customer: Any
) -> None:
    ticket_id = answered["ticket_id"]

    assert (
        confirm(api, ticket_id, True, **contact_of(other_customer.customer_id)).status_code == 404
    )
    assert confirm(api, ticket_id, True, as_=FINANCE).status_code == 403
    assert confirm(api, ticket_id, True, as_=OTHER_AGENT).status_code == 403  # not Ann's peer
    assert api.get(f"/v1/tickets/{ticket_id}/suggestions", as_=FINANCE).status_code == 403
    assert api.get(f"/v1/tickets/{ticket_id}", as_=AGENT).json["status"] == "pending_customer"


def test_given_a_question_nothing_answers_then_no_answer_and_it_counts_as_a_gap(
    api: Any, ticket: Callable[..., dict[str, Any]], published: str, table_stream: TableStream
) -> None:
    from chalicelib.knowledge import gap_store

    made = ticket(subject="Invoice", description="How do I get a VAT invoice?", type="question")
    table_stream.run()

    now = api.get(f"/v1/tickets/{made['ticket_id']}", as_=AGENT).json
    assert now["status"] == "new"
    assert api.get(f"/v1/tickets/{made['ticket_id']}/suggestions", as_=AGENT).json["state"] == (
        "suggested"
    )
    assert confirm(api, made["ticket_id"], True, as_=AGENT).status_code == 409
    assert [g.last_ticket_id for g in gap_store.top_gaps("acme", 10)] == [made["ticket_id"]]


def test_given_a_resolved_ticket_then_its_draft_article_holds_the_agents_reply_once(
    api: Any, ticket: Callable[..., dict[str, Any]], aws: None
) -> None:
    made = ticket(subject="VAT invoice", description="How do I get a VAT invoice?")
    path = f"/v1/tickets/{made['ticket_id']}"
    reply = {"text": "Open Billing, choose the order and press Request invoice."}
    assert api.post(f"{path}/messages", reply).status_code == 201
    early = api.post(f"{path}/article", {}, as_=AGENT)
    api.patch(path, {"status": "resolved"})

    drafted = api.post(f"{path}/article", {}, as_=AGENT, headers={"Idempotency-Key": "a-1"})
    again = api.post(f"{path}/article", {}, as_=AGENT)

    assert early.status_code == 409
    assert drafted.status_code == 201, drafted.json
    assert again.json["article_id"] == drafted.json["article_id"]
    article = api.get(f"/v1/knowledge/articles/{drafted.json['article_id']}", as_=AGENT).json
    assert article["status"] == "draft"
    assert "Request invoice" in article["body"]
    assert api.post(f"{path}/article", {}, as_=FINANCE).status_code == 403


def test_given_an_answer_told_but_not_marked_when_the_record_is_retried_then_not_told_again(
    api: Any, answered: dict[str, Any], dynamodb_calls: Any
) -> None:
    from chalicelib.desk import answers_service
    from chalicelib.desk import answers_store as store

    ticket_id = answered["ticket_id"]
    item = store.get("acme", ticket_id)
    assert item is not None
    item.state = "answering"  # as if the last attempt stopped after telling the customer
    assert store.save(item)

    state = answers_service.suggest_for("acme", ticket_id, NOW)
    with dynamodb_calls() as calls:
        again = answers_service.suggest_for("acme", ticket_id, NOW)

    assert (state, again) == ("awaiting", "awaiting")
    assert dict(calls) == {"GetItem": 1}  # a replayed record costs one read
    thread = api.get(f"/v1/tickets/{ticket_id}/messages", as_=AGENT).json["items"]
    assert len([m for m in thread if m["automatic"]]) == 1


def test_given_an_answer_claimed_but_never_sent_when_the_record_is_retried_then_it_is_sent(
    api: Any, ticket: Callable[..., dict[str, Any]], published: str
) -> None:
    from chalicelib.desk import answers_service
    from chalicelib.desk import answers_store as store
    from chalicelib.desk.answers import Match

    made = ticket(subject="Gateway password", description=QUESTION, type="question", language="en")
    claimed = store.new(
        "acme",
        made["ticket_id"],
        made["customer_id"],
        suggestions=[Match(published, ARTICLE[0], 5.0, True, "en")],
        state="answering",  # as if the last attempt stopped right after its claim
        reason="confident match",
        article_id=published,
        answer_digest="not-sent-yet",
        now=NOW,
    )
    assert store.save(claimed)

    assert answers_service.suggest_for("acme", made["ticket_id"], NOW) == "awaiting"
    thread = api.get(f"/v1/tickets/{made['ticket_id']}/messages", as_=AGENT).json["items"]
    assert [m["author_kind"] for m in thread if m["automatic"]] == ["system"]
    assert api.get(f"/v1/tickets/{made['ticket_id']}", as_=AGENT).json["status"] == (
        "pending_customer"
    )
