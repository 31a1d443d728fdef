"""The local engines the benchmarks run against, started as `make run` and tests/local start them.

DynamoDB Local (the npm package's jar, the machine's Java) and the moto server, each on a free
port with its data in a temporary folder, stopped when the block ends. Not a benchmark itself
(run_all.py skips modules whose name starts with `_`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from infra.local.config import LocalConfig, free_port
from infra.local.processes import start_dynamodb, start_moto, wait_for_port, wait_until
from infra.local.resources import dynamodb_ready, ensure_tables

TABLE = "crm-bench"
IDEMPOTENCY_TABLE = "crm-bench-idempotency"


@contextmanager
def local_config() -> Iterator[LocalConfig]:
    """A LocalConfig on free ports, its data in a temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        yield LocalConfig(
            data_dir=Path(tmp),
            dynamodb_port=free_port(),
            moto_port=free_port(),
            table_name=TABLE,
            idempotency_table_name=IDEMPOTENCY_TABLE,
            event_bus_name="crm-bench-events",
        )


@contextmanager
def dynamodb_local(config: LocalConfig, *, in_memory: bool = False) -> Iterator[str]:
    """DynamoDB Local with the CRM tables; its endpoint."""
    child = start_dynamodb(config, config.child_env(), in_memory=in_memory)
    try:
        wait_until(lambda: dynamodb_ready(config), timeout=90, what="DynamoDB Local", child=child)
        ensure_tables(config)
        yield config.dynamodb_endpoint
    finally:
        child.stop()


@contextmanager
def moto_server(config: LocalConfig) -> Iterator[str]:
    """The moto server as `make run` starts it; its endpoint."""
    child = start_moto(config, config.child_env())
    try:
        wait_for_port(config.host, config.moto_port, timeout=60, child=child)
        yield config.aws_endpoint
    finally:
        child.stop()
