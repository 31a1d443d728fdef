"""BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam, Denizel & Filiztekin 2007).

Purchases of a living customer are Poisson with rate lambda ~ Gamma(r, alpha); after each purchase
the customer drops out with probability p ~ Beta(a, b). BG/NBD lets a customer drop out only after
a repeat purchase, so every one-time buyer is alive for sure (P(alive) = 1); MBG/NBD lets them drop
out at the first purchase too, so a one-time buyer seen long ago is probably gone. Scores for the
product use MBG/NBD for that reason; BG/NBD is kept for the published CDNOW figures.

Both likelihoods share one form: with k = r + x and beta = b + x + s (s = 0 for BG/NBD, 1 for
MBG/NBD),

    L = B(a, beta) / B(a, b) * Gamma(k) / Gamma(r) * alpha^r
        * [(alpha + T)^-k + d * a / (beta - 1) * (alpha + t_x)^-k]

where d = 1 when the customer may have dropped out after the last purchase (BG/NBD: x > 0;
MBG/NBD: always). It is evaluated in log space, the bracket as a softplus, so no power overflows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import eigh_tridiagonal
from scipy.special import betaln, digamma, gammaln, hyp2f1

from .optimise import Objective, maximise, warm_start_sample
from .summary import CustomerSummary, TimeUnit

FloatArray = NDArray[np.float64]
Model = Literal["bgnbd", "mbgnbd"]
_SHIFT = {"bgnbd": 0.0, "mbgnbd": 1.0}
_QUADRATURE_NODES = 64
# Near a = 1 the closed form for future purchases cancels catastrophically (0/0).
_NEAR_ONE = 1e-3


@dataclass(frozen=True)
class PurchaseParams:
    """Fitted parameters with the model and the time unit they belong to."""

    model: Model
    r: float
    alpha: float
    a: float
    b: float
    time_unit: TimeUnit
    log_likelihood: float
    customers: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PurchaseParams:
        return cls(**data)


@dataclass(frozen=True)
class PurchaseFit:
    """A fit's outcome: `params` only when `status` is "ok"."""

    status: Literal["ok", "failed", "degenerate"]
    params: PurchaseParams | None
    message: str
    iterations: int = 0


@dataclass(frozen=True)
class _Data:
    total: float  # customers (or the sum of weights)
    unique_x: FloatArray
    count_x: FloatArray  # customers per unique frequency
    # customers whose likelihood has the dropped-out term
    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    w: FloatArray | None
    x_index: NDArray[np.intp]
    # customers without it (BG/NBD's x = 0): only (alpha + T)^-r
    T0: FloatArray
    w0: FloatArray | None


def _prepare(
    x: FloatArray,
    t_x: FloatArray,
    T: FloatArray,  # noqa: N803
    w: FloatArray | None,
    model: Model,
) -> _Data:
    unique_x, where = np.unique(x, return_inverse=True)
    count_x = np.bincount(where, weights=w, minlength=unique_x.shape[0]).astype(np.float64)
    both = np.ones(x.shape[0], bool) if model == "mbgnbd" else x > 0

    def part(values: FloatArray | None, mask: NDArray[np.bool_]) -> FloatArray | None:
        return None if values is None else values[mask]

    return _Data(
        total=float(count_x.sum()),
        unique_x=unique_x,
        count_x=count_x,
        x=x[both],
        t_x=t_x[both],
        T=T[both],
        w=part(w, both),
        x_index=where[both],
        T0=T[~both],
        w0=part(w, ~both),
    )


def _sum(values: FloatArray, w: FloatArray | None) -> float:
    # einsum, not a BLAS dot: a threaded BLAS dot costs ~10x a plain loop at this size here.
    return float(values.sum() if w is None else np.einsum("i,i->", values, w))


