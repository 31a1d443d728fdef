"""Step Functions definitions (Amazon States Language files), readable without CDK or AWS.

The CDK constructs deploy these files with `definition_substitutions`; tests read the same
files through the loaders here, so the machine a test runs on moto is the one AWS runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TIMERS_ASL = Path(__file__).resolve().parent / "timers.asl.json"
# The placeholders CloudFormation's DefinitionSubstitutions fills with the functions' ARNs: the
# timers function (the default runner) and the nightly function (`runner: analytics`).
TIMERS_FUNCTION_ARN = "TimersFunctionArn"
NIGHTLY_FUNCTION_ARN = "NightlyFunctionArn"


def timer_definition_text() -> str:
    """The timer machine's ASL as deployed: `${TimersFunctionArn}` and `${NightlyFunctionArn}`
    still to be substituted."""
    return TIMERS_ASL.read_text(encoding="utf-8")


def timer_definition(checker_arn: str, analytics_arn: str) -> dict[str, Any]:
    """The timer machine: wait until `$.deadline`, then invoke `analytics_arn` with the input
    when its `runner` is analytics, else `checker_arn`."""
    text = (
        timer_definition_text()
        .replace("${" + TIMERS_FUNCTION_ARN + "}", checker_arn)
        .replace("${" + NIGHTLY_FUNCTION_ARN + "}", analytics_arn)
    )
    definition: dict[str, Any] = json.loads(text)
    return definition
