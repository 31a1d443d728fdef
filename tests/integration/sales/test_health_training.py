"""The nightly health job trains the tenant's own model on its won/lost history first, stores it
when it beats the model in use, and the rescoring then uses it; too little history keeps the
prior (with the reason), and other tenants never see it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ulid import ULID

from chalicelib.sales import health_fit, rules, scoring, setup_store, store
from chalicelib.sales.health import PRIOR_MODEL, HealthModel, health
from chalicelib.sales.nightly import start_health_nightly
from infra.local.timer_runner import run_due

from .conftest import deal_image

CLOSED = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
# the synthetic stages, in order, on the default pipeline's open stages after "lead"
STAGES = {"qualify": "qualified", "discover": "needs_confirmed", "propose": "proposal",
          "negotiate": "negotiation", "commit": "contract"}  # fmt: skip


def write_history(tenant: str, customer_id: str, rows: list[health_fit.Row]) -> None:
    """Each synthetic row as a closed deal: it entered its last open stage `days_in_stage`
    before the close, its last follow-up came `days_since_interaction` before that."""
    with store.OpportunityItem.batch_write() as batch:
        for i, (f, won) in enumerate(rows):
            closed = CLOSED + timedelta(hours=i)
            entered = closed - timedelta(days=f.days_in_stage)
            stage = STAGES[str(f.stage)]
            touch = (
                []
                if f.days_since_interaction is None
                else [{"by": "rob", "at": (entered - timedelta(days=f.days_since_interaction))
                       .isoformat(), "note": None}]
            )  # fmt: skip
            people = [
                {"name": f"p{n}", "role": "user", "last_engaged": closed.date().isoformat()}
                for n in range(f.stakeholders_engaged)
            ]
            outcome = "won" if won else "lost"
            item = store.new_opportunity(
                tenant,
                customer_id,
                str(ULID()),
                pipeline_id=rules.DEFAULT_PIPELINE,
                title=f"deal {i}",
                owner_id="rob",
                stage=outcome,
                status=outcome,
                probability=100 if won else 0,
                amount=None if f.amount_ratio is None else round(1000 * f.amount_ratio, 2),
                base_amount=None if f.amount_ratio is None else round(1000 * f.amount_ratio, 2),
                stakeholders=people,
                follow_ups=touch,
                stage_history=[
                    {"by": "rob", "at": entered.isoformat(), "from_stage": None, "to": stage},
                    {"by": "rob", "at": closed.isoformat(), "from_stage": stage, "to": outcome},
                ],
                stage_entered_at=closed,
                last_follow_up_at=None,
                created_at=entered,
                created_by="rob",
                updated_at=closed,
                closed_at=closed,
                version=1,
            )
            batch.save(item)


@pytest.fixture
def history(customer_maker: Callable[..., Any]) -> Callable[[str, int], None]:
    def make(tenant: str, size: int) -> None:
        buyer = customer_maker(tenant, aggregates={"order_count": 4, "order_total": 4000})
        rows = health_fit.synthetic_history(size, seed=7)
        write_history(tenant, buyer.customer_id, rows)

    return make


def run_night(tenant: str, at: datetime) -> None:
    assert start_health_nightly(tenant, at, on_demand=True, started_by="root")
    for tick in range(1, 30):
        if not run_due(at + timedelta(minutes=tick)):
            break


def test_given_a_won_lost_history_when_the_night_runs_then_its_model_is_stored_and_used_there_only(
    table_timers: None, api: Any, new_deal: Any, stream: Any, history: Any
) -> None:
    history("acme", 300)
    deal = new_deal()
    stream.change(None, deal_image("acme", deal["id"]))
    at = datetime.now(UTC)

    run_night("acme", at)

    stored = setup_store.health_model("acme")
    assert stored is not None
    assert stored.model_json
    assert stored.reason.startswith("promoted"), stored.reason
    assert (int(stored.won), int(stored.lost)) == (
        sum(w for _, w in health_fit.synthetic_history(300, seed=7)),
        sum(not w for _, w in health_fit.synthetic_history(300, seed=7)),
    )
    model = HealthModel.from_dict(json.loads(stored.model_json))
    assert not model.prior
    assert model.auc is not None
    assert model.auc > 0.7
    assert float(stored.holdout_auc) == pytest.approx(model.auc, abs=1e-6)
    # the deal as the night scored it: its health is the trained model's, not the prior's
    item = store.get("acme", deal["id"])
    usual = scoring.usual_amount("acme", item.customer_id, at)
    features = scoring.features(item.attribute_values, at, [], 0.0, usual)
    assert json.loads(str(item.health))["score"] == health(features, model).score
    assert health(features, model).score != health(features, PRIOR_MODEL).score
    # and the stream's next scoring uses it too; the API shows it to finance
    assert scoring.model_of("acme") == model
    mine = api.get("/v1/sales/health-model", as_=("fay", "finance")).json
    assert mine["in_use"] == "trained"
    assert mine["auc"] == pytest.approx(model.auc)
    assert mine["last_training"]["won"] + mine["last_training"]["lost"] == 300
    # another tenant keeps the prior (the same process, the same cache)
    assert scoring.model_of("globex") == PRIOR_MODEL
    theirs = api.get("/v1/sales/health-model", as_=("gus", "viewer"), tenant="globex").json
    assert theirs["in_use"] == "prior"
    assert theirs["last_training"] is None


def test_given_too_little_history_when_the_night_runs_then_the_prior_stays_with_the_reason(
    table_timers: None, api: Any, history: Any
) -> None:
    history("acme", 60)

    run_night("acme", datetime.now(UTC))

    stored = setup_store.health_model("acme")
    assert stored is not None
    assert stored.model_json is None
    assert stored.reason.startswith("not enough history: 60 closed")
    assert scoring.model_of("acme") == PRIOR_MODEL
    shown = api.get("/v1/sales/health-model", as_=("ann", "admin")).json
    assert shown["in_use"] == "prior"
    assert shown["version"] == PRIOR_MODEL.version
    assert shown["last_training"]["reason"] == stored.reason


@pytest.mark.parametrize("role", ["sales_rep", "service_agent", "marketing", "legal"])
def test_given_a_role_without_figures_when_it_asks_for_the_health_model_then_403(
    api: Any, role: str
) -> None:
    assert api.get("/v1/sales/health-model", as_=("bob", role)).status_code == 403


def test_given_a_stored_model_that_cannot_be_read_then_scoring_falls_back_to_the_prior(
    aws: None,
) -> None:
    setup_store.save_health_model(
        "acme",
        None,
        model_json='{"version": "x"}',
        trained_at=CLOSED,
        reason="promoted",
        won=100,
        lost=100,
    )

    assert scoring.model_of("acme") == PRIOR_MODEL


def test_given_a_cached_model_when_the_batch_names_a_newer_version_then_it_is_read_again(
    aws: None,
) -> None:
    assert scoring.model_of("acme") == PRIOR_MODEL  # cached: nothing stored
    fitted = health_fit.TRUE_MODEL
    saved = setup_store.save_health_model(
        "acme",
        None,
        model_json=json.dumps(fitted.to_dict()),
        trained_at=CLOSED,
        reason="promoted",
        won=100,
        lost=100,
    )

    assert scoring.model_of("acme") == PRIOR_MODEL  # still the cached one
    assert scoring.model_of("acme", int(saved.version)) == fitted
