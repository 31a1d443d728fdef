"""EventBridge patterns of the CRM's domain events, as plain data: no CDK, no AWS.

Every event the functions publish has the source `crm.<area>` (`crm.customers`, `crm.tagging`,
`crm.automation`, ...; the `x-source` of each file in schemas/events/), so the patterns match a
prefix, never the bare `crm`. The deployed bus (archive and example rule, infra/constructs/bus.py)
and the local stack's tap (infra/local) use these, so what marketing tries locally is what the
archive keeps in AWS.
"""

from __future__ import annotations

from typing import Any

DOMAIN_SOURCE_PREFIX = "crm."
CHURN_RISK_RAISED = "Churn Risk Raised"


def domain_events() -> dict[str, Any]:
    """Every CRM domain event, whatever its area: what the archive keeps and the tap copies."""
    return {"source": [{"prefix": DOMAIN_SOURCE_PREFIX}]}


def churn_risk_raised() -> dict[str, Any]:
    """The example marketing rule: churn warnings, and nothing else."""
    return {**domain_events(), "detail-type": [CHURN_RISK_RAISED]}
