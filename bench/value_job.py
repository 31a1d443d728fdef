"""The nightly value job of one tenant on DynamoDB Local, step by step as the timers run it.

    python bench/value_job.py [--customers 5000] [--mode disk|memory]

A shop of `--customers` members with the demo seed's purchase histories (infra/local/seed.py:
each buys at their own pace until they quietly stop) is written straight to the table; then
the job runs to its end through the local timer runner, as `make run` runs it: summarise (a
page of customers, one orders Query each), fit (every row read back, models fitted, every
customer scored), write (changed scores stored, care tasks opened). The stream is not running:
what the scores' stream records cost is the stream benchmarks' business.

The baseline, measured in the same run on the same table, is the job's floor: the same reads
made by hand with boto3 (the tier index page by page, one orders Query per customer), with
nothing computed or written. The ratio says what the job costs beyond reading what it must.
The figures feed the scaling plan in the README (10 million customers: summarise pages fanned
out, how many at once, how long, what it costs).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

from bench._calls import Calls, recorded_calls  # noqa: E402
from bench._engines import dynamodb_local, local_config  # noqa: E402
from infra.local.config import ensure_functions_on_path  # noqa: E402

TENANT = "bench"
_phases: dict[str, float] = {}


def _time_phases() -> None:
    """Wall time per job phase (the steps' functions wrapped in place)."""
    from chalicelib.value import nightly

    for phase in ("_summarize", "_fit", "_write"):
        original = getattr(nightly, phase)

        def timed(*args: Any, _original: Any = original, _name: str = phase, **kw: Any) -> Any:
            started = time.perf_counter()
            try:
                return _original(*args, **kw)
            finally:
                phase_name = _name.lstrip("_")
                _phases[phase_name] = _phases.get(phase_name, 0.0) + time.perf_counter() - started

        setattr(nightly, phase, timed)


def write_shop(customers: int, now: datetime) -> int:
    """Profiles and orders of `customers` shoppers, batch-written; the orders written."""
    from ulid import ULID

    from chalicelib.customers import children_store
    from chalicelib.customers import rules as customer_rules
    from chalicelib.customers import store as customers_store
    from chalicelib.customers.children_store import OrderItem
    from infra.local.seed import demo_shoppers

    items: list[Any] = []
    for shopper in demo_shoppers(customers):
        customer_id = str(ULID())
        profile = customers_store.new_customer_item(
                TENANT, customer_id, customer_type="person", name=shopper["profile"]["name"],
                owner_id=shopper["profile"]["owner_id"], team_id="east",
                lifecycle_stage="customer", tier="standard", source="wechat", aggregates={},
                created_at=now, updated_at=now, created_by="bench", version=1,
        )  # fmt: skip
        key = customer_rules.name_key(profile.name)  # the indexes, as the API writes them
        customers_store.index_keys(profile, customer_rules.name_block(key), key)
        items.append(profile)
        for order in shopper["orders"]:
            moment = now - timedelta(days=order["occurred_at"]["days_ago"])
            items.append(
                children_store.order_item(
                    TENANT, customer_id, str(ULID()), moment, amount=Decimal(order["amount"]),
                    currency="CNY", status=order["status"], logged_by="bench",
                )
            )  # fmt: skip
    with OrderItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    return len(items) - customers


def read_floor() -> tuple[float, int]:
    """The job's reads by hand: every customer from the tier index, one orders Query each."""
    from chalicelib.customers import children_store
    from chalicelib.customers import store as customers_store
    from chalicelib.customers.vocabulary import Tier

    started, seen = time.perf_counter(), 0
    for tier in Tier:
        key = None
        while True:
            page = customers_store.list_customers(TENANT, "TIER", tier.value, 100, key)
            for customer in page.items:
                list(children_store.orders_of(TENANT, customer.customer_id))
                seen += 1
            key = page.last_key
            if not key:
                break
    return time.perf_counter() - started, seen


def run_job(now: datetime) -> tuple[float, dict[str, Any]]:
    """Start the tenant's job on demand and tick the timer runner until it is done."""
    from chalicelib.core import job_store
    from chalicelib.value.service import start_nightly
    from infra.local.timer_runner import run_due

    started = time.perf_counter()
    job_id = start_nightly(TENANT, now, on_demand=True, started_by="bench")
    assert job_id is not None
    while run_due(datetime.now(UTC) + timedelta(seconds=1)):
        pass
    elapsed = time.perf_counter() - started
    job = job_store.get(TENANT, job_id, consistent=True)
    return elapsed, {"status": job.status, "id": job_id}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--mode", choices=("disk", "memory"), default="disk")
    args = parser.parse_args(argv)
    with local_config() as config:
        os.environ.update(config.child_env())
        os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING", "CRM_TIMER_BACKEND": "table"})
        with dynamodb_local(config, in_memory=args.mode == "memory"):
            ensure_functions_on_path()
            now = datetime.now(UTC).replace(microsecond=0)
            orders = write_shop(args.customers, now)
            floor, seen = read_floor()
            assert seen == args.customers, seen
            _time_phases()
            with recorded_calls() as calls:
                elapsed, job = run_job(now)
    report(args, orders, floor, elapsed, job, calls)
    return 0 if job["status"] == "done" else 1


def report(
    args: Any, orders: int, floor: float, elapsed: float, job: dict[str, Any], calls: Calls
) -> None:
    n = args.customers
    print(f"== value job, {n} customers, {orders} orders, DynamoDB Local ({args.mode})")
    print(f"job {job['id']}: {job['status']} in {elapsed:.2f} s, {n / elapsed:.0f} customers/s")
    print(
        f"  baseline (the job's reads by hand, nothing else): {floor:.2f} s, "
        f"{n / floor:.0f} customers/s; ratio {elapsed / floor:.2f}x its time"
    )
    for phase, spent in _phases.items():
        print(f"  {phase:10} {spent:7.2f} s  {spent / elapsed:5.1%}  {n / spent:8.0f} customers/s")
    print("  AWS calls (per customer):")
    counts = Counter({name: len(intervals) for name, intervals in calls.items()})
    for name, count in counts.most_common():
        print(f"    {name:34} {count:7d}  {count / n:6.2f}")
    print(f"  command: python bench/value_job.py --customers {n} --mode {args.mode}")


if __name__ == "__main__":
    sys.exit(main())
