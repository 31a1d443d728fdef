"""Where things are and what differs between stages, in one place."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
EVENT_SCHEMAS_DIR = ROOT / "schemas" / "events"
BUILD_DIR = ROOT / "build"

SERVICE_NAME = "crm"
METRICS_NAMESPACE = "CRM"
DEFAULT_TIME_ZONE = "Asia/Shanghai"
STAGES = ("dev", "prod")


def cdk_json_context() -> dict[str, Any]:
    """The context of cdk.json (feature flags, default stage).

    The CDK CLI passes it to `app.py`; `python app.py` and the tests read it from here, so every
    way of synthesising builds the same template.
    """
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    return context


@dataclass(frozen=True)
class StageSettings:
    """What differs between dev and prod; everything else is the same stack."""

    name: str
    removal_policy: RemovalPolicy
    deletion_protection: bool
    log_retention: logs.RetentionDays
    api_rate_limit: float
    api_burst_limit: int
    mfa_required: bool

    @property
    def is_prod(self) -> bool:
        return self.name == "prod"


def stage_settings(name: str) -> StageSettings:
    """Settings of a stage by name; unknown names fail loudly rather than deploy a surprise."""
    if name == "prod":
        return StageSettings(
            name="prod",
            removal_policy=RemovalPolicy.RETAIN,
            deletion_protection=True,
            log_retention=logs.RetentionDays.ONE_YEAR,
            api_rate_limit=200.0,
            api_burst_limit=400,
            mfa_required=True,
        )
    if name == "dev":
        return StageSettings(
            name="dev",
            removal_policy=RemovalPolicy.DESTROY,
            deletion_protection=False,
            log_retention=logs.RetentionDays.ONE_MONTH,
            api_rate_limit=20.0,
            api_burst_limit=40,
            mfa_required=False,
        )
    raise ValueError(f"unknown stage {name!r}; use one of {', '.join(STAGES)}")
