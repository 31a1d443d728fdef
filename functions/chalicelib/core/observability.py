"""Powertools Logger and Metrics, created once. Tracer is imported only when tracing is on."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from .settings import get_settings

_settings = get_settings()

logger = Logger(service=_settings.service_name)
metrics = Metrics(namespace=_settings.metrics_namespace, service=_settings.service_name)


@lru_cache(maxsize=1)
def tracer() -> Any | None:
    """The X-Ray tracer when tracing is enabled, else None (keeps it off the cold-start path)."""
    if not _settings.tracing_enabled:
        return None
    from aws_lambda_powertools import Tracer

    return Tracer(service=_settings.service_name)


def flush_metrics() -> None:
    """Write the metrics added so far (one EMF log line) when a handler without powertools'
    decorator ends; nothing when none were added."""
    if metrics.metric_set:
        metrics.flush_metrics()
