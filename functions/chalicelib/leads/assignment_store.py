"""DynamoDB access of lead assignment: each rep's open-lead counts, a team's round-robin turn,
and the tenant's lead settings and assignment rules.

| pattern                               | index | key condition                                      |
|---------------------------------------|-------|----------------------------------------------------|
| a team's open-lead counts per rep     | table | pk=T#t#LEADLOAD#<team>, sk=U#<user>                |
| a count move applied once (TTL 2 d)   | table | pk=T#t#LEADMARK#<stream record>, sk=#MARK          |
| a team's round-robin position         | table | pk=T#t#LEADTURN, sk=TEAM#<team>                    |
| lead settings / assignment rules      | table | pk=T#t, sk=#LEADSETTINGS / #LEADRULES              |

Counts are moved by the stream (the leads area's follower of its own lead changes), each move in
one transaction with its mark, so a replayed record moves nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import PutError, UpdateError

from ..core import TTL_ATTRIBUTE, CrmItem, PreconditionFailed
from .store import CONDITION_FAILED, transact

MARK_KEPT = timedelta(days=2)


class LeadLoadItem(CrmItem, discriminator="LeadLoad"):
    user_id = UnicodeAttribute()
    open_leads = NumberAttribute(default=0)


class LeadMarkItem(CrmItem, discriminator="LeadMark"):
    expires_at = NumberAttribute(attr_name=TTL_ATTRIBUTE)


class LeadTurnItem(CrmItem, discriminator="LeadTurn"):
    position = NumberAttribute(default=0)


class LeadConfigItem(CrmItem, discriminator="LeadConfig"):
    """The tenant's lead settings or assignment rules (JSON), version-checked."""

    config_json = UnicodeAttribute()
    version = VersionAttribute()


def open_counts(tenant_id: str, team_id: str) -> dict[str, int]:
    """Each rep's open leads in the team (one Query); never below 0 (a lead opened before the
    counts were kept would take one away when it closes)."""
    found = LeadLoadItem.query(f"T#{tenant_id}#LEADLOAD#{team_id}")
    return {str(i.user_id): max(0, int(i.open_leads)) for i in found}


def move_counts(
    tenant_id: str, mark: str, moves: Mapping[tuple[str, str], int], now: datetime
) -> bool:
    """Move the open-lead counts once per `mark` (a stream record); False: moved already."""
    table = CrmItem.Meta.table_name
    expires = int((now + MARK_KEPT).timestamp())
    entries: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table,
                "Item": {
                    "pk": {"S": f"T#{tenant_id}#LEADMARK#{mark}"},
                    "sk": {"S": "#MARK"},
                    "type": {"S": "LeadMark"},
                    "tenant_id": {"S": tenant_id},
                    TTL_ATTRIBUTE: {"N": str(expires)},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
    ]
    for (team, user), delta in sorted(moves.items()):
        entries.append(
            {
                "Update": {
                    "TableName": table,
                    "Key": {
                        "pk": {"S": f"T#{tenant_id}#LEADLOAD#{team}"},
                        "sk": {"S": f"U#{user}"},
                    },
                    "UpdateExpression": "SET #t = :type, tenant_id = :tenant, user_id = :user "
                    "ADD open_leads :d",
                    "ExpressionAttributeNames": {"#t": "type"},
                    "ExpressionAttributeValues": {
                        ":type": {"S": "LeadLoad"},
                        ":tenant": {"S": tenant_id},
                        ":user": {"S": user},
                        ":d": {"N": str(delta)},
                    },
                }
            }
        )
    return transact(entries)  # only the mark has a condition


def turn(tenant_id: str, team_id: str) -> int:
    try:
        item = LeadTurnItem.get(f"T#{tenant_id}#LEADTURN", f"TEAM#{team_id}", consistent_read=True)
    except LeadTurnItem.DoesNotExist:
        return 0
    return int(item.position)


def take_turn(tenant_id: str, team_id: str, position: int) -> bool:
    """Move the team's round-robin position on from `position`; False if another capture took
    that turn first (the caller reads it again)."""
    item = LeadTurnItem(
        pk=f"T#{tenant_id}#LEADTURN", sk=f"TEAM#{team_id}", tenant_id=tenant_id, position=0
    )
    held = LeadTurnItem.position == position
    condition = held | LeadTurnItem.pk.does_not_exist() if position == 0 else held
    try:
        item.update([LeadTurnItem.position.set(position + 1)], condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


# --- settings and rules -------------------------------------------------------------------------


def get_config(tenant_id: str, which: str) -> tuple[dict[str, Any], int] | None:
    """The stored settings ("SETTINGS") or assignment rules ("RULES") and their version."""
    try:
        item = LeadConfigItem.get(f"T#{tenant_id}", f"#LEAD{which}", consistent_read=True)
    except LeadConfigItem.DoesNotExist:
        return None
    return json.loads(item.config_json), int(item.version)


def save_config(tenant_id: str, which: str, data: Mapping[str, Any], expected: int | None) -> int:
    """Replace them (If-Match: `expected`, when given, must be the stored version)."""
    try:
        item = LeadConfigItem.get(f"T#{tenant_id}", f"#LEAD{which}", consistent_read=True)
    except LeadConfigItem.DoesNotExist:
        item = LeadConfigItem(pk=f"T#{tenant_id}", sk=f"#LEAD{which}", tenant_id=tenant_id)
    if expected is not None and int(item.version or 0) != expected:
        raise PreconditionFailed(
            "They changed meanwhile; fetch them again.",
            field="If-Match",
            current_version=item.version,
        )
    item.config_json = json.dumps(dict(data), ensure_ascii=False)
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise PreconditionFailed(
                "They changed meanwhile; fetch them again.", field="If-Match"
            ) from None
        raise
    return int(item.version)
