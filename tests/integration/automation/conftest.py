"""Fixtures of the automation tests: the API, customers written straight to the table, and the
two timer backends."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib.core.settings import get_settings


@pytest.fixture
def automation_api(api: Any) -> Any:
    """The API client (app.py's app, every Blueprint registered)."""
    return api


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    from chalicelib.automation import handlers, timers
    from chalicelib.tagging.handlers import clear_rule_cache

    handlers.clear_rule_cache()
    clear_rule_cache()
    timers.timer_backend.cache_clear()
    yield
    handlers.clear_rule_cache()
    timers.timer_backend.cache_clear()


@pytest.fixture
def make_customer(customer_maker: Callable[..., Any]) -> Callable[..., Any]:
    """Customers as the automation tests expect them by default: gold tier, so VIPs."""
    return functools.partial(customer_maker, tier="gold")


STATE_MACHINE = "crm-timers"


@pytest.fixture
def step_functions(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The timer state machine on moto; timers go through Step Functions."""
    import json

    import boto3

    from chalicelib.automation.timers import state_machine_definition

    client = boto3.client("stepfunctions", region_name="us-east-1")
    definition = state_machine_definition(
        "arn:aws:lambda:us-east-1:123456789012:function:crm-timers"
    )
    arn = client.create_state_machine(
        name=STATE_MACHINE,
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/crm-timers",
    )["stateMachineArn"]
    monkeypatch.setenv("CRM_TIMER_BACKEND", "stepfunctions")
    monkeypatch.setenv("CRM_TIMER_STATE_MACHINE_ARN", arn)
    get_settings.cache_clear()
    return client, arn


@pytest.fixture
def table_timers(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TIMER_BACKEND", "table")
    get_settings.cache_clear()
