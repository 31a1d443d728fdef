"""The stream function, an engine that knows no area: table changes -> the owning area's pure
reaction -> aggregates, follow-up work and domain events.

Per batch (Lambda with ReportBatchItemFailures, or the local poller):
1. per record: deserialise it and ask the area that owns its item `type` (the registry) for its
   reaction; a record that cannot be read or reacted to fails alone, later, with its error;
2. one consistent BatchGetItem (chunks of 100 keys read at once): the profiles the batch's
   aggregate steps will move, the tenants' rules versions (rules compiled before a rule write
   are not used after it), and which records were processed already (markers: a redelivered
   record is skipped);
3. the followers of the batch's notices read ahead, at once, what they will read, or do the
   batch's work at once (`Follow.prepare`: re-tagging reads the tags its rules decide for every
   changed customer in one BatchGetItem, leads the customers' open leads, reports fold every
   notice into their items with one read and one write per item);
4. per record (a failing record fails alone, reported through powertools BatchProcessor): run
   the followers of its notices (re-tagging, automation), customers in parallel threads, the
   records of one customer (one item collection) one after the other in stream order; then, in
   the batch's order, queue the aggregate steps and events of those that succeeded;
5. per customer, one rev-conditioned UpdateItem applying the batch's queued steps, each with its
   record's mark (customers written in parallel); a customer whose write fails sends back only
   its own records;
6. publish the events of every record that succeeded, 10 per PutEvents call, calls in parallel;
7. mark those records processed (BatchWriteItem, 25 per call, calls in parallel). A record
   whose events could neither be published nor parked on the DLQ is reported as failed and
   retried;
8. one EMF blob of metrics for the batch (core/stream_metrics.py; off where
   POWERTOOLS_METRICS_DISABLED is true, as for the API): records processed, failed, skipped
   as duplicates and parked as unreadable, events parked on the DLQ, and the iterator age (how
   old the batch's newest record was when the batch arrived, as Lambda's IteratorAge counts it).

Dedupe: markers keyed by the stream record's eventID cost one read and one write per batch
(powertools idempotency around each record would cost two writes per record). Aggregate steps
do not rely on markers: each step's mark travels in the same UpdateItem, so it is applied once
even if step 7 is lost. Events can repeat only if the function dies between steps 6 and 7; each
carries a deterministic `event_id` so consumers drop such a repeat.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from . import stream_store as store
from .area_registry import Registry, registry
from .batch_cache import batch_cache
from .changes import Change, Notice, Reaction, apply_once
from .correlation import correlated
from .events import EventDetail, EventPublishError
from .observability import logger
from .rulesets import observe_versions
from .settings import get_settings
from .stream_metrics import STREAM_METRICS, record_metrics

MAX_AGGREGATE_ATTEMPTS = 3
__all__ = ["STREAM_METRICS", "StreamBatch", "handle_stream_batch"]
# Customers whose aggregates are written at once: DynamoDB round trips overlap, so a shard's
# throughput is bound by the slowest customer's write, not by the sum of all of them.
AGGREGATE_WRITERS = 8
# Customers whose records are followed at once (re-tagging, automation, every area's
# followers): their reads and writes overlap; the records of one customer still run one after
# the other, in stream order. Settings.stream_followers (CRM_STREAM_FOLLOWERS) says how many.

Publish = Callable[[Sequence[EventDetail]], Any]


def _publish(details: Sequence[EventDetail]) -> Any:
    from .events import publish

    return publish(details)


def _now() -> datetime:
    return datetime.now(UTC)


def to_change(raw: dict[str, Any]) -> Change:
    """A Lambda stream record as a Change (images deserialised; may raise on a bad value)."""
    record = DynamoDBRecord(raw)
    stream = record.dynamodb
    if stream is None:
        raise ValueError("The stream record has no dynamodb part.")
    moment = stream.approximate_creation_date_time
    return Change(
        event_id=str(record.event_id),
        event_name=record.event_name.name if record.event_name else "",
        sequence_number=str(stream.sequence_number),
        keys=stream.keys or {},
        old=stream.old_image or None,
        new=stream.new_image or None,
        at=datetime.fromtimestamp(moment, UTC) if moment else _now(),
    )


def _sequence(raw: dict[str, Any]) -> str:
    return str((raw.get("dynamodb") or {}).get("SequenceNumber", ""))


@dataclass
class Outcome:
    """What following one record came to; `label` is what BatchProcessor reports for it."""

    FOLLOWED, DUPLICATE, PARKED, PARKED_BEFORE = "followed", "duplicate", "parked", "parked before"

    label: str
    kind: str
    queued: bool = False


class StreamBatch:
    """One invocation's worth of records."""

    def __init__(self, areas: Registry, publish: Publish, now: datetime) -> None:
        self.areas = areas
        self.publish = publish
        self.now = now
        # sequence number -> the record's change and reaction, or why it has none
        self.reacted: dict[str, tuple[Change, Reaction]] = {}
        self.unreadable: dict[str, Exception] = {}
        self.raw: dict[str, dict[str, Any]] = {}
        self.parked: list[str] = []  # stream record ids parked as unreadable
        self.profiles: dict[str, dict[str, Any]] = {}
        self.done: set[str] = set()
        # sequence number -> what following the record came to (step 4), or why it failed
        self.outcomes: dict[str, Outcome | Exception] = {}
        self.succeeded: list[tuple[str, str]] = []  # (event id, sequence number)
        self.outbox: dict[str, list[EventDetail]] = {}
        # customer pk -> the batch's steps for that customer: (step, event id, sequence)
        self.pending: dict[str, list[tuple[Any, str, str]]] = {}
        self.duplicates = 0
        self.dead_lettered = 0

    def react(self, records: list[dict[str, Any]]) -> None:
        """Each record's reaction (pure), then one read for what the batch needs."""
        for raw in records:
            sequence = _sequence(raw)
            try:
                change = to_change(raw)
                decide = self.areas.reaction(change.item_type)
                self.reacted[sequence] = (change, decide(change) if decide else Reaction())
            except Exception as exc:  # a poison record: it alone fails or is parked, below
                self.unreadable[sequence] = exc
                self.raw[sequence] = raw
        targets = [s.customer_pk for _, r in self.reacted.values() for s in r.steps]
        event_ids = [str(r["eventID"]) for r in records if r.get("eventID")]
        tenants = [c.tenant_id for c, r in self.reacted.values() if r.notices]
        found = store.prefetch(targets, event_ids, tenants)
        self.profiles, self.done = found.profiles, found.done
        # Rules written before these changes were committed are the rules to apply to them.
        observe_versions(found.rules_versions)

    def prepare(self) -> None:
        """Let followers read ahead, at once, what they will read for the batch's notices."""
        by_topic: dict[str, list[Notice]] = {}
        for change, reaction in self.reacted.values():
            if change.event_id not in self.done:
                for notice in reaction.notices:
                    by_topic.setdefault(notice.topic, []).append(notice)
        for topic, notices in by_topic.items():
            for area, prepare in self.areas.preparers(topic):
                try:
                    prepare(notices, self.now)
                except Exception:  # followers read for themselves, as without a read-ahead
                    logger.warning(
                        "Read-ahead failed",
                        extra={"area": area.name, "topic": topic},
                        exc_info=True,
                    )

    def follow(self, records: list[dict[str, Any]]) -> None:
        """Run each record's followers: customers at once, each customer's records in stream
        order (in one thread); then queue what succeeded in the batch's order."""
        groups: dict[str, list[str]] = {}
        for raw in records:
            sequence = _sequence(raw)
            groups.setdefault(self._group(sequence), []).append(sequence)
        width = min(len(groups), get_settings().stream_followers)
        if width > 1:
            with ThreadPoolExecutor(max_workers=width) as pool:
                # Each thread runs in a copy of this context: the batch's shared reads
                # (core.batch_cache) and no correlation id leaking between customers.
                runs = [pool.submit(copy_context().run, self._follow, g) for g in groups.values()]
                for run in runs:
                    run.result()
        else:
            for group in groups.values():
                self._follow(group)
        for raw in records:
            self._queue(_sequence(raw))

    def _group(self, sequence: str) -> str:
        """Records that must run in order share a group: those of one item collection."""
        if sequence in self.reacted:
            return "pk:" + str(self.reacted[sequence][0].keys.get("pk", ""))
        return "record:" + sequence  # unreadable: on its own

    def _follow(self, sequences: list[str]) -> None:
        for sequence in sequences:
            try:
                self.outcomes[sequence] = self._handle(sequence)
            except Exception as exc:
                # Logged here with the record's ids: BatchProcessor only keeps the exception.
                logger.exception(
                    "Stream record failed; it will be retried",
                    extra={"event_id": self._event_id(sequence), "sequence_number": sequence},
                )
                self.outcomes[sequence] = exc

    def _event_id(self, sequence: str) -> str:
        if sequence in self.reacted:
            return self.reacted[sequence][0].event_id
        return str(self.raw.get(sequence, {}).get("eventID", ""))

    def handle_record(self, record: DynamoDBRecord) -> str:
        """BatchProcessor's record handler: what following the record came to (step 4)."""
        sequence = str(record.dynamodb.sequence_number) if record.dynamodb else ""
        outcome = self.outcomes.get(sequence)
        if outcome is None:  # not followed above (a record BatchProcessor alone saw)
            self._follow([sequence])
            self._queue(sequence)
            outcome = self.outcomes[sequence]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome.label

    def _handle(self, sequence: str) -> Outcome:
        if sequence in self.unreadable and self.raw[sequence].get("eventID") in self.done:
            return Outcome("duplicate", Outcome.PARKED_BEFORE)  # parked on an earlier delivery
        if sequence in self.unreadable:
            # Reading and reacting are pure: such a record fails the same way every time, so
            # it is parked (whole, to replay once fixed) rather than retried; without a place
            # to park it, it fails alone and Lambda's retries and DLQ take it from there.
            raw, error = self.raw[sequence], self.unreadable[sequence]
            if not store.park_poison(raw, error):
                raise error
            logger.error("Unreadable stream record parked", extra={"sequence_number": sequence})
            return Outcome("parked", Outcome.PARKED)
        change, reaction = self.reacted[sequence]
        if change.event_id in self.done:
            logger.info("Stream record already processed", extra={"event_id": change.event_id})
            return Outcome("duplicate", Outcome.DUPLICATE)
        with correlated(change.correlation_id):  # what followers write carries it on
            for notice in reaction.notices:
                for _area, follow in self.areas.followers(notice.topic):
                    follow(notice, self.now)
        return Outcome(change.item_type or "untyped", Outcome.FOLLOWED)

    def _queue(self, sequence: str) -> None:
        """Book a followed record: its aggregate steps, its events, its mark (batch order)."""
        outcome = self.outcomes.get(sequence)
        if not isinstance(outcome, Outcome) or outcome.queued:
            return
        outcome.queued = True
        if outcome.kind == Outcome.DUPLICATE:
            self.duplicates += 1
        if outcome.kind == Outcome.PARKED:
            self.parked.append(str(self.raw[sequence].get("eventID", "")))
        if outcome.kind != Outcome.FOLLOWED:
            return
        change, reaction = self.reacted[sequence]
        for step in reaction.steps:
            if step.customer_pk not in self.profiles:
                profile = store.read_profile(step.customer_pk)
                if profile is None:
                    logger.warning("Step for a missing customer", extra={"pk": step.customer_pk})
                    continue
                self.profiles[step.customer_pk] = profile
            self.pending.setdefault(step.customer_pk, []).append((step, change.event_id, sequence))
        self.outbox[change.event_id] = reaction.events
        self.succeeded.append((change.event_id, sequence))

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
            for step, event_id, _ in self.pending[pk]:
                updated = apply_once(updated, step, event_id)
            if updated is current:
                return True  # every step of this batch is in already
            try:
                if store.write_aggregates(pk, updated, current):
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

    def publish_and_mark(self, failed: set[str]) -> list[str]:
        """Publish the events of succeeded records; returns sequence numbers that must retry."""
        ready = [(e, s) for e, s in self.succeeded if s not in failed]
        details = [d for e, _ in ready for d in self.outbox.get(e, [])]
        unpublished: set[str] = set()
        if details:
            try:
                report = self.publish(details)
                self.dead_lettered += int(getattr(report, "dead_lettered", 0) or 0)
            except EventPublishError as exc:
                logger.exception("Events not published", extra={"count": len(details)})
                lost = set(exc.failed_event_ids)
                unpublished = {
                    e for e, _ in ready if any(d.event_id in lost for d in self.outbox[e])
                }
        retry = [s for e, s in ready if e in unpublished]
        processed = [e for e, _ in ready if e not in unpublished] + self.parked
        if processed:
            try:
                store.mark_processed(processed, int(self.now.timestamp()))
            except Exception:
                # Events are out; failing now would publish them again. Worst case: a later
                # redelivery repeats them, and consumers dedupe on event_id.
                logger.exception("Could not mark records processed")
        return retry


