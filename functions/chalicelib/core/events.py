"""Domain events: the base of every event detail and `publish` to the custom EventBridge bus.

Delivery promise: an event is either accepted by EventBridge or parked on the events DLQ (SQS);
when even the DLQ refuses it, `publish` raises so that the caller's work (a stream record) is
retried. Nothing is dropped silently. Only the entries EventBridge rejected are retried.

The detail models live in each area's `events` module (the registry collects them); this
module knows only their common shape. A detail's source is its area's: `crm.<area>`.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from .observability import logger
from .settings import get_settings

MAX_PARALLEL_CALLS = 10
MAX_ENTRIES_PER_CALL = 10
MAX_BYTES_PER_CALL = 256 * 1024
DLQ_URL_ENV = "CRM_EVENTS_DLQ_URL"


class EventDetail(BaseModel):
    """Common part of every event detail. Subclasses set DETAIL_TYPE; the source is their area's.

    A detail defined in `chalicelib.<area>.events` is published as source `crm.<area>`, so no
    model can claim another area's source (tests may set SOURCE themselves).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    SOURCE: ClassVar[str]
    DETAIL_TYPE: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        package, _, rest = cls.__module__.partition(".")
        if "SOURCE" not in cls.__dict__ and package == "chalicelib" and rest:
            cls.SOURCE = f"crm.{rest.split('.')[0]}"

    version: Literal["1.0"] = Field(default="1.0", description="Schema version of this detail.")
    event_id: str = Field(description="Deterministic id: consumers dedupe on it.")
    tenant_id: str
    correlation_id: str = Field(description="Request or stream record that caused the event.")
    occurred_at: datetime

    def to_entry(self, bus_name: str) -> dict[str, Any]:
        """This detail as a PutEvents entry."""
        return {
            "Source": self.SOURCE,
            "DetailType": self.DETAIL_TYPE,
            "Detail": self.model_dump_json(),
            "EventBusName": bus_name,
            "Time": self.occurred_at,
        }


class EventPublishError(RuntimeError):
    """Entries were neither accepted by EventBridge nor parked on the DLQ."""

    def __init__(self, message: str, failed_event_ids: Sequence[str]) -> None:
        super().__init__(message)
        self.failed_event_ids = tuple(failed_event_ids)


@dataclass(frozen=True)
class PublishReport:
    published: int
    dead_lettered: int


def _entry_size(entry: dict[str, Any]) -> int:
    # EventBridge's size rule: source + detail-type + detail (+ resources); 14 bytes for Time.
    return (
        len(entry["Source"].encode())
        + len(entry["DetailType"].encode())
        + len(entry["Detail"].encode())
        + 14
    )


