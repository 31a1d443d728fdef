"""The stream function's metrics: one EMF blob per batch, read back from what it prints."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.settings import get_settings
from chalicelib.core.stream import handle_stream_batch

from .test_stream_handler import (
    T0,
    _customer,
    _failing_publish,
    _interaction,
    _poisoned,
    _RejectingEvents,
)

COUNTS = (
    "StreamRecordsProcessed",
    "StreamRecordsFailed",
    "StreamDuplicatesSkipped",
    "StreamRecordsParked",
    "StreamEventsDeadLettered",
)


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> Any:
    from chalicelib.core.observability import metrics

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    get_settings.cache_clear()
    metrics.clear_metrics()  # one metric set for every Metrics instance of the process
    yield
    metrics.clear_metrics()
    get_settings.cache_clear()


def _blobs(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def _handle(records: list[dict[str, Any]], areas: Any, **kwargs: Any) -> Any:
    return handle_stream_batch({"Records": records}, None, areas=areas, **kwargs)


def _values(blob: dict[str, Any]) -> dict[str, float]:
    """Each metric's value; one per batch (powertools writes values as a list)."""
    names = [m["Name"] for m in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    values = {name: blob[name] if isinstance(blob[name], list) else [blob[name]] for name in names}
    assert all(len(v) == 1 for v in values.values()), values
    return {name: v[0] for name, v in values.items()}


def test_given_a_batch_then_one_blob_counts_processed_records_under_the_settings_namespace(
    aws, areas, metrics_on, capsys
):
    _customer("c1")
    _interaction("c1", "i1", T0)
    capsys.readouterr()

    _handle(aws.drain_stream(), areas)

    [blob] = _blobs(capsys.readouterr().out)
    [directive] = blob["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == get_settings().metrics_namespace
    assert directive["Dimensions"] == [["service"]]
    assert blob["service"] == get_settings().service_name
    values = _values(blob)
    assert {name: values[name] for name in COUNTS} == {
        "StreamRecordsProcessed": 2,
        "StreamRecordsFailed": 0,
        "StreamDuplicatesSkipped": 0,
        "StreamRecordsParked": 0,
        "StreamEventsDeadLettered": 0,
    }
    units = {m["Name"]: m["Unit"] for m in directive["Metrics"]}
    assert units["StreamIteratorAge"] == "Milliseconds"


def test_given_a_batch_delivered_again_then_its_records_count_as_duplicates(
    aws, areas, metrics_on, capsys
):
    _customer("c1")
    batch = aws.drain_stream()
    _handle(batch, areas)
    capsys.readouterr()

    _handle(batch, areas)

    values = _values(_blobs(capsys.readouterr().out)[0])
    assert (values["StreamRecordsProcessed"], values["StreamDuplicatesSkipped"]) == (0, 1)


def test_given_a_record_whose_follower_fails_then_it_counts_as_failed(
    aws, areas, recorder, metrics_on, capsys
):
    _customer("c1")
    _customer("c2")
    recorder.fail_for.add("c2")
    capsys.readouterr()

    _handle(aws.drain_stream(), areas)

    values = _values(_blobs(capsys.readouterr().out)[0])
    assert (values["StreamRecordsProcessed"], values["StreamRecordsFailed"]) == (1, 1)


def test_given_a_batch_that_fails_whole_then_its_metrics_are_flushed_before_it_raises(
    aws, areas, metrics_on, capsys
):
    _customer("c1")
    capsys.readouterr()

    with pytest.raises(RuntimeError):
        _handle(aws.drain_stream(), areas, publish=_failing_publish)

    values = _values(_blobs(capsys.readouterr().out)[0])
    assert (values["StreamRecordsProcessed"], values["StreamRecordsFailed"]) == (0, 1)


def test_given_eventbridge_rejecting_an_entry_then_the_dead_lettered_event_is_counted(
    aws, areas, metrics_on, capsys, monkeypatch
):
    from chalicelib.core import events as core_events

    publisher = core_events.default_publisher()
    monkeypatch.setattr(publisher, "events", _RejectingEvents(), raising=True)
    monkeypatch.setattr(publisher, "sleep", lambda _: None)
    _customer("c1")
    capsys.readouterr()

    _handle(aws.drain_stream(), areas)

    values = _values(_blobs(capsys.readouterr().out)[0])
    assert (values["StreamEventsDeadLettered"], values["StreamRecordsProcessed"]) == (1, 1)


def test_given_records_written_a_while_ago_then_the_iterator_age_is_their_newest_ones(
    aws, areas, metrics_on, capsys
):
    _customer("c1")
    _interaction("c1", "i1", T0)
    records = aws.drain_stream()
    now = datetime.now(UTC)
    for age, record in zip((120, 90), records, strict=True):
        record["dynamodb"]["ApproximateCreationDateTime"] = (
            now - timedelta(seconds=age)
        ).timestamp()
    capsys.readouterr()

    _handle(records, areas, clock=lambda: now)

    values = _values(_blobs(capsys.readouterr().out)[0])
    assert values["StreamIteratorAge"] == pytest.approx(90_000, abs=1)


def test_given_metrics_disabled_as_locally_then_nothing_is_printed_nor_kept(aws, areas, capsys):
    from chalicelib.core.observability import metrics

    assert not get_settings().metrics_enabled  # the test environment, like make run's
    _customer("c1")
    capsys.readouterr()

    _handle(aws.drain_stream(), areas)

    assert _blobs(capsys.readouterr().out) == []
    assert not [name for name in metrics.metric_set if name.startswith("Stream")]


def test_given_an_unreadable_record_parked_then_it_counts_as_parked_not_processed(
    aws, areas, metrics_on, capsys, monkeypatch
):
    poison_url = aws.sqs.create_queue(QueueName="stream-poison")["QueueUrl"]
    monkeypatch.setenv("CRM_STREAM_POISON_URL", poison_url)
    get_settings.cache_clear()
    _customer("c1")
    healthy = aws.drain_stream()
    poison = _poisoned(healthy[0], "99999999999999999999999")
    capsys.readouterr()

    _handle([poison, *healthy], areas)

    values = _values(_blobs(capsys.readouterr().out)[0])
    assert (values["StreamRecordsProcessed"], values["StreamRecordsParked"]) == (1, 1)
    assert values["StreamRecordsFailed"] == 0
