"""The single DynamoDB table: its pynamodb base model, key scheme and secondary indexes.

Every item carries `pk`/`sk`, a `type` discriminator, and the overloaded GSI keys it needs.
Keys always start with the tenant (`T#<tenant>#...`), so no query can cross tenants.

Access patterns (each area documents its own rows in its store.py; this is the whole map):

| pattern                               | index | key condition                                   |
|---------------------------------------|-------|-------------------------------------------------|
| customer profile by id (get)          | table | pk=T#t#C#<id>, sk=#PROFILE                      |
| customer 360 (profile + children)     | table | pk=T#t#C#<id> (one Query per page)              |
| identity owner (uniqueness guard)     | table | pk=T#t#IDENT#<kind>#<value>, sk=#IDENT          |
| tenant settings                       | table | pk=T#t, sk=#SETTINGS                            |
| customers by owner                    | gsi1  | gsi1pk=T#t#OWNER#<user>, gsi1sk=C#<id>          |
| customers by tag                      | gsi1  | gsi1pk=T#t#TAG#<tag>, gsi1sk=C#<id>             |
| customers by lifecycle stage          | gsi2  | gsi2pk=T#t#STAGE#<stage>, gsi2sk=C#<id>         |
| customers by tier                     | gsi3  | gsi3pk=T#t#TIER#<tier>, gsi3sk=C#<id>           |
| duplicate candidates by name block    | gsi4  | gsi4pk=T#t#NAME#<block>, gsi4sk=<name>#<id>     |

The infra stack reads the indexes from `CrmItem` (see `table_schema`), so they are declared once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pynamodb.attributes import DiscriminatorAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from .settings import get_settings

_settings = get_settings()

PROFILE_SK = "#PROFILE"
IDENTITY_SK = "#IDENT"
SETTINGS_SK = "#SETTINGS"


def tenant_prefix(tenant_id: str) -> str:
    return f"T#{tenant_id}"


def customer_pk(tenant_id: str, customer_id: str) -> str:
    return f"T#{tenant_id}#C#{customer_id}"


def identity_pk(tenant_id: str, kind: str, value: str) -> str:
    return f"T#{tenant_id}#IDENT#{kind}#{value}"


def gsi_pk(tenant_id: str, facet: str, value: str) -> str:
    """Partition key of an overloaded GSI, e.g. gsi_pk(t, "OWNER", user)."""
    return f"T#{tenant_id}#{facet}#{value}"


class _Meta:
    table_name = _settings.table_name
    region = _settings.region
    host = _settings.dynamodb_endpoint
    billing_mode = "PAY_PER_REQUEST"
    connect_timeout_seconds = 2
    read_timeout_seconds = 5
    max_retry_attempts = 3


def _gsi(number: int) -> type[GlobalSecondaryIndex[Any]]:
    class _Index(GlobalSecondaryIndex[Any]):
        class Meta:
            index_name = f"gsi{number}"
            projection = AllProjection()

    _Index.__name__ = f"Gsi{number}"
    return _Index


class _Gsi1(_gsi(1)):  # type: ignore[misc]
    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class _Gsi2(_gsi(2)):  # type: ignore[misc]
    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class _Gsi3(_gsi(3)):  # type: ignore[misc]
    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class _Gsi4(_gsi(4)):  # type: ignore[misc]
    gsi4pk = UnicodeAttribute(hash_key=True)
    gsi4sk = UnicodeAttribute(range_key=True)


class CrmItem(Model):
    """Base of every item in the table; subclasses register a `type` discriminator value."""

    Meta = _Meta  # type: ignore[assignment]

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute(attr_name="type")
    tenant_id = UnicodeAttribute()

    # The request, stream record or timer whose work last wrote the item (core.correlation):
    # its stream record's events carry it on.
    correlation_id = UnicodeAttribute(null=True)

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)

    by_gsi1 = _Gsi1()
    by_gsi2 = _Gsi2()
    by_gsi3 = _Gsi3()
    by_gsi4 = _Gsi4()

    def serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        """Every put (alone or in a transaction) carries the current correlation id."""
        from .correlation import current

        correlation_id = current()
        if correlation_id:
            self.correlation_id = correlation_id
        return super().serialize(null_check=null_check)

    def update(self, actions: Sequence[Action], *args: Any, **kwargs: Any) -> Any:
        """Every single-item update carries the current correlation id too."""
        from .correlation import current

        correlation_id = current()
        named = {str(action.values[0]) for action in actions}
        if correlation_id and "correlation_id" not in named:
            actions = [*actions, CrmItem.correlation_id.set(correlation_id)]
        return super().update(list(actions), *args, **kwargs)


def condition_failed(error: TransactWriteError) -> bool:
    """Whether a transaction was cancelled because one of its conditions failed (a race or a
    duplicate), as opposed to throttling or a bad request, which the caller raises."""
    reasons = error.cancellation_reasons or []
    return any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons)


@dataclass
class Page:
    """One page of a Query: the items and the key to continue from (None on the last page)."""

    items: list[Any]
    last_key: dict[str, Any] | None


def query_page(
    query: Callable[..., Any],
    *args: Any,
    limit: int | None,
    start_key: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Page:
    """Run a pynamodb query (a model's or an index's) for one page of `limit` items.

    With `limit=None` every page is read and no continuation key is returned.
    """
    result = query(*args, limit=limit, page_size=limit, last_evaluated_key=start_key, **kwargs)
    items = list(result)
    return Page(items=items, last_key=result.last_evaluated_key if limit else None)


def raw_query_page(
    pk: str,
    limit: int | None,
    start_key: dict[str, Any] | None = None,
    *,
    index: str | None = None,
) -> Page:
    """One page of a partition (of the table or a GSI) as plain dicts, as stored.

    For readers that route items by their `type` themselves (the 360 view) or need only a key
    (customers by tag): any area's items come back, whichever of their classes are loaded, and
    deserialising them costs a fraction of building models.
    """
    kwargs: dict[str, Any] = {"limit": limit} if limit else {}
    if index:
        kwargs["index_name"] = index
    if start_key:
        kwargs["exclusive_start_key"] = start_key
    connection = CrmItem._get_connection()
    items: list[dict[str, Any]] = []
    last_key: dict[str, Any] | None = None
    while True:
        response = connection.query(pk, **kwargs)
        items += [{k: plain_value(v) for k, v in raw.items()} for raw in response.get("Items", [])]
        last_key = response.get("LastEvaluatedKey")
        if limit or not last_key:
            break
        kwargs["exclusive_start_key"] = last_key
    return Page(items=items, last_key=last_key if limit else None)


def plain_value(value: dict[str, Any]) -> Any:
    """A DynamoDB attribute value as boto3's TypeDeserializer gives it, a few times faster.

    The 360 view deserialises every attribute of up to 100 items per request; the common
    types are read here directly (numbers as Decimal), binary ones by boto3.
    """
    ((kind, data),) = value.items()
    if kind == "S" or kind == "BOOL":
        return data
    if kind == "N":
        return Decimal(data)
    if kind == "M":
        return {k: plain_value(v) for k, v in data.items()}
    if kind == "L":
        return [plain_value(v) for v in data]
    if kind == "NULL":
        return None
    if kind == "SS":
        return set(data)
    if kind == "NS":
        return {Decimal(n) for n in data}
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer().deserialize(value)


STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"
TTL_ATTRIBUTE = "expires_at"


def table_schema() -> dict[str, Any]:
    """Keys and GSIs of the table in CreateTable's shape, derived from `CrmItem` (declared once)."""
    schema = CrmItem._get_schema()
    return {
        "AttributeDefinitions": list(schema["attribute_definitions"]),
        "KeySchema": list(schema["key_schema"]),
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index["index_name"],
                "KeySchema": list(index["key_schema"]),
                "Projection": dict(index["projection"]),
            }
            for index in schema["global_secondary_indexes"]
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": STREAM_VIEW_TYPE},
    }


class DecimalAttribute(NumberAttribute):
    """A DynamoDB number kept as Decimal (money never passes through float)."""

    def serialize(self, value: Any) -> str:
        return str(Decimal(value))

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


_INVERTED_DIGITS = 13
_INVERTED_TOP = 10**_INVERTED_DIGITS - 1


def inverted_millis(moment: datetime) -> str:
    """A sort-key fragment that orders later moments first (for latest-first timelines).

    From 1970 on: 13 digits, `9999999999999 - ms`. Before 1970 the top value is followed by
    13 more digits of `-ms`, so every earlier moment sorts after 1970 and after any later one
    (keys written since 1970 keep their form; the accepted range is 1900-2200).
    """
    millis = int(moment.timestamp() * 1000)
    if millis >= 0:
        return f"{_INVERTED_TOP - millis:0{_INVERTED_DIGITS}d}"
    return f"{_INVERTED_TOP}{-millis:0{_INVERTED_DIGITS}d}"
