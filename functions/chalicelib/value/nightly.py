"""The nightly value job of one tenant, step by step (a core job, `value.nightly`):

1. `summarize`, a page of customers at a time: each customer's orders (one Query, several in
   flight at once), summarised for the night in the tenant's time zone, written as a page of
   summary rows;
2. `fit`, once: every row read back, the models fitted with their guardrails (a failed or
   thin fit, or one that fails its holdout backtest, keeps the last good parameters and raises
   an alarm), every customer scored and classed, the scores written back in the same pages,
   the night's model recorded;
3. `write`, a page at a time: scores that changed are stored on the customers (the stream
   then publishes Segment Changed / Value Tier Changed / Churn Risk Raised and moves the
   profile's value facts), and VIPs silent too long get a care task through automation.

A large tenant's night fans out: its customers are read in parallel scan segments, each a
`value.segment` job (`segment_step`), the night waiting for them; after the fit as many segment
jobs write the scored pages back. What a step does to one page lives in `pages.py`.

Every step is idempotent (rows and scores are overwritten, unchanged scores not written, task
ids deterministic), so a crash resumes where the last recorded step ended and a rerun of a
night changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np

from ..core import JobStep, job_states, logger, metrics, start_job
from ..customers import service as customers
from . import pages, rules, store
from .models import ValueSettings

PAGE = 100
SEGMENT_CHUNKS = 1_000_000  # a segment's summary pages are numbered (segment + 1) * this + page
AWAIT_SECONDS = 30  # how often a job waiting on its segment jobs looks again


def step(job: Any, cursor: dict[str, Any] | None, now: datetime) -> JobStep:
    _, settings, night = _night_of(job)
    tenant_id, run = job.tenant_id, job.job_id
    cursor = dict(cursor or {"phase": "summarize", "chunk": 0})
    phase = cursor["phase"]
    if phase == "summarize":
        if "customers" not in cursor and int(cursor["chunk"]) == 0:
            segments = _segments(tenant_id, settings)
            if segments > 1:  # a large tenant: parallel scan segments, each a job of its own
                return _fan_out(job, night, "summarize", segments, then="fit", now=now)
        return _summarize(tenant_id, run, night, settings, cursor, now)
    if phase == "await":
        return _await(tenant_id, cursor)
    if phase == "fit":
        done = _fit(tenant_id, run, night, settings, now)
        segments = int(cursor.get("segments") or 1)
        if segments > 1 and done.cursor is not None:  # write back in parallel too
            return _fan_out(job, night, "write", segments, then="finish", now=now)
        return done
    if phase == "finish":
        _finish_kpis(tenant_id, night.isoformat(), store.all_moves(tenant_id, run))
        return JobStep(None, 0)
    return _write(tenant_id, run, night, settings, cursor, now)


def segment_step(job: Any, cursor: dict[str, Any] | None, now: datetime) -> JobStep:
    """One step of a segment job: a page of its scan segment summarised, or one of its scored
    pages written back (segment s writes pages s, s + S, s + 2S, ...)."""
    params, settings, night = _night_of(job)
    parent, segment, segments = str(params["parent"]), int(params["segment"]), int(params["of"])
    cursor = dict(cursor or {})
    if params["phase"] == "summarize":
        page_no = int(cursor.get("page", 0))
        page, following = customers.customers_segment_page(
            job.tenant_id, segment, segments, cursor.get("key"), PAGE, now
        )
        rows = pages.summary_rows(job.tenant_id, page, night, settings)
        store.put_rows(job.tenant_id, parent, (segment + 1) * SEGMENT_CHUNKS + page_no, rows)
        if following is None:
            return JobStep(None, len(page))
        return JobStep({"page": page_no + 1, "key": following}, len(page))
    chunk = int(cursor.get("chunk", segment))
    moves: dict[str, int] = dict(cursor.get("moves") or {})
    written = pages.write_page(job.tenant_id, parent, night, settings, chunk, moves, now)
    if written is None:
        store.put_moves(job.tenant_id, parent, segment, moves)
        return JobStep(None, 0)
    return JobStep({"chunk": chunk + segments, "moves": moves}, written)


def _night_of(job: Any) -> tuple[dict[str, Any], ValueSettings, date]:
    """A value job's parameters, its tenant's settings and the night it scores."""
    from .service import settings_of

    params = job.params.as_dict() if hasattr(job.params, "as_dict") else dict(job.params)
    return params, settings_of(job.tenant_id), date.fromisoformat(str(params["night"]))


def _segments(tenant_id: str, settings: ValueSettings) -> int:
    import json

    model = store.current_model(tenant_id)
    kpis = json.loads(model.kpis_json) if model is not None and model.kpis_json else {}
    return rules.scan_segments(int(kpis.get("customers", 0)), settings.scan_segments)


def _fan_out(
    job: Any, night: date, phase: str, segments: int, *, then: str, now: datetime
) -> JobStep:
    """Start one segment job per segment and wait for them all, then go on with `then`."""
    children = [
        start_job(
            job.tenant_id,
            rules.SEGMENT_JOB,
            {
                "parent": job.job_id,
                "night": night.isoformat(),
                "phase": phase,
                "segment": segment,
                "of": segments,
            },
            started_by=str(job.started_by),
            job_id=f"{job.job_id}-{phase[0]}{segment:02d}",
            now=now,
        )
        for segment in range(segments)
    ]
    cursor = {"phase": "await", "children": children, "then": then, "segments": segments}
    return JobStep(cursor, 0, wait_seconds=AWAIT_SECONDS)


def _await(tenant_id: str, cursor: dict[str, Any]) -> JobStep:
    """The segment jobs' progress: on to the next phase once every one is done."""
    states = job_states(tenant_id, [str(child) for child in cursor["children"]])
    if any(state != "done" for state in states.values()):
        return JobStep(cursor, 0, wait_seconds=AWAIT_SECONDS)
    return JobStep({"phase": cursor["then"], "segments": cursor["segments"]}, 0)


