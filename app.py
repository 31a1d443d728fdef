#!/usr/bin/env python3
"""CDK entry point: `cdk synth -c stage=prod` (or `python app.py`) builds the CRM stack.

Not the Chalice app: that is functions/app.py. This file must only ever run as a script.
"""

from __future__ import annotations

import os

if __name__ != "__main__":  # pragma: no cover - a guard, not behaviour
    raise ImportError(
        "app.py at the repository root is the CDK entry point; the Chalice app is functions/app.py"
    )

import aws_cdk as cdk

from infra.nag import add_checks
from infra.settings import STAGES, cdk_json_context, stage_settings
from infra.stack import CrmStack

# cdk.json's context as defaults: `cdk -c ...` (CDK_CONTEXT_JSON) still overrides it.
app = cdk.App(context=cdk_json_context())
stage_name = str(app.node.try_get_context("stage") or "dev")
if stage_name not in STAGES:
    raise SystemExit(f"unknown stage {stage_name!r}: pass -c stage=dev or -c stage=prod")
stage = stage_settings(stage_name)
env = cdk.Environment(
    account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
    region=os.environ.get("CDK_DEFAULT_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
)
CrmStack(
    app,
    f"Crm{stage_name.title()}",
    stage=stage,
    env=env,
    description=f"CRM backend ({stage_name}): API, table, events, timers, jobs, dashboard",
)
# cdk-nag AwsSolutions on every synth; `-c nag=false` skips it for a quick look.
if app.node.try_get_context("nag") not in (False, "false", "0"):
    add_checks(app)
app.synth()
