"""Fixtures of the tagging tests."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest


@pytest.fixture
def tagging_api(api: Any) -> Any:
    """The API client (app.py's app, every Blueprint registered)."""
    return api


@pytest.fixture
def make_customer(customer_maker: Callable[..., Any]) -> Callable[..., Any]:
    """Customers as the tagging tests expect them by default (standard tier, created 2025)."""
    return functools.partial(customer_maker, created_at=datetime(2025, 1, 1, tzinfo=UTC))
