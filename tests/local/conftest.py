"""DynamoDB Local (AWS's own engine from the npm package), started by the tests themselves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def dynamodb_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The endpoint of a fresh DynamoDB Local with the CRM tables; stopped after the session."""
    from infra.local.config import LocalConfig, free_port
    from infra.local.processes import start_dynamodb, wait_until
    from infra.local.resources import dynamodb_ready, ensure_tables

    data_dir: Path = tmp_path_factory.mktemp("dynamodb-local")
    config = LocalConfig(
        data_dir=data_dir,
        dynamodb_port=free_port(),
        table_name="crm-test",
        idempotency_table_name="crm-test-idempotency",
    )
    env = config.child_env()
    child = start_dynamodb(config, env)
    try:
        wait_until(lambda: dynamodb_ready(config), timeout=60, what="DynamoDB Local", child=child)
        ensure_tables(config)
        yield config.dynamodb_endpoint
    finally:
        child.stop()


def _all_models() -> list[type]:
    from chalicelib.core.table import CrmItem

    found, todo = [CrmItem], [CrmItem]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


@pytest.fixture
def on_dynamodb_local(dynamodb_local: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the app (pynamodb models, idempotency store) at DynamoDB Local for one test."""
    from chalicelib.core import idempotency, settings, stream_store
    from chalicelib.core.table import CrmItem

    monkeypatch.setenv("CRM_DYNAMODB_ENDPOINT", dynamodb_local)
    monkeypatch.setenv("CRM_STREAM_FOLLOWERS", "8")  # the real engine takes parallel callers
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "local")
    settings.get_settings.cache_clear()
    idempotency._persistence.cache_clear()
    stream_store.client.cache_clear()  # the stream's own client, made for moto by an earlier test
    monkeypatch.setattr(CrmItem.Meta, "host", dynamodb_local)
    models = _all_models()
    for model in models:
        model._connection = None
    yield dynamodb_local
    for model in _all_models():  # models first imported during the test too
        model._connection = None
    settings.get_settings.cache_clear()
    idempotency._persistence.cache_clear()
    stream_store.client.cache_clear()
