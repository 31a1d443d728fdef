"""DynamoDB access of the reports area: the only module here that speaks to the table.

| pattern                                   | index | key condition                                   |
|-------------------------------------------|-------|-------------------------------------------------|
| a funnel's days of one month, one scope   | table | pk=T#t#RPT#FUNNEL#<pipeline>#<scope>#<yyyy-mm>, |
|   (scope ALL, O#<owner> or TM#<team>)     |       | sk=D#<yyyy-mm-dd> (one Query per month)         |
| the reps' figures of a month              | table | pk=T#t#RPT#REPS#<yyyy-mm>, sk=O#<owner>         |
| the teams' activity of one local day      | table | pk=T#t#RPT#DAY#<yyyy-mm-dd>, sk=TM#<team>       |
| a team's daily sales report               | table | pk=T#t#RPT#DAILY#<team>, sk=D#<yyyy-mm-dd>      |
| everyone's open tasks (one item each)     | table | pk=T#t#RPT#TASKS, sk=U#<assignee>               |
| service days of a month, one dimension    | table | pk=T#t#RPT#SVC#<dimension>#<yyyy-mm>,           |
|   (priority, queue, agent or all)         |       | sk=<value>#<yyyy-mm-dd> (between: one value)    |
| subject keywords of a month's days        | table | pk=T#t#RPT#SVCKW#<yyyy-mm>, sk=D#<yyyy-mm-dd>   |
| the open tickets now (backlog, ageing)    | table | pk=T#t#RPT#BACKLOG, sk=#NOW                     |

Counters are written only by the stream (the area's followers of sales, leads, customers,
automation, desk and surveys notices): per item, a consistent read, the pure fold
(`rules.fold`: once per notice, by the marks the item keeps) and a put conditioned on the
item's `_rev`, retried on a lost race; a notice retried after a partial write skips the items
that have it. A stream batch folds its notices ahead, together (`apply_ahead`, folding.py): one
read for all their items and one put per item. A counter is a flat
attribute (`entered|proposal`). Nothing on a request path scans: a month of a funnel is one
Query of at most 31 small items.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from ..core import CrmItem, logger, raw_query_page
from . import rules
from .rules import Delta

# A team's day is one item that every follower of the batch may fold into at once (8 customers
# in parallel): a lost race reads again after a short random pause, so the racers spread out
# instead of colliding again (measured on DynamoDB Local with bench/stream_end_to_end.py: five
# immediate attempts failed whole batches there).
MAX_ATTEMPTS = 12
BATCH_GET_KEYS = 100  # DynamoDB's limit per BatchGetItem
BACKOFF_SECONDS = 0.005  # the first pause's upper bound; doubled per lost race, capped below
MAX_BACKOFF_SECONDS = 0.2
_SERIALIZE, _DESERIALIZE = TypeSerializer(), TypeDeserializer()
CONDITION_FAILED = "ConditionalCheckFailedException"
ITEM_TYPES = {
    "funnel": "ReportFunnelDay",
    "rep": "ReportRepMonth",
    "team_day": "ReportTeamDay",
    "tasks": "ReportOpenTasks",
    "svc": "ReportServiceDay",
    "kw": "ReportServiceKeywords",
    "backlog": "ReportServiceBacklog",
}
BACKLOG_SK = "#NOW"


# The kept aggregates. Their counters are flat attributes named by stage (`entered|proposal`),
# which a model cannot declare: they are read and written as plain items; these classes name
# their types and the attributes every one of them has.
class FunnelDayItem(CrmItem, discriminator="ReportFunnelDay"):
    team_id = UnicodeAttribute(null=True)  # the team of the latest deal counted (scope checks)


class RepMonthItem(CrmItem, discriminator="ReportRepMonth"):
    owner_id = UnicodeAttribute()
    team_id = UnicodeAttribute(null=True)


class TeamDayItem(CrmItem, discriminator="ReportTeamDay"):
    pass


class OpenTasksItem(CrmItem, discriminator="ReportOpenTasks"):
    """An assignee's open tasks: `open` and `due|<quarter hour>` counters (task_rules)."""


class ServiceDayItem(CrmItem, discriminator="ReportServiceDay"):
    """A day of the desk under one dimension value (counters: desk_rules)."""


class ServiceKeywordsItem(CrmItem, discriminator="ReportServiceKeywords"):
    """A day's subject keywords (`kw|<word>` counters)."""