def _log_likelihood(
    params: FloatArray, data: _Data, shift: float, gradient: bool = True
) -> tuple[float, FloatArray]:
    """Total log-likelihood and its gradient in (r, alpha, a, b)."""
    r, alpha, a, b = (float(v) for v in params)
    n, ux, cx = data.total, data.unique_x, data.count_x
    beta = b + ux + shift
    # Terms of the frequency alone, summed once per distinct frequency.
    ll = cx @ gammaln(r + ux) - n * gammaln(r) + n * r * np.log(alpha)
    ll += cx @ betaln(a, beta) - n * betaln(a, b)
    log_ab = np.log(alpha + data.T0)
    ll -= r * _sum(log_ab, data.w0)

    k = r + data.x
    log_at, log_atx = np.log(alpha + data.T), np.log(alpha + data.t_x)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_c = np.where(beta > 1.0, np.log(a) - np.log(beta - 1.0), 0.0)
    lag = log_at - log_atx
    d = log_c[data.x_index] + k * lag  # log odds of "dropped out after t_x" against "alive"
    e = np.exp(-np.abs(d))
    ll += _sum(np.maximum(d, 0.0) + np.log1p(e) - k * log_at, data.w)
    if not gradient:
        return float(ll), np.zeros(4)

    # The logistic of d from e = exp(-|d|): exp(min(d, 0)) / (1 + e) cannot overflow, and
    # avoids np.where, which costs three times as much at a million customers.
    dropped = np.exp(np.minimum(d, 0.0)) / (1.0 + e)
    inv_at, inv_atx = 1.0 / (alpha + data.T), 1.0 / (alpha + data.t_x)
    psi_ab = digamma(a + beta)
    g_r = cx @ digamma(r + ux) - n * digamma(r) + n * np.log(alpha)
    g_r += _sum(dropped * lag - log_at, data.w) - _sum(log_ab, data.w0)
    g_alpha = n * r / alpha - r * _sum(1.0 / (alpha + data.T0), data.w0)
    g_alpha += _sum(k * (dropped * (inv_at - inv_atx) - inv_at), data.w)
    dropped_by_x = np.bincount(
        data.x_index, weights=dropped if data.w is None else dropped * data.w, minlength=ux.shape[0]
    )
    g_a = n * digamma(a + b) - cx @ psi_ab + dropped_by_x.sum() / a
    with np.errstate(divide="ignore"):
        inv_beta = np.where(beta > 1.0, 1.0 / (beta - 1.0), 0.0)
    g_b = cx @ (digamma(beta) - psi_ab) - n * (digamma(b) - digamma(a + b))
    g_b -= dropped_by_x @ inv_beta
    return float(ll), np.array([g_r, g_alpha, g_a, g_b])


def log_likelihood(params: PurchaseParams, summary: CustomerSummary) -> float:
    """The full log-likelihood of a summary under the parameters (as the papers report it)."""
    data = _prepare(summary.frequency, summary.recency, summary.T, None, params.model)
    values = np.array([params.r, params.alpha, params.a, params.b])
    return _log_likelihood(values, data, _SHIFT[params.model], gradient=False)[0]


def _objective(data: _Data, shift: float) -> Objective:
    def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
        params = np.exp(log_params)
        ll, grad = _log_likelihood(params, data, shift)
        if not np.isfinite(ll) or not np.all(np.isfinite(grad)):
            return float("inf"), np.zeros(4)
        return -ll / data.total, -grad * params / data.total

    return objective


def fit_purchase_model(
    summary: CustomerSummary, model: Model = "mbgnbd", weights: ArrayLike | None = None
) -> PurchaseFit:
    """Maximum-likelihood BG/NBD or MBG/NBD parameters of a summary (L-BFGS-B, analytic gradient)."""
    x, t_x, T = summary.frequency, summary.recency, summary.T  # noqa: N806
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    if len(summary) == 0 or not np.any(x > 0):
        return PurchaseFit("failed", None, "no repeat purchases to learn from")
    shift = _SHIFT[model]
    # Start at r = 1 with alpha matching the mean repeat rate, a = b = 1.
    rate = _sum(x, w) / max(_sum(T, w), 1e-9)
    start = np.log(np.array([1.0, 1.0 / max(rate, 1e-9), 1.0, 1.0]))
    pick = None if w is not None else warm_start_sample(len(summary))
    warm = (
        None
        if pick is None
        else _objective(_prepare(x[pick], t_x[pick], T[pick], None, model), shift)
    )
    data = _prepare(x, t_x, T, w, model)
    found = maximise(_objective(data, shift), start, warm)
    r, alpha, a, b = (float(v) for v in np.exp(found.log_params))
    if not found.converged:
        return PurchaseFit("failed", None, f"no convergence: {found.message}", found.iterations)
    ll = found.mean_log_likelihood * data.total
    params = PurchaseParams(model, r, alpha, a, b, summary.time_unit, ll, len(summary))
    if found.on_bound:
        return PurchaseFit(
            "degenerate", None, f"a parameter hit its bound: {params}", found.iterations
        )
    return PurchaseFit("ok", params, "converged", found.iterations)


def _arrays(*values: ArrayLike) -> list[FloatArray]:
    return [np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(*values)]


