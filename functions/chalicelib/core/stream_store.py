"""DynamoDB access of the stream function: customers' aggregates and processed-record markers.

| pattern                                 | table        | call                                    |
|-----------------------------------------|--------------|-----------------------------------------|
| profiles, rules versions, markers       | both         | BatchGetItem, consistent (<= 100 keys), |
|                                         |              | a batch's calls made at once            |
| one profile, fresh (after a lost race)  | crm          | GetItem, consistent                     |
| set aggregates (no version bump)        | crm          | UpdateItem SET aggregates, rev condition|
| mark records processed                  | idempotency  | BatchWriteItem (<= 25 per call), TTL    |

Aggregates are written with a plain UpdateItem on `aggregates` only: the profile's `version`
(the API's ETag) is untouched, so a user's If-Match stays valid.

Processed-record markers live in the idempotency table (key `id`, TTL `expiration`, the
powertools defaults): it has no stream, so markers cause no stream traffic, and they never
show up in a customer's item collection.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from .rule_store import RULES_VERSION_SK
from .settings import get_settings
from .table import PROFILE_SK

MARKER_PREFIX = "stream-record#"
# Stream records live 24 h; a marker must outlive any redelivery of its record.
MARKER_TTL_SECONDS = 48 * 3600
_BATCH_GET_KEYS = 100
_BATCH_WRITE_ITEMS = 25
_MAX_UNPROCESSED_ROUNDS = 5
_MARKER_WRITERS = 4
_READERS = 4

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


@lru_cache(maxsize=1)
def client() -> Any:
    import boto3
    from botocore.config import Config

    settings = get_settings()
    return boto3.client(
        "dynamodb",
        region_name=settings.region,
        endpoint_url=settings.dynamodb_endpoint,
        config=Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2),
    )


def _tables() -> tuple[str, str]:
    settings = get_settings()
    return settings.table_name, settings.idempotency_table_name


def marker_id(event_id: str) -> str:
    return f"{MARKER_PREFIX}{event_id}"


def deserialize(image: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in image.items()}


@dataclass
class Prefetched:
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)  # by pk
    done: set[str] = field(default_factory=set)  # stream record ids processed already
    rules_versions: dict[str, int] = field(default_factory=dict)  # by tenant


def prefetch(
    profile_pks: Iterable[str], event_ids: Iterable[str], tenants: Iterable[str] = ()
) -> Prefetched:
    """What a batch needs before it acts, in as few (consistent) calls as possible: the
    profiles its steps move, which records were processed already, the tenants' rules versions."""
    table, markers = _tables()
    keys: list[tuple[str, dict[str, Any]]] = [
        (table, {"pk": {"S": pk}, "sk": {"S": PROFILE_SK}}) for pk in dict.fromkeys(profile_pks)
    ]
    keys += [
        (table, {"pk": {"S": f"T#{t}"}, "sk": {"S": RULES_VERSION_SK}})
        for t in dict.fromkeys(tenants)
    ]
    keys += [(markers, {"id": {"S": marker_id(e)}}) for e in dict.fromkeys(event_ids)]
    found = Prefetched(rules_versions=dict.fromkeys(tenants, 0))
    requests: list[dict[str, Any]] = []
    for start in range(0, len(keys), _BATCH_GET_KEYS):
        request: dict[str, Any] = {}
        for name, key in keys[start : start + _BATCH_GET_KEYS]:
            request.setdefault(name, {"Keys": [], "ConsistentRead": True})["Keys"].append(key)
        requests.append(request)
    if len(requests) > 1:  # a batch of 100 records is 2 calls or so: made at once
        with ThreadPoolExecutor(max_workers=min(len(requests), _READERS)) as pool:
            answers = [item for items in pool.map(_batch_get, requests) for item in items]
    else:
        answers = [item for request in requests for item in _batch_get(request)]
    for name, item in answers:
        if name != table:
            found.done.add(item["id"]["S"].removeprefix(MARKER_PREFIX))
        elif item["sk"]["S"] == RULES_VERSION_SK:
            found.rules_versions[item["pk"]["S"].removeprefix("T#")] = int(
                item.get("rules_version", {}).get("N", "0")
            )
        else:
            found.profiles[item["pk"]["S"]] = deserialize(item)
    return found