class ServiceBacklogItem(CrmItem, discriminator="ReportServiceBacklog"):
    """The tenant's open tickets now (`open|<status>|<priority>`, `age|<day>` counters)."""


class DailyReportItem(CrmItem, discriminator="DailySalesReport"):
    """A team's daily sales report: written once; its insert publishes the event."""

    team_id = UnicodeAttribute()
    day = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    currency = UnicodeAttribute()
    figures_json = UnicodeAttribute()
    produced_at = UTCDateTimeAttribute()


def key_of(tenant_id: str, delta: Delta) -> tuple[str, str]:
    parts = delta.key.parts
    if delta.key.kind == "funnel":
        pipeline, scope, day = parts
        return funnel_pk(tenant_id, pipeline, scope, day[:7]), f"D#{day}"
    if delta.key.kind == "rep":
        month, owner = parts
        return reps_pk(tenant_id, month), f"O#{owner}"
    if delta.key.kind == "tasks":
        (assignee,) = parts
        return tasks_pk(tenant_id), f"U#{assignee}"
    if delta.key.kind == "svc":
        dimension, value, day = parts
        return service_pk(tenant_id, dimension, day[:7]), f"{value}#{day}"
    if delta.key.kind == "kw":
        (day,) = parts
        return keywords_pk(tenant_id, day[:7]), f"D#{day}"
    if delta.key.kind == "backlog":
        return backlog_pk(tenant_id), BACKLOG_SK
    day, team = parts
    return day_pk(tenant_id, day), f"TM#{team}"


def funnel_pk(tenant_id: str, pipeline: str, scope: str, month: str) -> str:
    return f"T#{tenant_id}#RPT#FUNNEL#{pipeline}#{scope}#{month}"


def reps_pk(tenant_id: str, month: str) -> str:
    return f"T#{tenant_id}#RPT#REPS#{month}"


def day_pk(tenant_id: str, day: str) -> str:
    return f"T#{tenant_id}#RPT#DAY#{day}"


def tasks_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#RPT#TASKS"


def daily_pk(tenant_id: str, team_id: str) -> str:
    return f"T#{tenant_id}#RPT#DAILY#{team_id}"


def service_pk(tenant_id: str, dimension: str, month: str) -> str:
    return f"T#{tenant_id}#RPT#SVC#{dimension}#{month}"


def keywords_pk(tenant_id: str, month: str) -> str:
    return f"T#{tenant_id}#RPT#SVCKW#{month}"


def backlog_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#RPT#BACKLOG"


def _client() -> Any:
    return CrmItem._get_connection().connection.client


def _plain(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: _DESERIALIZE.deserialize(v) for k, v in (raw or {}).items()}


def _read(pk: str, sk: str) -> dict[str, Any]:
    raw = _client().get_item(
        TableName=CrmItem.Meta.table_name,
        Key={"pk": {"S": pk}, "sk": {"S": sk}},
        ConsistentRead=True,
    )
    return _plain(raw.get("Item"))


