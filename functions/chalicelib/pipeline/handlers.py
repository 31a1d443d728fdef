"""The stream function: table changes -> aggregates, tags, automation, domain events.

Per batch (Lambda with ReportBatchItemFailures, or the local poller):
1. one BatchGetItem: the profiles that children will update, and which records were already
   processed (markers; a redelivered record is skipped, so nothing is published twice);
2. per record (powertools BatchProcessor, a failing record fails alone): decide events
   (changes.py), queue its aggregate step, re-tag and run automation for profile changes;
3. per customer, one rev-conditioned UpdateItem applying the batch's queued steps, each
   carrying its record's mark (customers written in parallel); a customer whose write fails
   sends back only its own records;
4. publish the events of all records that succeeded, 10 per PutEvents call, calls in parallel;
5. mark those records processed (BatchWriteItem). A record whose events could neither be
   published nor parked on the DLQ is reported as failed and retried.

Dedupe choice: markers keyed by the stream record's eventID instead of powertools idempotency
around each record: the latter costs two writes per record and cannot batch; markers cost one
read and one write per *batch* of 25-100. The aggregate step does not rely on markers: its own
mark travels in the same UpdateItem, so it is applied exactly once even if step 5 is lost.
Events can repeat only if the function dies between steps 4 and 5; each event carries a
deterministic `event_id` so consumers can drop such a repeat.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from ..core.events import EventDetail, EventPublishError
from ..core.observability import logger
from . import aggregates, store
from .changes import Change, Outcome, clean_profile, outcome_of

MAX_AGGREGATE_ATTEMPTS = 3
# Customers whose aggregates are written at once: DynamoDB round trips overlap, so a shard's
# throughput is bound by the slowest customer's write, not by the sum of all of them.
AGGREGATE_WRITERS = 8

Retag = Callable[[str, str, dict[str, Any], datetime], Any]
OnCustomerChange = Callable[[dict[str, Any] | None, dict[str, Any] | None, datetime], None]
Publish = Callable[[Sequence[EventDetail]], Any]


def _retag(tenant_id: str, customer_id: str, facts: dict[str, Any], now: datetime) -> Any:
    from ..tagging.handlers import retag_customer

    return retag_customer(tenant_id, customer_id, facts, now)


def _on_customer_change(
    old: dict[str, Any] | None, new: dict[str, Any] | None, now: datetime
) -> None:
    from ..automation.handlers import on_customer_change

    on_customer_change(old, new, now)


def _publish(details: Sequence[EventDetail]) -> Any:
    from ..core.events import publish

    return publish(details)


@dataclass(frozen=True)
class Collaborators:
    """The other areas the stream drives; tests and the benchmark swap them."""

    retag: Retag = _retag
    on_customer_change: OnCustomerChange = _on_customer_change
    publish: Publish = _publish
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


PRODUCTION = Collaborators()


def to_change(record: DynamoDBRecord) -> Change:
    stream = record.dynamodb
    assert stream is not None  # a DynamoDB stream record always has it
    moment = stream.approximate_creation_date_time
    return Change(
        event_id=str(record.event_id),
        event_name=record.event_name.name if record.event_name else "",
        sequence_number=str(stream.sequence_number),
        keys=stream.keys,
        old=stream.old_image or None,
        new=stream.new_image or None,
        at=datetime.fromtimestamp(moment, UTC) if moment else datetime.now(UTC),
    )


class StreamBatch:
    """One invocation's worth of records."""

    def __init__(self, collaborators: Collaborators) -> None:
        self.c = collaborators
        self.now = collaborators.clock()
        self.profiles: dict[str, dict[str, Any]] = {}
        self.done: set[str] = set()
        self.succeeded: list[tuple[str, str]] = []  # (event id, sequence number)
        self.outbox: dict[str, list[EventDetail]] = {}
        # pk -> the batch's aggregate steps for that customer: (outcome, event id, sequence)
        self.pending: dict[str, list[tuple[Outcome, str, str]]] = {}

    def prefetch(self, records: list[dict[str, Any]]) -> None:
        child_pks = [
            r["dynamodb"]["Keys"]["pk"]["S"]
            for r in records
            if r.get("eventName") == "INSERT"
            and str(r["dynamodb"].get("Keys", {}).get("sk", {}).get("S", "")).startswith("TL#")
        ]
        self.profiles, self.done = store.prefetch(child_pks, [r["eventID"] for r in records])

    def handle_record(self, record: DynamoDBRecord) -> str:
        try:
            return self._handle(to_change(record))
        except Exception:
            # Logged here with the record's ids: BatchProcessor only keeps the exception.
            logger.exception(
                "Stream record failed; it will be retried",
                extra={"event_id": record.event_id, "sequence_number": _sequence(record)},
            )
            raise

    def _handle(self, change: Change) -> str:
        if change.event_id in self.done:
            logger.info("Stream record already processed", extra={"event_id": change.event_id})
            return "duplicate"
        outcome = outcome_of(change)
        self._apply_aggregates(change, outcome)
        if change.kind == "profile" and outcome.profile_changed:
            self._follow_profile(change)
        self.outbox[change.event_id] = outcome.events
        self.succeeded.append((change.event_id, change.sequence_number))
        return change.kind

    def _apply_aggregates(self, change: Change, outcome: Outcome) -> None:
        """Queue the record's aggregate step; `flush_aggregates` writes each customer once."""
        if outcome.interaction is None and outcome.order is None:
            return
        pk = str(change.keys["pk"])
        if pk not in self.profiles:
            profile = store.read_profile(pk)
            if profile is None:
                logger.warning("Child of a missing customer", extra={"pk": pk})
                return
            self.profiles[pk] = profile
        self.pending.setdefault(pk, []).append((outcome, change.event_id, change.sequence_number))

    def flush_aggregates(self) -> set[str]:
        """Write each customer's aggregates once for the whole batch, customers in parallel.

        Returns the sequence numbers of the records whose customer could not be written; they
        are neither published nor marked, so they come back and their steps apply then.
        """
        if not self.pending:
            return set()
        with ThreadPoolExecutor(max_workers=AGGREGATE_WRITERS) as pool:
            written = dict(
                zip(self.pending, pool.map(self._write_customer, self.pending), strict=True)
            )
        return {seq for pk, ok in written.items() if not ok for _, _, seq in self.pending[pk]}

    def _write_customer(self, pk: str) -> bool:
        profile: dict[str, Any] | None = self.profiles[pk]
        for _ in range(MAX_AGGREGATE_ATTEMPTS):
            if profile is None:
                return True  # the customer is gone: nothing to keep up to date
            current = profile.get("aggregates") or {}
            updated = current
            for outcome, event_id, _ in self.pending[pk]:
                if outcome.interaction is not None:
                    updated = aggregates.apply_interaction(updated, outcome.interaction, event_id)
                elif outcome.order is not None:
                    updated = aggregates.apply_order(updated, outcome.order, event_id)
            if updated is current:
                return True  # every step of this batch is in already
            rev = current.get("rev")
            try:
                if store.write_aggregates(pk, updated, None if rev is None else int(rev)):
                    profile["aggregates"] = updated
                    return True
                profile = store.read_profile(pk)  # someone else moved them: redo on fresh ones
            except Exception:
                logger.exception(
                    "Aggregates not written; records will be retried", extra={"pk": pk}
                )
                return False
        logger.error("Aggregates kept changing underneath", extra={"pk": pk})
        return False

    def _follow_profile(self, change: Change) -> None:
        old, new = clean_profile(change.old), clean_profile(change.new)
        if new is not None and new.get("deleted_at") is None:
            self.c.retag(change.tenant_id, change.customer_id, new, self.now)
        self.c.on_customer_change(old, new, self.now)

    def publish_and_mark(self, failed: set[str]) -> list[str]:
        """Publish the events of succeeded records; returns sequence numbers that must retry."""
        ready = [(e, s) for e, s in self.succeeded if s not in failed]
        details = [d for e, _ in ready for d in self.outbox.get(e, [])]
        unpublished: set[str] = set()
        if details:
            try:
                self.c.publish(details)
            except EventPublishError as exc:
                logger.exception("Events not published", extra={"count": len(details)})
                lost = set(exc.failed_event_ids)
                unpublished = {
                    e for e, _ in ready if any(d.event_id in lost for d in self.outbox[e])
                }
        retry = [s for e, s in ready if e in unpublished]
        processed = [e for e, _ in ready if e not in unpublished]
        if processed:
            try:
                store.mark_processed(processed, int(self.now.timestamp()))
            except Exception:
                # Events are out; failing now would publish them again. Worst case: a later
                # redelivery repeats them, and consumers dedupe on event_id.
                logger.exception("Could not mark records processed")
        return retry


