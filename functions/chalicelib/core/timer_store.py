"""DynamoDB access of the local timers (the Step Functions stand-in); keys in `timers`'s doc."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError, UpdateError

from .table import TTL_ATTRIBUTE, CrmItem

CONDITION_FAILED = "ConditionalCheckFailedException"
TIMER_SK = "#TIMER"
DUE_PARTITION = "TIMERS#DUE"
TIMER_RETENTION = timedelta(days=90)


class TimerItem(CrmItem, discriminator="LocalTimer"):
    name = UnicodeAttribute()
    deadline = UTCDateTimeAttribute()
    payload_json = UnicodeAttribute()
    status = UnicodeAttribute()  # armed, fired, cancelled, failed
    attempts = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True, attr_name=TTL_ATTRIBUTE)

    @property
    def payload(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.payload_json)
        return value


def sortable(moment: datetime) -> str:
    """A fixed-width UTC timestamp that sorts as time does (isoformat() does not: microseconds
    are left out when zero)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _key(tenant_id: str, name: str) -> tuple[str, str]:
    return f"T#{tenant_id}#TIMER#{name}", TIMER_SK


def arm(tenant_id: str, name: str, deadline: datetime, payload: dict[str, Any]) -> bool:
    """Arm once per name (False when the name was armed before, as Step Functions would)."""
    pk, sk = _key(tenant_id, name)
    item = TimerItem(
        pk=pk,
        sk=sk,
        tenant_id=tenant_id,
        name=name,
        deadline=deadline,
        payload_json=json.dumps(payload),
        status="armed",
        gsi1pk=DUE_PARTITION,
        gsi1sk=f"{sortable(deadline)}#{name}",
        expires_at=int((deadline + TIMER_RETENTION).timestamp()),
    )
    try:
        item.save(condition=TimerItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def close(tenant_id: str, name: str, status: str) -> bool:
    """Mark an armed timer fired, cancelled or failed and drop it from the due index."""
    pk, sk = _key(tenant_id, name)
    try:
        TimerItem(pk=pk, sk=sk).update(
            actions=[
                TimerItem.status.set(status),
                TimerItem.gsi1pk.remove(),
                TimerItem.gsi1sk.remove(),
            ],
            condition=TimerItem.status == "armed",
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def count_attempt(item: TimerItem) -> int:
    item.update(actions=[TimerItem.attempts.add(1)])
    return int(item.attempts)


def due(now: datetime, limit: int = 100) -> list[TimerItem]:
    """Armed timers whose deadline has passed, oldest first (one Query on gsi1)."""
    return list(
        TimerItem.by_gsi1.query(
            DUE_PARTITION,
            TimerItem.gsi1sk <= f"{sortable(now)}~",
            limit=limit,
            page_size=limit,
        )
    )
