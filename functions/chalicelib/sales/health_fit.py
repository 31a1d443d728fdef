"""Training the health model per tenant on its won/lost history (numpy/scipy: analytics only).

`fit_model` splits the history (stratified, seeded: the same history gives the same model),
fits an L2-regularised logistic regression on the transformed features of `health` and compares
it with the incumbent (the tenant's model in use, the prior model by default) on the held-out
part. What is promoted is the model fitted on the training part, so its recorded AUC is the one
measured.

Promotion (`promotes`): the fitted model replaces the incumbent when its holdout AUC is strictly
better, OR when its AUC is not worse by more than `AUC_TOLERANCE` (0.01) AND its holdout
log-loss is lower. AUC only judges the ranking; the score shown is a probability, so a model
that ranks as well but is better calibrated (the incumbent's 77 means 77 out of 100 won) is
worth promoting, while a small loss of ranking is accepted only for better calibration.

The fit standardises each feature (mean 0, standard deviation 1 over the training part) so the
one penalty weighs all features alike and the search is well conditioned, then maps the
coefficients back to the raw transformed scale that `health.health` scores with. The penalty
`l2 / 2 * |w|^2` is on the standardised coefficients, not the intercept; the objective is the
mean log-loss plus `penalty / n`, i.e. a Gaussian prior of variance 1 / l2 per coefficient.

`synthetic_history` draws opportunities from a known logistic model: it checks the fit (tests,
`bench/health_auc.py`), it is not a tenant's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import expit
from scipy.stats import rankdata

from .health import FEATURES, PRIOR_MODEL, HealthFeatures, HealthModel, vector

FloatArray = NDArray[np.float64]
Row = tuple[HealthFeatures, bool]  # (features when it closed, won)

HOLDOUT_SHARE = 0.25
AUC_TOLERANCE = 0.01
_OPTIONS = {"maxiter": 500, "gtol": 1e-8}


@dataclass(frozen=True)
class FitResult:
    """The fitted model when promoted, else None, and why."""

    model: HealthModel | None
    reason: str
    won: int
    lost: int
    holdout_auc: float | None = None  # the fitted model's on the holdout
    incumbent_auc: float | None = None  # the incumbent's on the same holdout
    holdout_log_loss: float | None = None
    incumbent_log_loss: float | None = None


def log_loss(model_logits: ArrayLike, labels: ArrayLike) -> float:
    """Mean negative log-likelihood of the outcomes (natural log; stable for large logits)."""
    z = np.asarray(model_logits, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    # -log sigmoid(z) for won, -log(1 - sigmoid(z)) = -log sigmoid(-z) for lost
    signed = np.where(y, z, -z)
    return float(np.mean(np.logaddexp(0.0, -signed)))


def promotes(
    fitted_auc: float, incumbent_auc: float, fitted_loss: float, incumbent_loss: float
) -> bool:
    """The promotion guard (see the module docstring): strictly better ranking, or ranking
    within `AUC_TOLERANCE` and better calibration."""
    if fitted_auc > incumbent_auc:
        return True
    return fitted_auc >= incumbent_auc - AUC_TOLERANCE and fitted_loss < incumbent_loss


def auc(scores: ArrayLike, labels: ArrayLike) -> float:
    """Area under the ROC curve by the rank formula (Mann-Whitney U); ties count one half.

    Raises ValueError unless both classes are present.
    """
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    positives = int(y.sum())
    negatives = y.size - positives
    if positives == 0 or negatives == 0:
        raise ValueError("AUC needs both won and lost opportunities")
    ranks = rankdata(s, method="average")
    u = float(ranks[y].sum()) - positives * (positives + 1) / 2.0
    return u / (positives * negatives)


def design(features: Sequence[HealthFeatures]) -> FloatArray:
    """The transformed features, one row per opportunity, columns in `FEATURES` order."""
    return np.array([vector(f) for f in features], dtype=np.float64).reshape(-1, len(FEATURES))


def logits(model: HealthModel, x: FloatArray) -> FloatArray:
    weights = np.array([model.coefficient(name) for name in FEATURES], dtype=np.float64)
    return np.asarray(model.intercept + x @ weights, dtype=np.float64)


def split(labels: NDArray[np.bool_], seed: int, share: float = HOLDOUT_SHARE) -> NDArray[np.bool_]:
    """A holdout mask with `share` of the won and of the lost (stratified, seeded)."""
    rng = np.random.default_rng(seed)
    holdout = np.zeros(labels.size, dtype=bool)
    for cls in (True, False):
        members = np.flatnonzero(labels == cls)
        take = max(1, round(share * members.size))
        holdout[rng.choice(members, take, replace=False)] = True
    return holdout


def logistic(x: FloatArray, y: NDArray[np.bool_], l2: float) -> tuple[float, FloatArray]:
    """(intercept, coefficients) on the raw columns of `x`, fitted on standardised ones."""
    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd < 1e-12] = 1.0  # a constant column (e.g. never known): its coefficient stays 0
    z = (x - mean) / sd
    target = y.astype(np.float64)
    n = float(y.size)

    def objective(params: FloatArray) -> tuple[float, FloatArray]:
        eta = params[0] + z @ params[1:]
        # log(1 + e^eta) - y * eta, stable for large |eta|
        loss = float(np.mean(np.logaddexp(0.0, eta) - target * eta))
        loss += 0.5 * l2 * float(params[1:] @ params[1:]) / n
        residual = expit(eta) - target
        gradient = np.empty_like(params)
        gradient[0] = residual.mean()
        gradient[1:] = z.T @ residual / n + l2 * params[1:] / n
        return loss, gradient

    rate = float(np.clip(target.mean(), 1e-6, 1 - 1e-6))
    start = np.zeros(x.shape[1] + 1)
    start[0] = np.log(rate / (1.0 - rate))
    found = minimize(objective, start, jac=True, method="L-BFGS-B", options=_OPTIONS)
    weights = found.x[1:] / sd
    return float(found.x[0] - weights @ mean), weights


def fit_model(
    rows: Sequence[Row],
    *,
    min_rows: int = 200,
    min_each: int = 30,
    l2: float = 1.0,
    seed: int = 0,
    incumbent: HealthModel = PRIOR_MODEL,
    version: str = "fit",
) -> FitResult:
    """Fits a tenant's model on its won/lost history; promoted only if `promotes` says so
    against `incumbent` on the holdout (better AUC, or AUC within 0.01 and better log-loss)."""
    y = np.array([won for _, won in rows], dtype=bool)
    won = int(y.sum())
    lost = int(y.size - won)
    if y.size < min_rows or won < min_each or lost < min_each:
        reason = (
            f"not enough history: {y.size} closed ({won} won, {lost} lost); "
            f"needs {min_rows} with {min_each} of each"
        )
        return FitResult(None, reason, won, lost)
    x = design([features for features, _ in rows])
    holdout = split(y, seed)
    intercept, weights = logistic(x[~holdout], y[~holdout], l2)
    if not np.all(np.isfinite([intercept, *weights])):
        return FitResult(None, "not promoted: the fit did not converge", won, lost)
    fitted = HealthModel(
        version=version,
        intercept=intercept,
        coefficients={name: float(w) for name, w in zip(FEATURES, weights, strict=True)},
        trained_on=int((~holdout).sum()),
        auc=None,
        prior=False,
    )
    fitted_z, incumbent_z = logits(fitted, x[holdout]), logits(incumbent, x[holdout])
    fitted_auc, incumbent_auc = auc(fitted_z, y[holdout]), auc(incumbent_z, y[holdout])
    fitted_loss = log_loss(fitted_z, y[holdout])
    incumbent_loss = log_loss(incumbent_z, y[holdout])
    figures = (
        f"holdout AUC {fitted_auc:.3f} vs {incumbent.version}'s {incumbent_auc:.3f}, "
        f"log-loss {fitted_loss:.3f} vs {incumbent_loss:.3f} ({holdout.sum()} held out)"
    )
    promoted: HealthModel | None = None
    if fitted_auc > incumbent_auc:
        promoted = replace(fitted, auc=fitted_auc)
        reason = f"promoted: better ranking; {figures}"
    elif promotes(fitted_auc, incumbent_auc, fitted_loss, incumbent_loss):
        promoted = replace(fitted, auc=fitted_auc)
        reason = f"promoted: ranks as well and is better calibrated; {figures}"
    else:
        reason = f"not promoted: {figures}"
    return FitResult(
        promoted, reason, won, lost, fitted_auc, incumbent_auc, fitted_loss, incumbent_loss
    )


def fit(rows: Sequence[Row], *, min_rows: int = 200, min_each: int = 30) -> HealthModel | None:
    """The promoted model, or None (not enough won and lost history, or it loses to the prior)."""
    return fit_model(rows, min_rows=min_rows, min_each=min_each).model


# A known structure for checking the fit: different from the prior's weights (a tenant's history
# should teach it something), same signs.
TRUE_MODEL = HealthModel(
    version="synthetic-truth",
    intercept=-0.3,
    coefficients={
        "stage_progress": 2.4,
        "sentiment": 1.6,
        "stage_overdue": -1.2,
        "stakeholders": 0.9,
        "silence": -0.6,
        "amount": -0.3,
    },
    trained_on=0,
    auc=None,
    prior=False,
)
_STAGES = (("qualify", 0.1, 7.0), ("discover", 0.3, 14.0), ("propose", 0.5, 21.0),
           ("negotiate", 0.7, 14.0), ("commit", 0.9, 7.0))  # fmt: skip


def synthetic_history(size: int, *, seed: int, model: HealthModel = TRUE_MODEL) -> list[Row]:
    """Opportunities at close with outcomes drawn from `model` (missing values included)."""
    rng = np.random.default_rng(seed)
    stage = rng.integers(0, len(_STAGES), size)
    in_stage = rng.lognormal(0.0, 0.8, size)
    silence = rng.exponential(10.0, size)
    silence_known = rng.random(size) > 0.1
    stakeholders = rng.poisson(1.5, size)
    amount = rng.lognormal(0.0, 0.7, size)
    amount_known = rng.random(size) > 0.2
    sentiment = np.clip(rng.normal(0.0, 0.5, size), -1.0, 1.0)
    sentiment_known = rng.random(size) > 0.5
    draws = rng.random(size)
    history = []
    for i in range(size):
        name, progress, median = _STAGES[stage[i]]
        features = HealthFeatures(
            days_in_stage=round(float(in_stage[i]) * median, 1),
            stage_median_days=median,
            days_since_interaction=round(float(silence[i]), 1) if silence_known[i] else None,
            stakeholders_engaged=int(stakeholders[i]),
            amount_ratio=round(float(amount[i]), 3) if amount_known[i] else None,
            sentiment=round(float(sentiment[i]), 2) if sentiment_known[i] else None,
            stage_progress=progress,
            stage=name,
        )
        history.append(features)
    won = draws < expit(logits(model, design(history)))
    return [(features, bool(w)) for features, w in zip(history, won, strict=True)]
