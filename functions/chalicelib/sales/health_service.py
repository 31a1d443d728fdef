"""The tenant's health model as users see it: which model scores their deals and how the last
night's training went (read-only; the nightly job writes it)."""

from __future__ import annotations

from ..core import Principal, Role, require_role
from . import scoring, setup_store
from .models import HealthModelView, HealthTraining

HEALTH_MODEL_READERS = (Role.ADMIN, Role.SALES_MANAGER, Role.FINANCE, Role.VIEWER)


def get_health_model(principal: Principal) -> HealthModelView:
    require_role(principal, *HEALTH_MODEL_READERS)
    tenant_id = principal.tenant_id
    item = setup_store.health_model(tenant_id)
    model = scoring.model_of(tenant_id, None if item is None else item.version)
    training = None
    if item is not None:
        training = HealthTraining(
            at=item.trained_at,
            reason=item.reason,
            won=int(item.won),
            lost=int(item.lost),
            holdout_auc=None if item.holdout_auc is None else float(item.holdout_auc),
            incumbent_auc=None if item.incumbent_auc is None else float(item.incumbent_auc),
        )
    return HealthModelView(
        in_use="prior" if model.prior else "trained",
        version=model.version,
        intercept=model.intercept,
        coefficients=dict(model.to_dict()["coefficients"]),
        auc=model.auc,
        trained_on=model.trained_on,
        promoted_at=None if model.prior or item is None else item.promoted_at,
        last_training=training,
    )