def _sequence(record: DynamoDBRecord) -> str | None:
    return record.dynamodb.sequence_number if record.dynamodb else None


def handle_stream_batch(
    event: dict[str, Any], context: Any, collaborators: Collaborators | None = None
) -> dict[str, Any]:
    """Lambda entry point for the table's stream; returns {"batchItemFailures": [...]}."""
    records = event.get("Records", [])
    batch = StreamBatch(collaborators or PRODUCTION)
    batch.prefetch(records)
    processor = BatchProcessor(
        event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
    )
    response = process_partial_response(
        event=event, record_handler=batch.handle_record, processor=processor, context=context
    )
    failures: list[dict[str, Any]] = [dict(f) for f in response.get("batchItemFailures", [])]
    failed = {str(f["itemIdentifier"]) for f in failures}
    unwritten = sorted(batch.flush_aggregates() - failed)
    failures += [{"itemIdentifier": s} for s in unwritten]
    failed.update(unwritten)
    failures += [{"itemIdentifier": s} for s in batch.publish_and_mark(failed)]
    if records and len(failures) == len(records):
        # Same as powertools' default: a batch that failed entirely is retried as a whole.
        raise RuntimeError(f"All {len(records)} stream records failed; see the logs")
    logger.info(
        "Stream batch done",
        extra={"records": len(records), "failed": len(failures), "skipped": len(batch.done)},
    )
    return {"batchItemFailures": failures}
