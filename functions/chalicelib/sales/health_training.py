"""The nightly training of a tenant's health model (numpy/scipy: the analytics runner only).

The first step of the nightly health job reads the tenant's closed deals, one Query per page on
gsi2 (the by-stage index) for each won and each lost stage of each pipeline (no Scan), builds a
training row of each from its features as they stood before the close (`scoring.
features_before_close`), fits with `health_fit.fit_model` against the model in use, and writes
the tenant's health model item: the promoted model with its holdout AUC and counts, or, when
nothing is promoted, the model in use kept and the night's reason recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from . import health_fit, scoring, setup_store, store
from .health import PRIOR_MODEL, HealthModel
from .models import StageOutcome
from .pipeline_service import list_pipelines_of

PAGE = 1000  # DynamoDB ends a page at 1 MB first; closed deals are read in full
MAX_ROWS = 20_000  # the most a night trains on (the pages read first; a bound on the step)


def closed_deals(tenant_id: str) -> Iterator[tuple[Mapping[str, Any], bool, list[str]]]:
    """(deal, won, the pipeline's open stage ids) of every closed deal, page by page."""
    for pipeline_id, body in list_pipelines_of(tenant_id):
        open_ids = [s.id for s in body.stages if s.outcome == StageOutcome.OPEN]
        for stage in body.stages:
            if stage.outcome == StageOutcome.OPEN:
                continue
            start: dict[str, Any] | None = None
            while True:
                page = store.by_stage(tenant_id, pipeline_id, stage.id, PAGE, start)
                for item in page.items:
                    yield dict(item.attribute_values), stage.outcome == StageOutcome.WON, open_ids
                if not page.last_key:
                    break
                start = dict(page.last_key)


def training_rows(tenant_id: str, now: datetime) -> list[health_fit.Row]:
    rows: list[health_fit.Row] = []
    medians: dict[tuple[str, str], list[float]] = {}
    usual: dict[str, Decimal | None] = {}
    for deal, won, open_ids in closed_deals(tenant_id):
        found = scoring.before_close(deal)
        if found is None:
            continue
        stage, pipeline_id = found[0], str(deal["pipeline_id"])
        if (pipeline_id, stage) not in medians:
            medians[pipeline_id, stage] = setup_store.stage_days(tenant_id, pipeline_id, stage)
        customer_id = str(deal["customer_id"])
        if customer_id not in usual:
            usual[customer_id] = scoring.usual_amount(tenant_id, customer_id, now)
        features = scoring.features_before_close(
            deal,
            medians[pipeline_id, stage],
            scoring.progress_of(open_ids, stage),
            usual[customer_id],
        )
        if features is not None:
            rows.append((features, won))
        if len(rows) >= MAX_ROWS:
            break
    return rows


def train(tenant_id: str, now: datetime) -> int:
    """Train and store the tenant's model; the stored item's version (for the rescoring)."""
    current = setup_store.health_model(tenant_id)
    incumbent = PRIOR_MODEL
    if current is not None and current.model_json:
        try:
            incumbent = HealthModel.from_dict(json.loads(current.model_json))
        except ValueError:
            incumbent = PRIOR_MODEL
    number = int(current.version or 0) + 1 if current is not None else 1
    result = health_fit.fit_model(
        training_rows(tenant_id, now),
        incumbent=incumbent,
        version=f"{tenant_id}-{now.date().isoformat()}-{number}",
    )
    values: dict[str, Any] = {
        "trained_at": now,
        "reason": result.reason,
        "won": result.won,
        "lost": result.lost,
        "holdout_auc": _decimal(result.holdout_auc),
        "incumbent_auc": _decimal(result.incumbent_auc),
    }
    if result.model is not None:
        values["model_json"] = json.dumps(result.model.to_dict())
        values["promoted_at"] = now
    saved = setup_store.save_health_model(tenant_id, current, **values)
    return int(saved.version)


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.6f}")