def chunk_entries(entries: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Split entries into PutEvents calls: at most 10 entries and 256 KiB each."""
    chunks: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for entry in entries:
        entry_size = _entry_size(entry)
        if current and (
            len(current) == MAX_ENTRIES_PER_CALL or size + entry_size > MAX_BYTES_PER_CALL
        ):
            chunks.append(current)
            current, size = [], 0
        current.append(entry)
        size += entry_size
    if current:
        chunks.append(current)
    return chunks


class Publisher:
    """PutEvents with bounded retries of the failed entries only, then the DLQ, then raise."""

    def __init__(
        self,
        events_client: Any,
        sqs_client: Any,
        *,
        bus_name: str,
        dlq_url: str | None,
        max_attempts: int = 4,
        base_delay: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.events = events_client
        self.sqs = sqs_client
        self.bus_name = bus_name
        self.dlq_url = dlq_url
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.sleep = sleep

    def publish(self, details: Sequence[EventDetail]) -> PublishReport:
        entries = [detail.to_entry(self.bus_name) for detail in details]
        chunks = chunk_entries(entries)
        failed: list[tuple[dict[str, Any], str]] = []
        if len(chunks) == 1:
            failed.extend(self._put_with_retries(chunks[0]))
        else:
            # Calls for different chunks overlap: a batch's publish time is one round trip,
            # not ten. The order of events across chunks is not a promise EventBridge makes.
            with ThreadPoolExecutor(max_workers=min(len(chunks), MAX_PARALLEL_CALLS)) as pool:
                for chunk_failed in pool.map(self._put_with_retries, chunks):
                    failed.extend(chunk_failed)
        if failed:
            self._dead_letter(failed)
        return PublishReport(published=len(entries) - len(failed), dead_lettered=len(failed))

    def _put_with_retries(self, chunk: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
        pending = chunk
        errors: list[str] = ["not attempted"] * len(chunk)
        for attempt in range(self.max_attempts):
            if attempt:
                # Full jitter: spreads retries of concurrent shards apart.
                self.sleep(random.uniform(0, self.base_delay * 2**attempt))  # noqa: S311
            try:
                response = self.events.put_events(Entries=pending)
            except Exception as exc:  # the whole call failed: every entry is still pending
                logger.warning("PutEvents call failed", extra={"error": str(exc)})
                errors = [type(exc).__name__] * len(pending)
                continue
            results = response.get("Entries", [])
            still, still_errors = [], []
            for entry, result in zip(pending, results, strict=True):
                if result.get("ErrorCode"):
                    still.append(entry)
                    still_errors.append(f"{result['ErrorCode']}: {result.get('ErrorMessage', '')}")
            pending, errors = still, still_errors
            if not pending:
                return []
        return list(zip(pending, errors, strict=True))

    def _dead_letter(self, failed: list[tuple[dict[str, Any], str]]) -> None:
        if not self.dlq_url:
            raise EventPublishError(
                f"{len(failed)} event(s) failed and no DLQ is configured ({DLQ_URL_ENV}).",
                [_event_id(entry) for entry, _ in failed],
            )
        logger.error("Events parked on the DLQ", extra={"count": len(failed)})
        for start in range(0, len(failed), 10):
            batch = failed[start : start + 10]
            messages = [
                {
                    "Id": str(index),
                    "MessageBody": json.dumps(
                        {"entry": entry, "error": error, "parked_at": _now_iso()},
                        default=str,
                        ensure_ascii=False,
                    ),
                }
                for index, (entry, error) in enumerate(batch)
            ]
            try:
                response = self.sqs.send_message_batch(QueueUrl=self.dlq_url, Entries=messages)
            except Exception as exc:
                lost = [_event_id(entry) for entry, _ in failed[start:]]
                raise EventPublishError(f"DLQ refused {len(lost)} event(s): {exc}", lost) from exc
            refused = [batch[int(f["Id"])][0] for f in response.get("Failed", [])]
            if refused:
                lost = [_event_id(e) for e in refused] + [
                    _event_id(entry) for entry, _ in failed[start + 10 :]
                ]
                raise EventPublishError(f"DLQ refused {len(refused)} event(s).", lost)


def _event_id(entry: dict[str, Any]) -> str:
    return str(json.loads(entry["Detail"])["event_id"])


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


@lru_cache(maxsize=1)
def default_publisher() -> Publisher:
    """The process-wide publisher: bus and endpoint from settings, DLQ from CRM_EVENTS_DLQ_URL."""
    import boto3
    from botocore.config import Config

    settings = get_settings()
    config = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2)
    kwargs: dict[str, Any] = {
        "region_name": settings.region,
        "endpoint_url": settings.aws_endpoint,
        "config": config,
    }
    return Publisher(
        boto3.client("events", **kwargs),
        boto3.client("sqs", **kwargs),
        bus_name=settings.event_bus_name,
        dlq_url=settings.events_dlq_url,
    )


def publish(details: Sequence[EventDetail]) -> PublishReport:
    """Publish event details to the bus; raises EventPublishError only when the DLQ fails too."""
    if not details:
        return PublishReport(published=0, dead_lettered=0)
    return default_publisher().publish(details)