def _read_all(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Items by key, read consistently in BatchGetItem calls of 100 keys (missing: empty)."""
    table, client = CrmItem.Meta.table_name, _client()
    wanted = sorted(set(keys))
    found: dict[tuple[str, str], dict[str, Any]] = {key: {} for key in keys}
    for start in range(0, len(wanted), BATCH_GET_KEYS):
        request: dict[str, Any] = {
            table: {
                "Keys": [
                    {"pk": {"S": pk}, "sk": {"S": sk}}
                    for pk, sk in wanted[start : start + BATCH_GET_KEYS]
                ],
                "ConsistentRead": True,
            }
        }
        while request:
            response = client.batch_get_item(RequestItems=request)
            for raw in response.get("Responses", {}).get(table, []):
                item = _plain(raw)
                found[(str(item["pk"]), str(item["sk"]))] = item
            request = response.get("UnprocessedKeys") or {}
    return found


def _write(item: Mapping[str, Any], rev: int) -> bool:
    """Put the folded item if nobody wrote it since it was read (False: someone did)."""
    client = _client()
    condition: dict[str, Any] = (
        {"ConditionExpression": "attribute_not_exists(pk)"}
        if rev == 0
        else {
            "ConditionExpression": "#rev = :rev",
            "ExpressionAttributeNames": {"#rev": rules.REV},
            "ExpressionAttributeValues": {":rev": {"N": str(rev)}},
        }
    )
    try:
        client.put_item(
            TableName=CrmItem.Meta.table_name,
            Item={k: _SERIALIZE.serialize(v) for k, v in item.items()},
            **condition,
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def apply(tenant_id: str, mark: str, deltas: Sequence[Delta]) -> int:
    """Fold a notice's deltas into their items, each once per `mark`; how many items moved.
    One BatchGetItem, then one conditional put per item that moves (a lost race re-reads that
    item). Raises when an item kept changing underneath: the stream retries the record."""
    keys = [key_of(tenant_id, delta) for delta in deltas]
    current = _read_all(keys)
    moved = 0
    for (pk, sk), delta in zip(keys, deltas, strict=True):
        item = current[(pk, sk)]
        for attempt in range(MAX_ATTEMPTS):
            folded = rules.fold(item, delta, mark)
            if folded is item:
                break  # this notice is in already
            kept = {**folded, "pk": pk, "sk": sk, "type": ITEM_TYPES[delta.key.kind]}
            if _write({**kept, "tenant_id": tenant_id}, int(item.get(rules.REV, 0))):
                moved += 1
                break
            pause = min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2**attempt)
            time.sleep(random.uniform(0, pause))  # noqa: S311 - jitter, not a secret
            item = _read(pk, sk)
        else:
            raise RuntimeError(f"Report item {pk} {sk} kept changing; the notice will be retried.")
    return moved


def apply_ahead(entries: Sequence[tuple[str, str, Sequence[Delta]]]) -> set[tuple[str, str]]:
    """Fold many notices' deltas at once, given as (tenant, mark, deltas) in stream order: one
    read for all their items, each item folded with every notice that moves it and put once,
    conditioned on the `_rev` read. Returns the (tenant, mark) of the notices whose every item
    is written or had them; an item that lost a race or failed is left to the notices' own
    `apply`, which reads it again."""
    folds: dict[tuple[str, str], list[tuple[str, Delta, str]]] = {}
    for tenant_id, mark, deltas in entries:
        for delta in deltas:
            folds.setdefault(key_of(tenant_id, delta), []).append((tenant_id, delta, mark))
    if not folds:
        return {(tenant_id, mark) for tenant_id, mark, _ in entries}
    current = _read_all(list(folds))
    unwritten: set[tuple[str, str]] = set()
    for (pk, sk), moves in folds.items():
        item = current[(pk, sk)]
        folded: Mapping[str, Any] = item
        for _, delta, mark in moves:
            folded = rules.fold(folded, delta, mark)
        if folded is item:
            continue  # every one of these notices is in already
        tenant_id, first, _ = moves[0]
        kept = {**folded, "pk": pk, "sk": sk, "type": ITEM_TYPES[first.key.kind]}
        try:
            if _write({**kept, "tenant_id": tenant_id}, int(item.get(rules.REV, 0))):
                continue
        except Exception:
            logger.warning(
                "Report item not folded ahead", extra={"pk": pk, "sk": sk}, exc_info=True
            )
        unwritten.update((t, mark) for t, _, mark in moves)
    return {(tenant_id, mark) for tenant_id, mark, _ in entries} - unwritten


def partition(pk: str) -> list[dict[str, Any]]:
    """Every item of a small report partition, as stored (one Query; pages followed)."""
    return raw_query_page(pk, None).items


def value_days(pk: str, value: str, first: str, last: str) -> list[dict[str, Any]]:
    """One value's days of a service partition, first..last (one Query; pages followed)."""
    client, items = _client(), []
    request: dict[str, Any] = {
        "TableName": CrmItem.Meta.table_name,
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
        "ExpressionAttributeValues": {
            ":pk": {"S": pk},
            ":first": {"S": f"{value}#{first}"},
            ":last": {"S": f"{value}#{last}"},
        },
    }
    while True:
        response = client.query(**request)
        items += [_plain(raw) for raw in response.get("Items", [])]
        if not response.get("LastEvaluatedKey"):
            return items
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def backlog(tenant_id: str) -> dict[str, Any]:
    """The tenant's open tickets now (one GetItem; empty when none was ever counted)."""
    return _read(backlog_pk(tenant_id), BACKLOG_SK)


# --- the daily report ---------------------------------------------------------------------------


def create_daily(item_: DailyReportItem) -> bool:
    """Write a team's report for a day once; False when it is there already."""
    try:
        item_.save(condition=DailyReportItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def get_daily(tenant_id: str, team_id: str, day: str) -> DailyReportItem | None:
    try:
        return DailyReportItem.get(daily_pk(tenant_id, team_id), f"D#{day}")
    except DailyReportItem.DoesNotExist:
        return None