def _batch_get(request: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for round_ in range(_MAX_UNPROCESSED_ROUNDS):
        response = client().batch_get_item(RequestItems=request)
        for name, items in response.get("Responses", {}).items():
            found.extend((name, item) for item in items)
        request = response.get("UnprocessedKeys") or {}
        if not request:
            return found
        time.sleep(0.05 * 2**round_)
    raise RuntimeError("BatchGetItem kept returning unprocessed keys")


def read_profile(pk: str) -> dict[str, Any] | None:
    table, _ = _tables()
    response = client().get_item(
        TableName=table, Key={"pk": {"S": pk}, "sk": {"S": PROFILE_SK}}, ConsistentRead=True
    )
    item = response.get("Item")
    return deserialize(item) if item else None


def write_aggregates(pk: str, aggregates: dict[str, Any], read: dict[str, Any]) -> bool:
    """Replace the profile's aggregates if nobody else did since we `read` them; False if lost.

    The condition is on their revision as read (`_rev`, or `rev` for aggregates written before
    it became internal; absent when never written).
    """
    from .changes import OLD_REV, REV

    table, _ = _tables()
    names = {"#a": "aggregates", "#pk": "pk"}
    values: dict[str, Any] = {":a": _serializer.serialize(aggregates)}
    held = REV if REV in read else OLD_REV if OLD_REV in read else None
    if held is None:
        names["#r"] = REV
        condition = "attribute_exists(#pk) AND attribute_not_exists(#a.#r)"
    else:
        names["#r"] = held
        condition = "attribute_exists(#pk) AND #a.#r = :rev"
        values[":rev"] = {"N": str(int(read[held]))}
    try:
        client().update_item(
            TableName=table,
            Key={"pk": {"S": pk}, "sk": {"S": PROFILE_SK}},
            UpdateExpression="SET #a = :a",
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def park_poison(raw: dict[str, Any], error: Exception) -> bool:
    """Put an unreadable record, whole, on the poison queue; False when there is none or it
    refused (then the record fails and is retried)."""
    url = get_settings().stream_poison_url
    if not url:
        return False
    import boto3

    settings = get_settings()
    body = {"record": raw, "error": f"{type(error).__name__}: {error}", "parked_at": time.time()}
    try:
        boto3.client(
            "sqs", region_name=settings.region, endpoint_url=settings.aws_endpoint
        ).send_message(QueueUrl=url, MessageBody=json.dumps(body, default=str, ensure_ascii=False))
    except Exception:
        return False
    return True


def mark_processed(event_ids: Iterable[str], now_epoch: int) -> None:
    """Remember processed stream records until they can no longer be redelivered.

    A batch of 100 records is 4 BatchWriteItem calls; they are made at once, so marking costs
    one round trip, not four.
    """
    _, markers = _tables()
    expiration = {"N": str(now_epoch + MARKER_TTL_SECONDS)}
    requests = [
        {"PutRequest": {"Item": {"id": {"S": marker_id(e)}, "expiration": expiration}}}
        for e in dict.fromkeys(event_ids)
    ]
    chunks = [
        {markers: requests[start : start + _BATCH_WRITE_ITEMS]}
        for start in range(0, len(requests), _BATCH_WRITE_ITEMS)
    ]
    if len(chunks) <= 1:
        for chunk in chunks:
            _batch_write(chunk)
        return
    with ThreadPoolExecutor(max_workers=min(len(chunks), _MARKER_WRITERS)) as pool:
        list(pool.map(_batch_write, chunks))  # re-raises the first failure


def _batch_write(pending: dict[str, Any]) -> None:
    for round_ in range(_MAX_UNPROCESSED_ROUNDS):
        response = client().batch_write_item(RequestItems=pending)
        pending = response.get("UnprocessedItems") or {}
        if not pending:
            return
        time.sleep(0.05 * 2**round_)
    raise RuntimeError("BatchWriteItem kept returning unprocessed items")
