"""Opportunity health: AUC of the prior model and of a tenant's fitted model on synthetic history.

    python bench/health_auc.py [--opportunities 2000] [--seeds 20]

The history is drawn from a known logistic model (`health_fit.TRUE_MODEL`: same signs as the
prior, other weights) with missing values as a tenant would have them (10% never contacted, 20%
new customers without won history, 50% without analysed messages). `fit_model` holds out a
stratified quarter, fits on the rest and promotes it by the guard of `health_fit.promotes`. Printed: the
AUC of the prior, of the fitted model and of the true model on that holdout, the same three on a
fresh set of the same size with their mean predicted win probability (calibration: AUC ignores
the intercept, scores do not), the coefficients side by side, and the holdout AUCs over `--seeds`
histories (mean and standard deviation). Figures only: nothing is timed.
"""

from __future__ import annotations

import argparse

import numpy as np

from chalicelib.sales.health import FEATURES, PRIOR_MODEL, HealthModel
from chalicelib.sales.health_fit import (
    TRUE_MODEL,
    Row,
    auc,
    design,
    fit_model,
    logits,
    split,
    synthetic_history,
)


def _aucs(
    models: list[HealthModel], rows: list[Row], mask: np.ndarray | None = None
) -> list[float]:
    x = design([features for features, _ in rows])
    won = np.array([w for _, w in rows], dtype=bool)
    if mask is not None:
        x, won = x[mask], won[mask]
    return [auc(logits(model, x), won) for model in models]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--opportunities", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    n = args.opportunities

    history = synthetic_history(n, seed=0)
    result = fit_model(history)
    won = np.array([w for _, w in history], dtype=bool)
    print(f"{n} opportunities, {won.sum()} won, {(~won).sum()} lost: {result.reason}")
    if result.model is None:
        return
    models = [PRIOR_MODEL, result.model, TRUE_MODEL]
    print(f"{'AUC':<34}{'prior':>8}{'fitted':>8}{'true':>8}")
    holdout = split(won, seed=0)
    rows = [
        (f"holdout ({holdout.sum()} of the {n})", _aucs(models, history, holdout)),
        (f"fresh set of {n}", _aucs(models, synthetic_history(n, seed=10_000))),
    ]
    for label, values in rows:
        print(f"{label:<34}" + "".join(f"{v:>8.3f}" for v in values))

    fresh = synthetic_history(n, seed=10_000)
    x = design([features for features, _ in fresh])
    rate = np.mean([w for _, w in fresh])
    means = [float(np.mean(1.0 / (1.0 + np.exp(-logits(m, x))))) for m in models]
    print(f"{'mean p(won), fresh set':<34}" + "".join(f"{v:>8.3f}" for v in means), end="")
    print(f"  (won: {rate:.3f})")

    print(f"\n{'coefficient':<34}{'prior':>8}{'fitted':>8}{'true':>8}")
    for name in ("intercept", *FEATURES):
        values = [m.intercept if name == "intercept" else m.coefficient(name) for m in models]
        print(f"{name:<34}" + "".join(f"{v:>8.2f}" for v in values))

    measured = []
    for seed in range(args.seeds):
        history = synthetic_history(n, seed=seed)
        found = fit_model(history)
        mask = split(np.array([w for _, w in history], dtype=bool), seed=0)
        true_auc = _aucs([TRUE_MODEL], history, mask)[0]
        measured.append((found.incumbent_auc, found.holdout_auc, true_auc, found.model is not None))
    table = np.array([m[:3] for m in measured], dtype=np.float64)
    promoted = sum(m[3] for m in measured)
    print(f"\nover {args.seeds} histories of {n} (holdout AUC, mean +- sd); promoted {promoted}")
    for label, column in zip(("prior", "fitted", "true"), table.T, strict=True):
        print(f"  {label:<8}{column.mean():.3f} +- {column.std():.3f}")


if __name__ == "__main__":
    main()
