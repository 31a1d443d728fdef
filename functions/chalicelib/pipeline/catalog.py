"""The catalogue of domain events: one pydantic model per detail-type, versioned.

Marketing builds EventBridge rules on these, so a change here is a contract change: add optional
fields freely; anything else needs a new version ("2.0") and a new schema file. The committed
JSON Schemas in schemas/events/ are generated from these models:

    python -m chalicelib.pipeline.catalog --write

Interaction text never travels on the bus (it is personal data some roles may not read);
consumers that need it read it through the API with their own permissions.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..automation.models import AutomationNotified
from ..core.events import EventDetail

CUSTOMERS = "crm.customers"
TAGGING = "crm.tagging"
AUTOMATION = "crm.automation"

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "schemas" / "events"


class CustomerSnapshot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    name: str
    owner_id: str
    team_id: str | None = None
    lifecycle_stage: str
    tier: str
    source: str
    consent: dict[str, bool] = Field(default_factory=dict)
    identity_kinds: list[str] = Field(default_factory=list, description="Kinds only, no values.")


class FieldChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    old: Any = None
    new: Any = None


class CustomerCreated(EventDetail):
    SOURCE = CUSTOMERS
    DETAIL_TYPE = "Customer Created"

    customer_id: str
    customer: CustomerSnapshot


class CustomerUpdated(EventDetail):
    SOURCE = CUSTOMERS
    DETAIL_TYPE = "Customer Updated"

    customer_id: str
    customer_version: int | None = None
    changes: dict[str, FieldChange] = Field(description="Changed profile fields, old and new.")


class CustomerDeleted(EventDetail):
    SOURCE = CUSTOMERS
    DETAIL_TYPE = "Customer Deleted"

    customer_id: str
    soft: bool = Field(description="True when marked deleted; False when the item was removed.")


class CustomerMerged(EventDetail):
    SOURCE = CUSTOMERS
    DETAIL_TYPE = "Customer Merged"

    customer_id: str = Field(description="The surviving customer.")
    merged_customer_ids: list[str] = Field(min_length=1)


class CustomerTagged(EventDetail):
    SOURCE = TAGGING
    DETAIL_TYPE = "Customer Tagged"

    customer_id: str
    tag: str
    category: str | None = None
    rule_id: str | None = None
    rule_version: int | None = None


class CustomerUntagged(EventDetail):
    SOURCE = TAGGING
    DETAIL_TYPE = "Customer Untagged"

    customer_id: str
    tag: str
    category: str | None = None
    rule_id: str | None = None


class InteractionLogged(EventDetail):
    SOURCE = CUSTOMERS
    DETAIL_TYPE = "Interaction Logged"

    customer_id: str
    interaction_id: str
    kind: str
    channel: str
    direction: str
    interaction_at: datetime
    has_text: bool
    logged_by: str | None = None


class OrderPlaced(EventDetail):
    SOURCE = CUSTOMERS
    DETAIL_TYPE = "Order Placed"

    customer_id: str
    order_id: str
    order_no: str | None = None
    amount: Decimal = Field(description="Decimal as a string, never a float.")
    currency: str
    status: str
    order_at: datetime
    line_count: int


CATALOG: tuple[type[EventDetail], ...] = (
    CustomerCreated,
    CustomerUpdated,
    CustomerDeleted,
    CustomerMerged,
    CustomerTagged,
    CustomerUntagged,
    InteractionLogged,
    OrderPlaced,
    AutomationNotified,
)


def slug(detail_type: str) -> str:
    """`Customer Created` -> `customer-created`."""
    return re.sub(r"[^a-z0-9]+", "-", detail_type.lower()).strip("-")


def schema_file(model: type[EventDetail]) -> Path:
    major = model.model_fields["version"].default.split(".")[0]
    return SCHEMA_DIR / f"{slug(model.DETAIL_TYPE)}.v{major}.json"


def event_schema(model: type[EventDetail]) -> dict[str, Any]:
    """The JSON Schema of one detail, with its source and detail-type for the registry."""
    schema = model.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://schemas.crm.example/events/{schema_file(model).name}",
        "x-source": model.SOURCE,
        "x-detail-type": model.DETAIL_TYPE,
        **schema,
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_event_schemas(directory: Path | None = None) -> list[Path]:
    """Write one schema file per detail-type; returns the paths written."""
    written = []
    for model in CATALOG:
        path = schema_file(model) if directory is None else directory / schema_file(model).name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(event_schema(model)), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Event detail JSON Schemas.")
    parser.add_argument("--write", action="store_true", help="write schemas/events/*.json")
    args = parser.parse_args(argv)
    if args.write:
        for path in write_event_schemas():
            print(path)
        return 0
    for model in CATALOG:
        print(f"{model.SOURCE:16} {model.DETAIL_TYPE:22} -> {schema_file(model).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
