"""Fixtures of the knowledge tests: the table's stream fed to the stream function in-process
(it re-indexes published articles), articles written and published through the API, and the
area's per-process caches dropped after each test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from chalicelib.core.settings import get_settings


class Stream:
    """The table's stream on moto, fed to the stream function; published events recorded."""

    def __init__(self) -> None:
        import boto3

        self.client = boto3.client("dynamodbstreams", region_name="us-east-1")
        table = boto3.client("dynamodb", region_name="us-east-1").describe_table(
            TableName=get_settings().table_name
        )
        self.arn = table["Table"]["LatestStreamArn"]
        self.published: list[Any] = []
        self._iterator: str | None = None

    def records(self) -> list[dict[str, Any]]:
        if self._iterator is None:
            shard = self.client.describe_stream(StreamArn=self.arn)["StreamDescription"]
            self._iterator = self.client.get_shard_iterator(
                StreamArn=self.arn,
                ShardId=shard["Shards"][0]["ShardId"],
                ShardIteratorType="TRIM_HORIZON",
            )["ShardIterator"]
        response = self.client.get_records(ShardIterator=self._iterator)
        self._iterator = response["NextShardIterator"]
        found = []
        for record in response["Records"]:
            moment = record["dynamodb"].get("ApproximateCreationDateTime")
            if isinstance(moment, datetime):
                record["dynamodb"]["ApproximateCreationDateTime"] = moment.timestamp()
            record["eventSourceARN"] = "arn:aws:dynamodb:us-east-1:123456789012:table/crm/stream/x"
            found.append(record)
        return found

    def run(self) -> list[dict[str, Any]]:
        from chalicelib.core.events import PublishReport
        from chalicelib.core.stream import handle_stream_batch

        def publish(details: Any) -> PublishReport:
            self.published.extend(details)
            return PublishReport(published=len(details), dead_lettered=0)

        batch = self.records()
        if batch:
            response = handle_stream_batch({"Records": batch}, None, publish=publish)
            assert response["batchItemFailures"] == []
        return batch

    def detail_types(self) -> list[str]:
        return [d.DETAIL_TYPE for d in self.published]


@pytest.fixture
def stream(aws: None) -> Stream:
    return Stream()


@pytest.fixture
def write(api: Any) -> Callable[..., dict[str, Any]]:
    """A draft written through the API (as an admin unless told)."""

    def make(
        title: str, body: str, language: str = "en", tags: list[str] | None = None, **kw: Any
    ) -> dict[str, Any]:
        created = api.post(
            "/v1/knowledge/articles",
            {"title": title, "body": body, "language": language, "tags": tags or []},
            **kw,
        )
        assert created.status_code == 201, created.json
        article: dict[str, Any] = created.json
        return article

    return make


@pytest.fixture
def publish(api: Any, write: Callable[..., dict[str, Any]], stream: Stream) -> Callable[..., str]:
    """An article written, published and indexed (the stream has run); its id."""

    def make(title: str, body: str, language: str = "en", tags: list[str] | None = None) -> str:
        article = write(title, body, language, tags)
        published = api.post(f"/v1/knowledge/articles/{article['article_id']}/publish")
        assert published.status_code == 200, published.json
        stream.run()
        return str(article["article_id"])

    return make
