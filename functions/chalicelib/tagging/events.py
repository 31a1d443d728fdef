"""Domain events of the tagging area (source `crm.tagging`)."""

from __future__ import annotations

from ..core import EventDetail


class CustomerTagged(EventDetail):
    DETAIL_TYPE = "Customer Tagged"

    customer_id: str
    tag: str
    category: str | None = None
    rule_id: str | None = None
    rule_version: int | None = None


class CustomerUntagged(EventDetail):
    DETAIL_TYPE = "Customer Untagged"

    customer_id: str
    tag: str
    category: str | None = None
    rule_id: str | None = None