def handle_stream_batch(
    event: dict[str, Any],
    context: Any,
    *,
    areas: Registry | None = None,
    publish: Publish | None = None,
    clock: Callable[[], datetime] | None = None,
) -> dict[str, Any]:
    """Lambda entry point for the table's stream; returns {"batchItemFailures": [...]}."""
    with batch_cache():  # the batch's records share reads (core/batch_cache.py)
        return _handle_batch(event, context, areas, publish, clock)


def _handle_batch(
    event: dict[str, Any],
    context: Any,
    areas: Registry | None,
    publish: Publish | None,
    clock: Callable[[], datetime] | None,
) -> dict[str, Any]:
    records = event.get("Records", [])
    batch = StreamBatch(areas or registry(), publish or _publish, (clock or _now)())
    batch.react(records)
    batch.prepare()
    batch.follow(records)
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
    record_metrics(
        records,
        failed=len(failures),
        duplicates=batch.duplicates,
        parked=len(batch.parked),
        dead_lettered=batch.dead_lettered,
        now=batch.now,
    )
    if records and len(failures) == len(records):
        # Same as powertools' default: a batch that failed entirely is retried as a whole.
        raise RuntimeError(f"All {len(records)} stream records failed; see the logs")
    logger.info(
        "Stream batch done",
        extra={"records": len(records), "failed": len(failures), "skipped": len(batch.done)},
    )
    return {"batchItemFailures": failures}
