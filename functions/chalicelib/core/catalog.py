"""The catalogue of domain events: every area's detail models, collected from the registry.

Marketing builds EventBridge rules on these, so a change to a detail model is a contract change:
add optional fields freely; anything else needs a new version ("2.0") and a new schema file.
The committed JSON Schemas in schemas/events/ are generated from the models:

    python -m chalicelib.core.catalog --write      (make schemas)

Interaction text never travels on the bus (it is personal data some roles may not read);
consumers that need it read it through the API with their own permissions.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from .area_registry import registry
from .events import EventDetail

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "schemas" / "events"


def catalog() -> list[type[EventDetail]]:
    """Every detail-type the areas publish, in area order."""
    return registry().event_models()


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
    for model in catalog():
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
    for model in catalog():
        print(f"{model.SOURCE:16} {model.DETAIL_TYPE:22} -> {schema_file(model).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
