"""Fixtures of the directory tests: a small org entered through the API by an admin, the
stream function run in-process over moto's table stream (events recorded), table timers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from chalicelib.core.settings import get_settings

ADMIN = ("root", "admin")
REP = ("alice", "sales_rep")
OFFICE = {d: [{"start": "09:00", "end": "18:00"}] for d in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def table_timers(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")
    get_settings.cache_clear()


def person(user_id: str, *roles: str, **fields: Any) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "display_name": user_id.capitalize(),
        "roles": list(roles),
        **fields,
    }


@pytest.fixture
def org(aws: None) -> dict[str, Any]:
    """root (admin); team north managed by carol with reps alice and bob; sol, a solutions
    engineer (skill solutions, Shanghai office hours, managed by carol); dave (finance) and
    lena (legal). Entered through the admin use cases (the routes' own tests use HTTP)."""
    from chalicelib.core import Principal, Role
    from chalicelib.directory import admin_service
    from chalicelib.directory.models import TeamCreate, TeamPatch, UserCreate

    root = Principal("acme", "root", frozenset({Role.ADMIN}))
    admin_service.create_team(root, TeamCreate(team_id="north", name="North"))
    people = [
        person("root", "admin"),
        person("carol", "sales_manager", team_id="north", languages=["en", "zh-CN"]),
        person("alice", "sales_rep", team_id="north", languages=["en"], region="cn-east"),
        person("bob", "sales_rep", team_id="north", region="cn-north"),
        person(
            "sol", "sales_rep", skills=["solutions"], manager_id="carol",
            working_hours=OFFICE, time_zone="Asia/Shanghai",
        ),
        person("dave", "finance"),
        person("lena", "legal"),
    ]  # fmt: skip
    created = {
        body["user_id"]: admin_service.create_user(root, UserCreate.model_validate(body))
        for body in people
    }
    admin_service.patch_team(root, "north", TeamPatch(manager_id="carol"), 1)
    return created


class Stream:
    """The table's stream on moto, fed to the stream function in-process; events recorded."""

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

    def run(self, records: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """Feed the new records (or these) to the stream function; the records it was given."""
        from chalicelib.core.events import PublishReport
        from chalicelib.core.stream import handle_stream_batch

        def publish(details: Any) -> PublishReport:
            self.published.extend(details)
            return PublishReport(published=len(details), dead_lettered=0)

        batch = self.records() if records is None else records
        if batch:
            response = handle_stream_batch({"Records": batch}, None, publish=publish)
            assert response["batchItemFailures"] == []
        return batch


@pytest.fixture
def stream(aws: None) -> Stream:
    return Stream()
