"""Domain events, marketing's interface: bus, archive (replay), schema registry, example rule."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_eventschemas as eventschemas
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.queues import dead_letter_queue, work_queue
from infra.event_patterns import CHURN_RISK_RAISED, DOMAIN_SOURCE_PREFIX
from infra.settings import StageSettings

DRAFT4 = "http://json-schema.org/draft-04/schema#"


def domain_event_pattern(*detail_types: str) -> events.EventPattern:
    """infra.event_patterns' dicts in CDK's terms (a test holds the synthesised ones to them)."""
    return events.EventPattern(
        source=events.Match.prefix(DOMAIN_SOURCE_PREFIX), detail_type=list(detail_types) or None
    )


def schema_files(directory: Path) -> list[Path]:
    """The event detail schemas (one JSON file each); none yet is fine."""
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def draft4(schema: Any) -> Any:
    """A JSON Schema (draft 2020-12, as pydantic writes it) in the draft-04 words EventBridge's
    registry accepts (AWS::EventSchemas::Schema takes OpenApi3 or JSONSchemaDraft4 only):
    `$defs` becomes `definitions`, `const` a one-value `enum`, `$id` becomes `id`."""
    if isinstance(schema, list):
        return [draft4(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "$schema":
            converted[key] = DRAFT4
        elif key == "$defs":
            converted["definitions"] = {name: draft4(v) for name, v in value.items()}
        elif key == "$id":
            converted["id"] = value
        elif key == "const":
            converted["enum"] = [value]
        elif key == "$ref" and isinstance(value, str):
            converted[key] = value.replace("#/$defs/", "#/definitions/")
        elif key in ("properties", "patternProperties"):
            converted[key] = {name: draft4(v) for name, v in value.items()}
        else:
            converted[key] = draft4(value)
    return converted


def registry_content(path: Path) -> str:
    """What the registry holds for a schema file: its draft-04 form."""
    return json.dumps(draft4(json.loads(path.read_text(encoding="utf-8"))), ensure_ascii=False)


def schema_name(path: Path) -> str:
    """Registry name of a schema file: crm@<file stem>, with only the characters allowed."""
    return "crm@" + re.sub(r"[^A-Za-z0-9._-]", "-", path.stem)


class DomainEvents(Construct):
    """The custom bus the functions publish to, and what marketing needs to subscribe."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: StageSettings,
        schemas_dir: Path,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus", event_bus_name=f"crm-events-{stage.name}")
        self.archive = self.bus.archive(
            "Archive",
            archive_name=f"crm-events-{stage.name}",
            description="Every CRM domain event, for replay",
            event_pattern=domain_event_pattern(),
            retention=Duration.days(365 if stage.is_prod else 30),
        )
        self.registry = eventschemas.CfnRegistry(
            self,
            "Registry",
            registry_name=f"crm-events-{stage.name}",
            description="JSON Schemas of the CRM's event details (schemas/events/)",
        )
        self.schemas: list[eventschemas.CfnSchema] = []
        for path in schema_files(schemas_dir):
            schema = eventschemas.CfnSchema(
                self,
                f"Schema{re.sub(r'[^A-Za-z0-9]', '', path.stem)}",
                registry_name=self.registry.attr_registry_name,
                schema_name=schema_name(path),
                type="JSONSchemaDraft4",
                content=registry_content(path),
                description=f"schemas/events/{path.name}",
            )
            self.schemas.append(schema)

        # Where the publisher parks events PutEvents keeps rejecting (CRM_EVENTS_DLQ_URL).
        self.publish_failures: sqs.Queue = dead_letter_queue(
            self, "PublishDlq", stage=stage, holds="domain events PutEvents kept rejecting"
        )
        self._example_marketing_rule(stage)

    def _example_marketing_rule(self, stage: StageSettings) -> None:
        """How marketing subscribes: a rule on a detail-type, delivered to its own queue."""
        self.churn_risk_queue = work_queue(self, "ChurnRiskQueue", stage=stage)
        delivery_failures = dead_letter_queue(
            self, "ChurnRiskDeliveryDlq", stage=stage, holds="events the rule failed to deliver"
        )
        self.churn_risk_rule = events.Rule(
            self,
            "ChurnRiskRule",
            event_bus=self.bus,
            description="Example for marketing: churn warnings to a queue",
            event_pattern=domain_event_pattern(CHURN_RISK_RAISED),
            targets=[
                targets.SqsQueue(
                    self.churn_risk_queue,
                    dead_letter_queue=delivery_failures,
                    retry_attempts=8,
                    max_event_age=Duration.hours(24),
                )
            ],
        )

    def grant_publish(self, grantee: iam.IGrantable) -> None:
        """PutEvents on this bus only, plus parking rejected events in the publish DLQ."""
        self.bus.grant_put_events_to(grantee)
        self.publish_failures.grant_send_messages(grantee)
