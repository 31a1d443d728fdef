"""The stream function's metrics per batch (powertools Metrics, one EMF blob per batch)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .observability import metrics
from .settings import get_settings

# The metrics of every batch (namespace and `service` dimension from settings); the dashboard
# and the failed-records alarm (infra/constructs/observability.py) read them by these names.
PROCESSED, FAILED, DUPLICATES, PARKED, DEAD_LETTERED, ITERATOR_AGE = STREAM_METRICS = (
    "StreamRecordsProcessed",
    "StreamRecordsFailed",
    "StreamDuplicatesSkipped",
    "StreamRecordsParked",
    "StreamEventsDeadLettered",
    "StreamIteratorAge",
)


def iterator_age_ms(records: Sequence[dict[str, Any]], now: datetime) -> float | None:
    """How old the batch's newest record was at `now` (ms); None when no record says."""
    moments = [
        float(moment)
        for record in records
        if (moment := (record.get("dynamodb") or {}).get("ApproximateCreationDateTime")) is not None
    ]
    if not moments:
        return None
    return max(0.0, (now.timestamp() - max(moments)) * 1000)


def record_metrics(
    records: Sequence[dict[str, Any]],
    *,
    failed: int,
    duplicates: int,
    parked: int,
    dead_lettered: int,
    now: datetime,
) -> None:
    """The batch's metrics, flushed as one EMF blob (nothing at all when metrics are off)."""
    if not get_settings().metrics_enabled:
        return  # powertools keeps what it was given when off, and prints it at 100 values
    from aws_lambda_powertools.metrics import MetricUnit

    processed = len(records) - failed - duplicates - parked
    metrics.add_metric(name=PROCESSED, unit=MetricUnit.Count, value=processed)
    metrics.add_metric(name=FAILED, unit=MetricUnit.Count, value=failed)
    metrics.add_metric(name=DUPLICATES, unit=MetricUnit.Count, value=duplicates)
    metrics.add_metric(name=PARKED, unit=MetricUnit.Count, value=parked)
    metrics.add_metric(name=DEAD_LETTERED, unit=MetricUnit.Count, value=dead_lettered)
    age = iterator_age_ms(records, now)
    if age is not None:
        metrics.add_metric(name=ITERATOR_AGE, unit=MetricUnit.Milliseconds, value=age)
    metrics.flush_metrics()
