"""One bounded maximum-likelihood search (L-BFGS-B over log parameters) shared by the models."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

FloatArray = NDArray[np.float64]
Objective = Callable[[FloatArray], tuple[float, FloatArray]]

# Parameters are searched as logarithms: every parameter is positive and their scales differ by
# orders of magnitude. A parameter that ends on a bound means the data cannot pin it down.
LOG_BOUND = float(np.log(1e6))
_BOUND_MARGIN = 1e-3
# The objective is the mean negative log-likelihood per customer, so tolerances do not depend on
# how many customers a tenant has.
_OPTIONS = {"maxiter": 1000, "maxcor": 20, "ftol": 1e-15, "gtol": 1e-9}
_CONVERGED_GRADIENT = 1e-5
WARM_START_ABOVE = 200_000
WARM_START_SIZE = 50_000


@dataclass(frozen=True)
class Optimum:
    """Where the search ended and whether it can be trusted."""

    log_params: FloatArray
    mean_log_likelihood: float
    converged: bool
    on_bound: bool
    iterations: int
    evaluations: int
    message: str


def warm_start_sample(size: int) -> NDArray[np.intp] | None:
    """A fixed random subset of a large data set to search first, or None for a small one.

    On a large data set the search spends its many early steps on a subset and only its last few
    on all customers, where each step costs the most.
    """
    if size <= WARM_START_ABOVE:
        return None
    return np.random.default_rng(0).choice(size, WARM_START_SIZE, replace=False)


def maximise(objective: Objective, start: FloatArray, warm: Objective | None = None) -> Optimum:
    """Maximises a mean log-likelihood given as (negative mean LL, gradient) of log parameters.

    With `warm` (the same likelihood on a subset), the search starts where that one ends.
    """
    bounds = [(-LOG_BOUND, LOG_BOUND)] * start.shape[0]
    start = np.clip(start, -LOG_BOUND + 1.0, LOG_BOUND - 1.0)
    if warm is not None:
        with np.errstate(all="ignore"):
            first = minimize(
                warm, start, jac=True, method="L-BFGS-B", bounds=bounds, options=_OPTIONS
            )
        if np.all(np.isfinite(first.x)):
            start = np.clip(first.x, -LOG_BOUND + 1.0, LOG_BOUND - 1.0)
    with np.errstate(all="ignore"):
        found = minimize(
            objective, start, jac=True, method="L-BFGS-B", bounds=bounds, options=_OPTIONS
        )
    value = float(found.fun)
    gradient = np.asarray(found.jac, dtype=np.float64)
    # L-BFGS-B stops "abnormally" when a line search cannot improve on an optimum already reached
    # to machine precision; a small gradient there is convergence too.
    converged = bool(np.isfinite(value)) and (
        bool(found.success) or float(np.max(np.abs(gradient))) < _CONVERGED_GRADIENT
    )
    on_bound = bool(np.any(np.abs(found.x) > LOG_BOUND - _BOUND_MARGIN))
    return Optimum(
        log_params=np.asarray(found.x, dtype=np.float64),
        mean_log_likelihood=-value,
        converged=converged,
        on_bound=on_bound,
        iterations=int(found.nit),
        evaluations=int(found.nfev),
        message=str(found.message),
    )
