"""Shared fixtures: a local-stage environment, moto with the CRM tables, the API test client.

The environment is set before any project module is imported, because settings are read once.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "CRM_STAGE": "test",
        "CRM_TABLE_NAME": "crm-test",
        "CRM_IDEMPOTENCY_TABLE_NAME": "crm-test-idempotency",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "crm",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        # The stream follows one customer at a time on in-process moto, which is not
        # thread-safe (a transaction deep-copies a table while another thread writes it); the
        # DynamoDB Local suite and the tests of the parallel path ask for more.
        "CRM_STREAM_FOLLOWERS": "1",
    }
)
for _name in ("CRM_DYNAMODB_ENDPOINT", "CRM_AWS_ENDPOINT"):
    os.environ.pop(_name, None)


def _share_service_models() -> None:
    """Every botocore session of a test process reads AWS's service models through one loader.

    moto starts each test with a new default session, and the app's clients each build theirs:
    without this, every test parsed the same JSON models again (about 0.1 s of CPU per client,
    a third of a moto test's setup). The models are read-only data; nothing else is shared."""
    import botocore.loaders
    import botocore.session

    create = botocore.loaders.create_loader
    loaders: dict[str | None, Any] = {}

    def shared(search_path_string: str | None = None) -> Any:
        if search_path_string not in loaders:
            loaders[search_path_string] = create(search_path_string)
        return loaders[search_path_string]

    botocore.session.create_loader = shared  # type: ignore[attr-defined]


_share_service_models()


def _serialise_moto() -> None:
    """In-process moto answers one request at a time, as each AWS call is atomic in AWS.

    moto's in-process backends are not thread-safe (a transaction deep-copies the table, and a
    read of a missing partition adds one to it), while the app calls AWS from several threads
    (the stream's followers and aggregate writers, parallel reads): a request from one thread
    could see another's half-done write and fail with "dictionary changed size during
    iteration". Serialising moto's dispatch (one lock, re-entrant) changes no answer."""
    import threading

    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.RLock()
    dispatch = BotocoreStubber.__call__

    def one_at_a_time(self: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return dispatch(self, *args, **kwargs)

    BotocoreStubber.__call__ = one_at_a_time  # type: ignore[method-assign]


_serialise_moto()

# The table's model reads its settings (endpoint, table name) once, when first imported: import it
# now, under the test environment above, so that a test which points the app elsewhere for a
# while (DynamoDB Local) cannot be the one that fixes them for the rest of the worker's tests.
import chalicelib.core.table  # noqa: E402, F401


def create_tables(client: Any) -> None:
    """The main table (schema from the pynamodb model) and the idempotency table."""
    from chalicelib.core.settings import get_settings
    from chalicelib.core.table import table_schema

    settings = get_settings()
    client.create_table(TableName=settings.table_name, **table_schema())
    client.create_table(
        TableName=settings.idempotency_table_name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture
def aws() -> Iterator[None]:
    """moto in-process with the CRM tables and the attachments bucket created."""
    import boto3
    from moto import mock_aws

    from chalicelib.core.settings import get_settings

    with mock_aws():
        create_tables(boto3.client("dynamodb", region_name="us-east-1"))
        boto3.client("s3", region_name="us-east-1").create_bucket(
            Bucket=get_settings().attachments_bucket
        )
        yield


@pytest.fixture(autouse=True)
def _real_environ() -> Iterator[None]:
    """chalice's test Client swaps `os.environ` for a dict copy during each request and puts back
    the one it found: two requests at once (a race test's threads) can leave a copy in place,
    with that test's monkeypatched settings (DynamoDB Local's endpoint) for every later test."""
    real = os.environ
    yield
    os.environ = real  # noqa: B003 - putting back the real one is the point


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    yield
    from chalicelib.core import (
        clear_rule_caches,
        events,
        forget_all_settings,
        idempotency,
        stream_store,
    )
    from chalicelib.core.settings import get_settings
    from chalicelib.core.tenants import forget_tenants
    from chalicelib.core.timers import timer_backend
    from chalicelib.desk import attachments, mail_outbound
    from chalicelib.knowledge.search import forget_corpora
    from chalicelib.sales.scoring import forget_models

    # What a warm function remembers across requests: read from one test's table, it would
    # answer the next test (whose table restarts the same tenants at version 1).
    forget_all_settings()  # every area's tenant settings
    forget_models()
    forget_corpora()
    forget_tenants()
    clear_rule_caches()
    timer_backend.cache_clear()
    stream_store.client.cache_clear()  # made for one test's moto or DynamoDB Local
    events.default_publisher.cache_clear()
    idempotency._persistence.cache_clear()
    attachments._s3.cache_clear()
    mail_outbound._ses.cache_clear()
    get_settings.cache_clear()  # a test may have changed the environment


class DynamoDBCalls(Counter[str]):
    """DynamoDB calls by operation; `made` keeps each (operation, parameters) in order."""

    def __init__(self) -> None:
        super().__init__()
        self.made: list[tuple[str, dict[str, Any]]] = []


@pytest.fixture
def dynamodb_calls() -> Callable[[], AbstractContextManager[DynamoDBCalls]]:
    """`with dynamodb_calls() as calls:` counts the DynamoDB calls made in the block, by
    operation, at botocore's one entry point (boto3 clients and pynamodb alike)."""
    from botocore.client import BaseClient

    @contextmanager
    def counting() -> Iterator[DynamoDBCalls]:
        calls = DynamoDBCalls()
        original = BaseClient._make_api_call

        def counted(self: Any, operation: str, params: Any) -> Any:
            if self.meta.service_model.service_name == "dynamodb":
                calls[operation] += 1
                calls.made.append((operation, params))
            return original(self, operation, params)

        BaseClient._make_api_call = counted  # type: ignore[method-assign]
        try:
            yield calls
        finally:
            BaseClient._make_api_call = original  # type: ignore[method-assign]

    return counting


@pytest.fixture
def customer_maker(aws: None) -> Callable[..., Any]:
    """Write a live customer straight to the table (aggregates as the stream keeps them)."""
    from datetime import UTC, datetime

    from ulid import ULID

    from chalicelib.customers import rules as customer_rules
    from chalicelib.customers import store as customers_store

    def make(
        tenant: str = "acme",
        *,
        name: str = "Lin Wei",
        owner_id: str = "rob",
        team_id: str = "east",
        tier: str = "standard",
        lifecycle_stage: str = "customer",
        aggregates: dict[str, Any] | None = None,
        created_at: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    ) -> Any:
        item = customers_store.new_customer_item(
            tenant,
            str(ULID()),
            customer_type="person",
            name=name,
            owner_id=owner_id,
            team_id=team_id,
            lifecycle_stage=lifecycle_stage,
            tier=tier,
            source="web",
            aggregates=aggregates or {},
            created_at=created_at,
            updated_at=created_at,
            created_by=owner_id,
        )
        key = customer_rules.name_key(name)
        customers_store.index_keys(item, customer_rules.name_block(key), key)
        return customers_store.create_customer(item, [])

    return make


@pytest.fixture
def token_for() -> Callable[..., str]:
    """A dev token: token_for("alice", "sales_rep", tenant="acme", team="east"); a customer
    contact's names its customer: token_for("kim", "customer_contact", customer="C1")."""
    from chalicelib.core.auth import mint_dev_token

    def mint(
        user: str,
        *roles: str,
        tenant: str = "acme",
        team: str | None = None,
        customer: str | None = None,
    ) -> str:
        return mint_dev_token(tenant, user, list(roles) or ["admin"], team, customer_id=customer)

    return mint


class Api:
    """The Chalice test client with JSON in and out and a caller's token."""

    def __init__(self, client: Any, token_for: Callable[..., str]) -> None:
        self._client = client
        self._token_for = token_for

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        as_: tuple[str, ...] | str = ("admin", "admin"),
        tenant: str = "acme",
        team: str | None = None,
        customer: str | None = None,
        headers: dict[str, str] | None = None,
        raw: str | None = None,
    ) -> Any:
        user, *roles = (as_, "admin") if isinstance(as_, str) else as_
        # Only a customer contact's token names a customer (some suites mint their own tokens).
        named = {"customer": customer} if customer is not None else {}
        token = self._token_for(user, *roles, tenant=tenant, team=team, **named)
        all_headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            **(headers or {}),
        }
        payload = raw if raw is not None else (None if body is None else json.dumps(body))
        response = self._client.http.request(method, path, headers=all_headers, body=payload or b"")
        response.json = json.loads(response.body) if response.body else None
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("PATCH", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("DELETE", path, **kw)


@pytest.fixture
def api(aws: None, token_for: Callable[..., str]) -> Iterator[Api]:
    from chalice.test import Client

    import app as chalice_app

    assert chalice_app.__file__.endswith(os.path.join("functions", "app.py"))
    with Client(chalice_app.app) as client:
        yield Api(client, token_for)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The smoke suite first: it spends minutes on whole stacks (`make run`), mostly waiting,
    so started first it overlaps the other worker's tests instead of trailing them alone."""
    items.sort(key=lambda item: 0 if item.nodeid.startswith("tests/smoke/") else 1)
