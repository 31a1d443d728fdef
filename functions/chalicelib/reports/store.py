"""DynamoDB access of the reports area: the only module here that speaks to the table.

| pattern                                   | index | key condition                                   |
|-------------------------------------------|-------|-------------------------------------------------|
| a funnel's days of one month, one scope   | table | pk=T#t#RPT#FUNNEL#<pipeline>#<scope>#<yyyy-mm>, |
|   (scope ALL, O#<owner> or TM#<team>)     |       | sk=D#<yyyy-mm-dd> (one Query per month)         |
| the reps' figures of a month              | table | pk=T#t#RPT#REPS#<yyyy-mm>, sk=O#<owner>         |
| the teams' activity of one local day      | table | pk=T#t#RPT#DAY#<yyyy-mm-dd>, sk=TM#<team>       |
| a team's daily sales report               | table | pk=T#t#RPT#DAILY#<team>, sk=D#<yyyy-mm-dd>      |
| a notice applied once (TTL 7 days)        | table | pk=T#t#RPT#MARK#<mark>, sk=#MARK                |

Counters are written only by the stream (the area's followers of sales, leads and customers
notices): each notice's additions go in ONE transaction with its mark item, conditioned on the
mark not existing, so a replayed notice adds nothing and a half-applied one cannot exist. A
counter is a flat attribute (`entered|proposal`) that `ADD` creates on first use. Nothing on a
request path scans: a month of a funnel is one Query of at most 31 small items.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from ..core import TTL_ATTRIBUTE, CrmItem, raw_query_page
from .rules import Delta

MARK_KEPT = timedelta(days=7)
MAX_TRANSACTION = 100
CONDITION_FAILED = "ConditionalCheckFailedException"
ITEM_TYPES = {"funnel": "ReportFunnelDay", "rep": "ReportRepMonth", "team_day": "ReportTeamDay"}


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
    day, team = parts
    return day_pk(tenant_id, day), f"TM#{team}"


def funnel_pk(tenant_id: str, pipeline: str, scope: str, month: str) -> str:
    return f"T#{tenant_id}#RPT#FUNNEL#{pipeline}#{scope}#{month}"


def reps_pk(tenant_id: str, month: str) -> str:
    return f"T#{tenant_id}#RPT#REPS#{month}"


def day_pk(tenant_id: str, day: str) -> str:
    return f"T#{tenant_id}#RPT#DAY#{day}"


def daily_pk(tenant_id: str, team_id: str) -> str:
    return f"T#{tenant_id}#RPT#DAILY#{team_id}"


def _number(value: Decimal | int) -> dict[str, str]:
    return {"N": str(value)}


def _update(table: str, tenant_id: str, delta: Delta) -> dict[str, Any]:
    pk, sk = key_of(tenant_id, delta)
    names = {"#type": "type", "#tenant": "tenant_id"}
    values: dict[str, Any] = {
        ":type": {"S": ITEM_TYPES[delta.key.kind]},
        ":tenant": {"S": tenant_id},
    }
    sets = ["#type = :type", "#tenant = :tenant"]
    for index, (name, text) in enumerate(sorted(delta.set.items())):
        names[f"#s{index}"], values[f":s{index}"] = name, {"S": text}
        sets.append(f"#s{index} = :s{index}")
    adds = []
    for index, (name, value) in enumerate(sorted(delta.add.items())):
        names[f"#a{index}"], values[f":a{index}"] = name, _number(value)
        adds.append(f"#a{index} :a{index}")
    expression = "SET " + ", ".join(sets) + (" ADD " + ", ".join(adds) if adds else "")
    return {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def apply(tenant_id: str, mark: str, deltas: Sequence[Delta], now: datetime) -> bool:
    """Add a notice's deltas once per `mark`, in one transaction; False: applied already."""
    if not deltas:
        return True
    table = CrmItem.Meta.table_name
    expires = int((now + MARK_KEPT).timestamp())
    entries: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table,
                "Item": {
                    "pk": {"S": f"T#{tenant_id}#RPT#MARK#{mark}"},
                    "sk": {"S": "#MARK"},
                    "type": {"S": "ReportMark"},
                    "tenant_id": {"S": tenant_id},
                    TTL_ATTRIBUTE: {"N": str(expires)},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
    ]
    entries += [_update(table, tenant_id, d) for d in deltas]
    if len(entries) > MAX_TRANSACTION:  # a move touches at most 9 items; a guard, not a path
        raise ValueError(f"A notice moves {len(entries) - 1} report items; at most 99.")
    client = CrmItem._get_connection().connection.client
    try:
        client.transact_write_items(TransactItems=entries)
    except client.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons") or []
        if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
            return False
        raise
    return True


def partition(pk: str) -> list[dict[str, Any]]:
    """Every item of a small report partition, as stored (one Query; pages followed)."""
    return raw_query_page(pk, None).items


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