def _summarize(
    tenant_id: str,
    run: str,
    night: date,
    settings: ValueSettings,
    cursor: dict[str, Any],
    now: datetime,
) -> JobStep:
    page, following = customers.all_customers_page(tenant_id, cursor.get("customers"), PAGE, now)
    chunk = int(cursor["chunk"])
    store.put_rows(tenant_id, run, chunk, pages.summary_rows(tenant_id, page, night, settings))
    if following is None:
        return JobStep({"phase": "fit", "chunks": chunk + 1}, len(page))
    return JobStep({"phase": "summarize", "chunk": chunk + 1, "customers": following}, len(page))


def _fit(tenant_id: str, run: str, night: date, settings: ValueSettings, now: datetime) -> JobStep:
    from .clv import ScoringConfig, ValueTier, fit_value_models, score_customers
    from .rfm import (
        DEFAULT_CLASSES,
        DEFAULT_SEGMENTS,
        rfm_classes,
        rfm_from_summary,
        rfm_segments,
    )
    from .summary import CustomerSummary

    # By id: the same customers give the same fit however their pages were read (a flat
    # likelihood can end elsewhere when only the order of its sums changes).
    rows = sorted(store.all_rows(tenant_id, run), key=lambda row: str(row[0]))
    version = night.isoformat()
    if not rows:
        _record_model(tenant_id, version, "insufficient_data", "No customer has orders yet.", now)
        return JobStep(None, 0)
    ids = np.array([row[0] for row in rows], dtype=object)
    column = lambda i: np.array([row[i] for row in rows], dtype=np.float64)  # noqa: E731
    summary = CustomerSummary.from_arrays(
        column(1), column(2), column(3), column(4), time_unit="days", customer_ids=ids,
        total_value=column(5),
    )  # fmt: skip
    fit = fit_value_models(summary)
    purchase, spend, message = fit.purchase, fit.spend, fit.message
    status: str = fit.status
    alarms = list(fit.alarms)
    incumbent = store.current_model(tenant_id)
    judged = pages.judge(rows, settings, incumbent) if status == "ok" else None
    if judged is not None and not judged["passed"]:
        # Not promoted: tonight's customers are scored with the model in use (or heuristics).
        status, purchase, spend = "backtest_failed", None, None
        message = f"Backtest failed ({', '.join(judged['reasons'])}); {message}"
        alarms.append("backtest_failed")
    if alarms:  # a thin, failed or unproven fit, or spend correlated with frequency
        metrics.add_metric(name="ValueModelAlarms", unit="Count", value=len(alarms))
    if status != "ok":
        metrics.add_metric(name="ValueFitKept", unit="Count", value=1)
        logger.warning("Value fit not used", extra={"status": status, "alarms": alarms})
        purchase, spend = _params_of(incumbent, purchase, spend)
    config = ScoringConfig(
        horizon_months=settings.horizon_months,
        monthly_discount_rate=settings.monthly_discount_rate,
        repurchase_days=float(settings.repurchase_days),
        tiers=tuple(ValueTier(t.name, t.floor, t.inclusive) for t in settings.tiers),
        base_tier=settings.base_tier,
    )
    scores = score_customers(summary, purchase, spend, config)
    rfm = rfm_from_summary(summary)
    classes = rfm_classes(rfm, settings.classes or DEFAULT_CLASSES)
    segments = rfm_segments(rfm, settings.segments or DEFAULT_SEGMENTS)
    scored = [
        [
            str(ids[i]),
            rules.Scores(
                r=int(rfm.r[i]), f=int(rfm.f[i]), m=int(rfm.m[i]),
                rfm_class=str(classes[i]), segment=str(segments[i]),
                clv=rules.money(scores.clv[i]),
                p_alive=rules.rounded(scores.p_alive[i]),
                churn_prob=rules.rounded(scores.churn_prob[i]),
                expected_90d=rules.rounded(scores.expected_purchases[i]),
                expected_spend=rules.money(scores.expected_spend[i]),
                tier=str(scores.tier[i]), method=scores.method,
                low_confidence=fit.low_confidence,
            ).as_attributes(),
            rows[i][6],
        ]
        for i in range(len(rows))
    ]  # fmt: skip
    for chunk in range(0, len(scored), PAGE):
        store.put_scored(tenant_id, run, chunk // PAGE, _jsonable(scored[chunk : chunk + PAGE]))
    metrics.add_metric(name="CustomersScored", unit="Count", value=len(scored))
    kpis = {
        "customers": len(rows),
        "repeat_customers": int(np.sum(summary.frequency > 0)),
        "churn_rate": rules.rounded(float(np.mean(scores.churn_prob))),
        "average_clv": str(rules.money(float(np.mean(scores.clv)))),
        "total_clv": str(rules.money(float(np.sum(scores.clv)))),
        "tiers": rules.distribution([str(t) for t in scores.tier]),
        "classes": rules.distribution([str(c) for c in classes]),
        "class_moves": {},
    }
    _record_model(
        tenant_id, version, rules.model_status(status, kept=purchase is not None),
        message, now, fit=fit, purchase=purchase, spend=spend, kpis=kpis, alarms=alarms,
        backtest=judged,
    )  # fmt: skip
    return JobStep({"phase": "write", "chunk": 0, "moves": {}}, len(rows))


def _params_of(kept: Any, purchase: Any, spend: Any) -> tuple[Any, Any]:
    """Last night's parameters where tonight's are missing (the guardrail)."""
    import json

    from .bgnbd import PurchaseParams
    from .gamma_gamma import SpendParams

    if kept is None:
        return purchase, spend
    if purchase is None and kept.purchase_json:
        purchase = PurchaseParams.from_dict(json.loads(kept.purchase_json))
    if spend is None and kept.spend_json:
        spend = SpendParams.from_dict(json.loads(kept.spend_json))
    return purchase, spend


def _jsonable(rows: list[list[Any]]) -> list[list[Any]]:
    return [
        [cid, {k: str(v) if hasattr(v, "as_tuple") else v for k, v in s.items()}, last]
        for cid, s, last in rows
    ]


def _record_model(
    tenant_id: str,
    version: str,
    status: str,
    message: str,
    now: datetime,
    *,
    fit: Any = None,
    purchase: Any = None,
    spend: Any = None,
    kpis: dict[str, Any] | None = None,
    alarms: list[str] | None = None,
    backtest: dict[str, Any] | None = None,
) -> None:
    import json

    store.save_model(
        store.new_model(
            tenant_id,
            version,
            status=status,
            message=message[:1000],
            alarms_json=json.dumps(
                alarms if alarms is not None else list(fit.alarms) if fit else []
            ),
            time_unit=purchase.time_unit if purchase is not None else "days",
            purchase_json=json.dumps(purchase.to_dict()) if purchase is not None else None,
            spend_json=json.dumps(spend.to_dict()) if spend is not None else None,
            spend_correlation=float(fit.spend_correlation) if fit else 0.0,
            low_confidence=bool(fit.low_confidence) if fit else True,
            fitted_at=now,
            kpis_json=json.dumps(kpis) if kpis is not None else None,
            backtest_json=json.dumps(backtest) if backtest is not None else None,
        ),
        current=status == "ok",
    )


def _write(
    tenant_id: str,
    run: str,
    night: date,
    settings: ValueSettings,
    cursor: dict[str, Any],
    now: datetime,
) -> JobStep:
    chunk = int(cursor["chunk"])
    moves: dict[str, int] = dict(cursor.get("moves") or {})
    written = pages.write_page(tenant_id, run, night, settings, chunk, moves, now)
    if written is None:
        _finish_kpis(tenant_id, night.isoformat(), moves)
        return JobStep(None, 0)
    return JobStep({"phase": "write", "chunk": chunk + 1, "moves": moves}, written)


def _finish_kpis(tenant_id: str, version: str, moves: dict[str, int]) -> None:
    import json

    item = store.model(tenant_id, version)
    if item is None or not item.kpis_json:
        return
    kpis = json.loads(item.kpis_json)
    kpis["class_moves"] = dict(sorted(moves.items()))
    item.kpis_json = json.dumps(kpis)
    store.save_model(item, current=item.status == "ok")