def p_alive(
    params: PurchaseParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803
) -> FloatArray:
    """Probability that each customer is still active at the end of their observation."""
    x, t_x, age = _arrays(frequency, recency, T)
    beta = params.b + x + _SHIFT[params.model]
    may_drop = x > 0 if params.model == "bgnbd" else np.ones(x.shape, bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (
            np.log(params.a)
            - np.log(beta - 1.0)
            + (params.r + x) * (np.log(params.alpha + age) - np.log(params.alpha + t_x))
        )
    # 1 / (1 + e^d), written so that neither a large nor a very negative d overflows.
    e = np.exp(-np.abs(d))
    alive = np.where(d >= 0.0, e / (1.0 + e), 1.0 / (1.0 + e))
    return np.where(may_drop, alive, 1.0)


def _beta_rule(a: float, beta: float, n: int) -> tuple[FloatArray, FloatArray]:
    """Gauss nodes and weights (summing to 1) for the Beta(a, beta) distribution on [0, 1].

    Golub-Welsch on the Jacobi polynomials' recurrence: the weights come from eigenvectors, with
    no Beta-function normalisation, which overflows when beta reaches the hundreds.
    """
    al, be = beta - 1.0, a - 1.0  # Jacobi weight (1-y)^al (1+y)^be on [-1, 1], p = (1+y)/2
    k = np.arange(n, dtype=np.float64)
    s = 2.0 * k + al + be
    with np.errstate(divide="ignore", invalid="ignore"):
        diagonal = np.where(k == 0, (be - al) / (al + be + 2.0), (be**2 - al**2) / (s * (s + 2.0)))
        j = k[1:]
        sj = 2.0 * j + al + be
        # (j + al + be) / (sj - 1) is 1 at j = 1, where both may vanish.
        ratio = np.where(j == 1, 1.0, (j + al + be) / (sj - 1.0))
        off = np.sqrt(4.0 * j * (j + al) * (j + be) * ratio / (sj**2 * (sj + 1.0)))
    nodes, vectors = eigh_tridiagonal(diagonal, off)
    return (1.0 + nodes) / 2.0, vectors[0] ** 2


def _by_quadrature(
    params: PurchaseParams, x: FloatArray, age: FloatArray, t: FloatArray
) -> FloatArray:
    """E[purchases in t | alive] = E_p[(1 - (1 + p t/(alpha+T))^-(r+x)) / p], p's posterior Beta."""
    out = np.empty(x.shape)
    s = t / (params.alpha + age)
    for value in np.unique(x):
        here = x == value
        beta = params.b + value + _SHIFT[params.model]
        p, weights = _beta_rule(params.a, beta, _QUADRATURE_NODES)
        p = np.clip(p, 1e-300, 1.0)
        k = params.r + value
        inner = -np.expm1(-k * np.log1p(np.outer(s[here], p))) / p
        out[here] = inner @ weights
    return out


def _closed_form(
    params: PurchaseParams, a: float, x: FloatArray, age: FloatArray, t: FloatArray
) -> FloatArray:
    r, alpha, b, shift = params.r, params.alpha, params.b, _SHIFT[params.model]
    c = a + b + x + shift - 1.0
    z = t / (alpha + age + t)
    with np.errstate(all="ignore"):
        series = hyp2f1(a + b + shift - 1.0 - r, a - 1.0, c, z)
        return np.asarray(c / (a - 1.0) * -np.expm1((a - 1.0) * np.log1p(-z) + np.log(series)))


def purchases_if_alive(
    params: PurchaseParams, x: FloatArray, age: FloatArray, t: FloatArray
) -> FloatArray:
    """Expected purchases in the next t for customers still active (x, T, t broadcast together).

    The closed form (a + beta - 1)/(a - 1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(...)] is
    rewritten with Euler's transformation, 2F1(a', b'; c; z) = (1-z)^(c-a'-b') 2F1(c-a', c-b';
    c; z), into (1-z)^(a-1) 2F1(a+beta-1-r-x, a-1; a+beta-1; z), whose first two parameters do
    not grow with the frequency, so the series stays tame at high frequencies. Near a = 1 the
    form is 0/0; there it is the mean of its values at a = 1 -+ 1e-3 (smooth in a, error
    ~1e-7). Where it still fails (not finite, or out of its bounds) the expectation is integrated
    over the posterior of p instead.
    """
    x, age, t = _arrays(x, age, t)
    a = params.a
    if abs(a - 1.0) < _NEAR_ONE:
        g = (
            _closed_form(params, 1.0 - _NEAR_ONE, x, age, t)
            + _closed_form(params, 1.0 + _NEAR_ONE, x, age, t)
        ) / 2.0
    else:
        g = _closed_form(params, a, x, age, t)
    ceiling = (params.r + x) * t / (params.alpha + age)  # since 1 - (1 + y)^-k <= k y
    bad = ~np.isfinite(g) | (g < 0.0) | (g > ceiling * (1.0 + 1e-9) + 1e-12)
    if np.any(bad):
        g[bad] = _by_quadrature(params, x[bad], age[bad], t[bad])
    return np.where(t > 0.0, g, 0.0)


def expected_purchases(
    params: PurchaseParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803
    t: ArrayLike,
) -> FloatArray:
    """Expected purchases of each customer in the next t (in the parameters' time unit)."""
    x, t_x, age, horizon = _arrays(frequency, recency, T, t)
    return p_alive(params, x, t_x, age) * purchases_if_alive(params, x, age, horizon)
