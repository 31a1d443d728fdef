"""What one step of the nightly value job does to one page of customers: summarise their
orders (with the backtest's holdout columns), judge tonight's model on the holdout, write a
scored page back and open its care calls. `nightly.py` runs these in the job's phases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np

from ..automation import service as automation
from ..customers import children_service
from . import rules, store
from .models import ValueSettings

CARE_WRITERS = 8


def summary_rows(
    tenant_id: str, page: list[tuple[str, dict[str, Any]]], night: date, settings: ValueSettings
) -> list[list[Any]]:
    """A page of customers' summary rows: each one's orders (a Query each, several in flight),
    summarised for the night in the tenant's time zone, with the backtest's holdout columns."""
    from .summary import summarise_orders

    ids, times, amounts, counted = [], [], [], []
    facts = {}
    histories = children_service.order_histories(tenant_id, [cid for cid, _ in page])
    for customer_id, customer in page:
        facts[customer_id] = customer
        for order in histories[customer_id]:
            ids.append(customer_id)
            times.append(int(order.occurred_at.timestamp()))
            amounts.append(float(order.amount))
            counted.append(order.counted and order.currency == settings.base_currency)
    rows: list[list[Any]] = []
    if not ids:
        return rows
    summary = summarise_orders(
        ids, times, amounts, observation_end=night, time_zone=settings.time_zone, counted=counted
    )
    holdout = _holdout_columns(ids, times, amounts, counted, night, settings)
    for index, customer_id in enumerate(summary.customer_ids):
        aggregates = facts[str(customer_id)].get("aggregates") or {}
        rows.append(
            [
                str(customer_id),
                float(summary.frequency[index]),
                float(summary.recency[index]),
                float(summary.T[index]),
                float(summary.monetary_value[index]),
                float(summary.total_value[index]) if summary.total_value is not None else 0.0,
                aggregates.get("last_interaction_at"),
                holdout.get(str(customer_id)),
            ]
        )
    return rows


def _holdout_columns(
    ids: list[str],
    times: list[int],
    amounts: list[float],
    counted: list[bool],
    night: date,
    settings: ValueSettings,
) -> dict[str, list[float]]:
    """Per customer who bought before the backtest's cut-off: the summary up to it (frequency,
    recency, T, monetary) and what they did after it (purchase days, spend), for the fit step's
    holdout backtest."""
    from datetime import timedelta

    from .backtest import holdout_split

    calibration, purchases, spend = holdout_split(
        np.asarray(ids, dtype=object), times, amounts, counted=counted,
        cutoff=night - timedelta(days=settings.holdout_days), end=night,
        time_zone=settings.time_zone,
    )  # fmt: skip
    return {
        str(calibration.customer_ids[i]): [
            float(calibration.frequency[i]),
            float(calibration.recency[i]),
            float(calibration.T[i]),
            float(calibration.monetary_value[i]),
            float(purchases[i]),
            float(spend[i]),
        ]
        for i in range(len(calibration))
    }


def judge(rows: list[list[Any]], settings: ValueSettings, incumbent: Any) -> dict[str, Any] | None:
    """The holdout backtest of tonight's model (None when too few customers bought before the
    cut-off for a holdout to say anything; the model is then used unjudged, and says so)."""
    import json

    from .backtest import backtest
    from .summary import CustomerSummary

    held = [row[7] for row in rows if len(row) > 7 and row[7] is not None]
    if len(held) < rules.MIN_BACKTEST_CUSTOMERS:
        return None
    column = lambda i: np.array([h[i] for h in held], dtype=np.float64)  # noqa: E731
    calibration = CustomerSummary.from_arrays(
        column(0), column(1), column(2), column(3), time_unit="days"
    )
    earlier = json.loads(incumbent.backtest_json) if incumbent and incumbent.backtest_json else {}
    report = backtest(
        calibration, column(4), column(5), float(settings.holdout_days),
        incumbent_mae=earlier.get("mae"),
    )  # fmt: skip
    return rules.backtest_summary(report, incumbent_mae=earlier.get("mae"))


def write_page(
    tenant_id: str,
    run: str,
    night: date,
    settings: ValueSettings,
    chunk: int,
    moves: dict[str, int],
    now: datetime,
) -> int | None:
    """Store a scored page's changed scores (class moves counted into `moves`) and open its
    care tasks; how many customers it held, or None past the last page."""
    from decimal import Decimal

    scored = store.scored_chunk(tenant_id, run, chunk)
    if scored is None:
        return None
    version = night.isoformat()
    held = store.current_values(tenant_id, [row[0] for row in scored])
    changed = []
    care: list[tuple[str, str, str | None]] = []
    for customer_id, stored, last_contact in scored:
        scores = rules.Scores(
            **{
                **stored,
                "clv": Decimal(stored["clv"]),
                "expected_spend": Decimal(stored["expected_spend"]),
            }
        )
        before = held.get(customer_id)
        old = before.attribute_values if before is not None else None
        move = rules.class_move(old.get("rfm_class") if old else None, scores.rfm_class)
        if move:
            moves[move] = moves.get(move, 0) + 1
        if rules.changed(old, scores):
            changed.append(
                store.value_item(
                    tenant_id,
                    customer_id,
                    **scores.as_attributes(),
                    model_version=version,
                    computed_at=now,
                    churn_threshold=settings.churn_threshold,
                )
            )
        if rules.care_due(
            scores.tier, settings.vip_tiers, last_contact, now, settings.vip_silent_days
        ):
            care.append((customer_id, scores.tier, last_contact))
    store.write_values(changed)
    _open_care_tasks(tenant_id, care, settings.vip_silent_days, now)
    return len(scored)


def _open_care_tasks(
    tenant_id: str, due: list[tuple[str, str, str | None]], silent_days: int, now: datetime
) -> None:
    """A care call for each silent VIP (once per silence: the task id comes from it), several
    customers at once: each is a read and a conditional write."""

    def open_one(row: tuple[str, str, str | None]) -> bool:
        customer_id, tier, last_contact = row
        return automation.open_care_task(
            tenant_id,
            customer_id,
            f"Care call: a {tier} customer silent for {silent_days}+ days",
            key=f"value-care:{customer_id}:{last_contact or 'never'}",
            at=now,
        )

    if len(due) < 2:
        for row in due:
            open_one(row)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(CARE_WRITERS, len(due))) as pool:
        list(pool.map(open_one, due))  # list(): a failure raises, and the step is retried
