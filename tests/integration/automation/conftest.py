"""Fixtures of the automation tests: the API, customers written straight to the table, and the
two timer backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
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
def make_customer(aws: None) -> Callable[..., Any]:
    """A live customer written straight to the table (aggregates as the stream keeps them)."""
    from ulid import ULID

    from chalicelib.customers import rules as customer_rules
    from chalicelib.customers import store as customers_store

    def make(
        tenant: str = "acme",
        *,
        name: str = "Lin Wei",
        owner_id: str = "rob",
        team_id: str = "east",
        tier: str = "gold",
        aggregates: dict[str, Any] | None = None,
    ) -> Any:
        moment = datetime(2026, 1, 1, tzinfo=UTC)
        item = customers_store.new_customer_item(
            tenant,
            str(ULID()),
            customer_type="person",
            name=name,
            owner_id=owner_id,
            team_id=team_id,
            lifecycle_stage="customer",
            tier=tier,
            source="web",
            aggregates=aggregates or {},
            created_at=moment,
            updated_at=moment,
            created_by=owner_id,
        )
        key = customer_rules.name_key(name)
        customers_store.index_keys(item, customer_rules.name_block(key), key)
        return customers_store.create_customer(item, [])

    return make


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
