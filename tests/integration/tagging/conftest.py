"""The API with the tagging Blueprint: app.py's app once the lead registers it, else a tiny app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest


def _app_serving(path: str, module: str) -> Any:
    import importlib

    import app as chalice_app

    if path in chalice_app.app.routes:
        return chalice_app.app
    # Not registered in app.py yet: a private app (a Blueprint must live in one app only), and
    # its routes kept out of the OpenAPI document that app.py's routes are compared with.
    from chalice.app import Chalice

    from chalicelib.core import gateway
    from chalicelib.core.http import ROUTE_DOCS

    documented = dict(ROUTE_DOCS)
    blueprint = importlib.import_module(module).bp
    ROUTE_DOCS.clear()
    ROUTE_DOCS.update(documented)
    tiny = Chalice(app_name="crm-tagging-test", configure_logs=False)
    tiny.register_blueprint(blueprint)
    gateway.install(tiny)
    return tiny


_APP: Any = None


@pytest.fixture
def tagging_api(aws: None, token_for: Callable[..., str]) -> Iterator[Any]:
    global _APP
    from chalice.test import Client

    from tests.conftest import Api

    if _APP is None:
        _APP = _app_serving("/v1/tag-rules", "chalicelib.tagging.api")
    with Client(_APP) as client:
        yield Api(client, token_for)


@pytest.fixture(autouse=True)
def _fresh_rule_cache() -> Iterator[None]:
    from chalicelib.tagging.handlers import clear_rule_cache

    clear_rule_cache()
    yield
    clear_rule_cache()


@pytest.fixture
def make_customer(aws: None) -> Callable[..., Any]:
    """A live customer written straight to the table (aggregates as the stream would keep them)."""
    from ulid import ULID

    from chalicelib.customers import rules as customer_rules
    from chalicelib.customers import store as customers_store

    def make(
        tenant: str = "acme",
        *,
        name: str = "Lin Wei",
        owner_id: str = "rob",
        tier: str = "standard",
        lifecycle_stage: str = "customer",
        aggregates: dict[str, Any] | None = None,
        created_at: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    ) -> Any:
        moment = created_at
        item = customers_store.new_customer_item(
            tenant,
            str(ULID()),
            customer_type="person",
            name=name,
            owner_id=owner_id,
            team_id="east",
            lifecycle_stage=lifecycle_stage,
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
