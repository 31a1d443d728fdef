"""The customer 360 view: the profile and every area's section, one DynamoDB Query per page.

The item collection holds every area's items; each item's stored `type` says (through the
registry) which section shows it and how. This module knows the profile and no other area.
"""

from __future__ import annotations

from typing import Any

from ..core import NotFound, Principal, decode_cursor, encode_cursor, registry
from . import rules, store
from .models import Customer360Base, customer_360_model
from .service import customer_view

PROFILE_TYPE = "Customer"


def view_360(
    principal: Principal, customer_id: str, limit: int, cursor: str | None
) -> Customer360Base:
    """Profile and children in one Query per page; the caller's visibility is checked on page 1
    from the profile in that same page, and later pages need a cursor signed for this caller."""
    scope = f"{principal.tenant_id}|{principal.user_id}|360|{customer_id}"
    start = decode_cursor(cursor, scope)
    page = store.customer_collection(principal.tenant_id, customer_id, limit, start)
    areas = registry()
    sections: dict[str, list[Any]] = {}
    view: dict[str, Any] = {"next": encode_cursor(page.last_key, scope)}
    for item in page.items:
        item_type = str(item.get("type", ""))
        if item_type == PROFILE_TYPE:
            if item.get("deleted_at") is not None or not rules.can_see(
                principal, str(item["owner_id"]), item.get("team_id")
            ):
                raise NotFound(f"No customer {customer_id}.", field="id")
            profile = customer_view(item, principal)
            view["profile"], view["identities"] = profile, profile.identities
            continue
        found = areas.section_of(item_type)
        if found is not None:
            section, convert = found
            shown = convert(item, principal)
            if shown is not None:  # a section may leave an item out (e.g. finished tickets)
                sections.setdefault(section.name, []).append(shown)
    if start is None and "profile" not in view:
        raise NotFound(f"No customer {customer_id}.", field="id")
    return customer_360_model()(**view, **sections)
