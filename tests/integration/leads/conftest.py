"""Fixtures of the leads tests: the API, a small sales org in the directory, the stream run on
moto's table stream (the real engine, events collected), and the timer state machine on moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core.settings import get_settings

ADMIN = ("ada", "admin")
ANN = ("ann", "sales_rep")  # team east
BEN = ("ben", "sales_rep")  # team east
CAL = ("cal", "sales_rep")  # team west
MAX = ("max", "sales_manager")  # manages east
OLGA = ("olga", "sales_manager")  # manages west
VIC = ("vic", "viewer")
PHONE = "13800138000"


class Stream:
    """Runs the stream function over what the table's stream holds, until it is quiet."""

    def __init__(self) -> None:
        import boto3

        self.client = boto3.client("dynamodbstreams", region_name="us-east-1")
        self.iterator: str | None = None
        self.events: list[Any] = []

    def _records(self) -> list[dict[str, Any]]:
        import boto3

        if self.iterator is None:
            table = boto3.client("dynamodb", region_name="us-east-1").describe_table(
                TableName=get_settings().table_name
            )["Table"]
            shard = self.client.describe_stream(StreamArn=table["LatestStreamArn"])
            self.iterator = self.client.get_shard_iterator(
                StreamArn=table["LatestStreamArn"],
                ShardId=shard["StreamDescription"]["Shards"][0]["ShardId"],
                ShardIteratorType="TRIM_HORIZON",
            )["ShardIterator"]
        response = self.client.get_records(ShardIterator=self.iterator)
        self.iterator = response["NextShardIterator"]
        records = []
        for raw in response["Records"]:
            record = dict(raw)
            moment = record["dynamodb"].get("ApproximateCreationDateTime")
            if isinstance(moment, datetime):
                record["dynamodb"]["ApproximateCreationDateTime"] = moment.timestamp()
            record["eventSourceARN"] = "arn:aws:dynamodb:us-east-1:123456789012:table/crm/stream/x"
            records.append(record)
        return records

    def run(self, now: datetime | None = None) -> list[Any]:
        """Process every record (and those the followers write), return the events published."""
        from chalicelib.core.stream import handle_stream_batch

        published: list[Any] = []
        for _round in range(10):
            records = self._records()
            if not records:
                break
            result = handle_stream_batch(
                {"Records": records},
                None,
                publish=published.extend,
                clock=(lambda: now) if now else None,
            )
            assert result == {"batchItemFailures": []}, result
        self.events += published
        return published


def detail_types(events: list[Any]) -> list[str]:
    return [e.DETAIL_TYPE for e in events]


@pytest.fixture
def stream(api: Any) -> Stream:
    return Stream()


@pytest.fixture
def org(api: Any) -> dict[str, Any]:
    """Teams east (max; ann, ben) and west (olga; cal), in the directory."""
    for team in ("east", "west"):
        response = api.post("/v1/directory/teams", {"team_id": team, "name": team.title()})
        assert response.status_code == 201, response.json
    for user, roles, team, manager in (
        ("max", ["sales_manager"], "east", None),
        ("olga", ["sales_manager"], "west", None),
        ("ann", ["sales_rep"], "east", "max"),
        ("ben", ["sales_rep"], "east", "max"),
        ("cal", ["sales_rep"], "west", "olga"),
    ):
        body = {"user_id": user, "display_name": user.title(), "roles": roles, "team_id": team}
        if manager:
            body["manager_id"] = manager
        response = api.post("/v1/directory/users", body)
        assert response.status_code == 201, response.json
    for team, manager in (("east", "max"), ("west", "olga")):
        response = api.patch(f"/v1/directory/teams/{team}", {"manager_id": manager})
        assert response.status_code == 200, response.json
    return {"east": ["ann", "ben"], "west": ["cal"]}


def capture(api: Any, body: dict[str, Any], as_: tuple[str, str] = ADMIN, **kw: Any) -> Any:
    team = kw.pop("team", {"ann": "east", "ben": "east", "max": "east", "cal": "west"}.get(as_[0]))
    return api.post("/v1/leads", body, as_=as_, team=team, **kw)


def lead_of(api: Any, lead_id: str) -> dict[str, Any]:
    response = api.get(f"/v1/leads/{lead_id}", as_=ADMIN)
    assert response.status_code == 200, response.json
    return dict(response.json)


@pytest.fixture
def step_functions(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The timer state machine on moto; timers go through Step Functions."""
    import boto3

    from infra.statemachines import timer_definition

    client = boto3.client("stepfunctions", region_name="us-east-1")
    definition = timer_definition(
        "arn:aws:lambda:us-east-1:123456789012:function:crm-timers",
        "arn:aws:lambda:us-east-1:123456789012:function:crm-nightly",
    )
    arn = client.create_state_machine(
        name="crm-timers",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/crm-timers",
    )["stateMachineArn"]
    monkeypatch.setenv("CRM_TIMER_BACKEND", "stepfunctions")
    monkeypatch.setenv("CRM_TIMER_STATE_MACHINE_ARN", arn)
    get_settings.cache_clear()
    return client, arn


def executions(sfn: Any) -> list[dict[str, Any]]:
    """The first-contact timers (job steps left out), described."""
    client, arn = sfn
    return [
        client.describe_execution(executionArn=e["executionArn"])
        for e in client.list_executions(stateMachineArn=arn)["executions"]
        if e["name"].startswith("lead-")
    ]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
