"""Step Functions definitions (Amazon States Language files), readable without CDK or AWS.

The CDK constructs deploy these files with `definition_substitutions`; tests read the same
files through the loaders here, so the machine a test runs on moto is the one AWS runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TIMERS_ASL = Path(__file__).resolve().parent / "timers.asl.json"
# The placeholder CloudFormation's DefinitionSubstitutions fills with the function's ARN.
TIMERS_FUNCTION_ARN = "TimersFunctionArn"


def timer_definition_text() -> str:
    """The timer machine's ASL as deployed: `${TimersFunctionArn}` still to be substituted."""
    return TIMERS_ASL.read_text(encoding="utf-8")


def timer_definition(function_arn: str) -> dict[str, Any]:
    """The timer machine: wait until `$.deadline`, then invoke `function_arn` with the input."""
    text = timer_definition_text().replace("${" + TIMERS_FUNCTION_ARN + "}", function_arn)
    definition: dict[str, Any] = json.loads(text)
    return definition
