"""Reading one customer: the visibility check every use case starts with, and GET a customer
answered from the stored profile without pydantic.

GET a customer is the route whose first call the cold-start budget measures (DESIGN §7: process
start to its first response, at most 1.3x a bare boto3 GetItem). Importing pydantic alone costs
more of that than the whole rest of the app (~75 ms), and this read validates nothing: the
profile was validated when it was written. So the stored profile is shaped here exactly as
`models.Customer` dumps it; tests/unit/customers/test_profile_view.py holds the two equal for
generated profiles. Every other route keeps its models.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core import NotFound, Principal
from . import rules, store
from .profile import shown
from .vocabulary import CONSENTS


def visible(
    principal: Principal, customer_id: str, *, consistent: bool = False
) -> store.CustomerItem:
    """The customer if it exists in the caller's tenant and the caller may see it; else 404."""
    item = store.get_customer(principal.tenant_id, customer_id, consistent=consistent)
    if not rules.can_see(principal, item.owner_id, item.team_id):
        raise NotFound(f"No customer {customer_id}.", field="id")
    return item


def _json_time(value: Any) -> Any:
    # pydantic writes an aware UTC datetime with "Z", otherwise as isoformat() does.
    if not isinstance(value, datetime):
        return value
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def customer_json(values: Mapping[str, Any], principal: Principal) -> dict[str, Any]:
    """The API's Customer as JSON-ready data, from a profile as stored (an item's values), as
    `principal` may read it (the same fields `service.customer_view` leaves out)."""
    data = shown(values, store.now())
    consent = data["consent"] or {}
    return {
        "id": values["customer_id"],
        **data,
        "consent": {name: bool(consent.get(name, False)) for name in CONSENTS},
        "custom_fields": data["custom_fields"] or {},
        "identities": [
            {
                "kind": identity["kind"],
                "value": identity["value"],
                "system": identity.get("system"),
                "verified": bool(identity.get("verified", False)),
            }
            for identity in data["identities"] or []
        ],
        "aggregates": rules.readable_aggregates(principal, data["aggregates"] or {}),
        "created_at": _json_time(data["created_at"]),
        "updated_at": _json_time(data["updated_at"]),
    }


def get_customer(principal: Principal, customer_id: str) -> dict[str, Any]:
    """GET a customer (one GetItem): the Customer as JSON-ready data, or 404."""
    return customer_json(visible(principal, customer_id).attribute_values, principal)
