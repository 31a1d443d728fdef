"""Gamma-Gamma spend per purchase (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value").

Each purchase of a customer is Gamma(p, nu), and nu varies across customers as Gamma(q, gamma).
The mean z of a customer's x repeat purchases then has the density

    f(z | x) = Gamma(px + q) / (Gamma(px) Gamma(q)) * gamma^q * z^(px-1) * x^px / (gamma + x z)^(px+q)

The model assumes spend per purchase is independent of how often a customer buys; the fit
returns the correlation of frequency and spend so the caller can tell when that fails.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import digamma, gammaln

from .optimise import Objective, maximise, warm_start_sample
from .summary import CustomerSummary

FloatArray = NDArray[np.float64]
# Above this correlation of frequency and spend the independence assumption is in doubt: the
# caller raises an alarm and marks CLV low-confidence.
CORRELATION_LIMIT = 0.3
MIN_SPENDERS = 10


@dataclass(frozen=True)
class SpendParams:
    """Fitted parameters and what the fit saw (customers used, frequency-spend correlation)."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int
    correlation: float

    @property
    def low_confidence(self) -> bool:
        return self.correlation > CORRELATION_LIMIT

    @property
    def mean_spend(self) -> float | None:
        """The population mean spend per purchase, p * gamma / (q - 1); none when q <= 1."""
        return self.p * self.gamma / (self.q - 1.0) if self.q > 1.0 else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpendParams:
        return cls(**data)


@dataclass(frozen=True)
class SpendFit:
    """A fit's outcome: `params` only when `status` is "ok"; the correlation is always given."""

    status: Literal["ok", "failed", "degenerate"]
    params: SpendParams | None
    message: str
    correlation: float


def spend_correlation(frequency: FloatArray, monetary_value: FloatArray) -> float:
    """Pearson correlation of frequency and spend; 0 when either does not vary (never NaN)."""
    if frequency.shape[0] < 2 or np.ptp(frequency) == 0 or np.ptp(monetary_value) == 0:
        return 0.0
    value = float(np.corrcoef(frequency, monetary_value)[0, 1])
    return value if np.isfinite(value) else 0.0


def _dot(a: FloatArray, b: FloatArray) -> float:
    # einsum, not a BLAS dot: a threaded BLAS dot costs ~10x a plain loop at this size here.
    return float(np.einsum("i,i->", a, b))


@dataclass(frozen=True)
class _Data:
    unique_x: FloatArray
    count_x: FloatArray
    x: FloatArray
    m: FloatArray
    sum_x_log_m: float
    sum_log_m: float
    sum_x_log_x: float

    @classmethod
    def of(cls, x: FloatArray, m: FloatArray) -> _Data:
        unique_x, where = np.unique(x, return_inverse=True)
        log_m = np.log(m)
        return cls(
            unique_x,
            np.bincount(where).astype(np.float64),
            x,
            m,
            _dot(x, log_m),
            float(log_m.sum()),
            _dot(x, np.log(x)),
        )


def _log_likelihood(params: FloatArray, data: _Data) -> tuple[float, FloatArray]:
    p, q, gamma = (float(v) for v in params)
    ux, cx, x = data.unique_x, data.count_x, data.x
    n = float(x.shape[0])
    spent = gamma + data.m * x
    log_spent = np.log(spent)
    px = p * ux
    ll = cx @ (gammaln(px + q) - gammaln(px)) - n * gammaln(q) + n * q * np.log(gamma)
    ll += p * data.sum_x_log_m - data.sum_log_m + p * data.sum_x_log_x
    x_log_spent, sum_log_spent = _dot(x, log_spent), float(log_spent.sum())
    ll -= p * x_log_spent + q * sum_log_spent
    psi_all = digamma(px + q)
    g_p = cx @ (ux * (psi_all - digamma(px))) + data.sum_x_log_m + data.sum_x_log_x - x_log_spent
    g_q = cx @ psi_all - n * digamma(q) + n * np.log(gamma) - sum_log_spent
    inverse = 1.0 / spent
    g_gamma = n * q / gamma - p * _dot(x, inverse) - q * float(inverse.sum())
    return float(ll), np.array([g_p, g_q, g_gamma])


def _objective(data: _Data) -> Objective:
    n = float(data.x.shape[0])

    def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
        params = np.exp(log_params)
        ll, grad = _log_likelihood(params, data)
        if not np.isfinite(ll) or not np.all(np.isfinite(grad)):
            return float("inf"), np.zeros(3)
        return -ll / n, -grad * params / n

    return objective


def fit_spend_model(summary: CustomerSummary) -> SpendFit:
    """Maximum-likelihood Gamma-Gamma parameters over customers with frequency > 0 and spend > 0."""
    used = (summary.frequency > 0) & (summary.monetary_value > 0)
    x, m = summary.frequency[used], summary.monetary_value[used]
    correlation = spend_correlation(x, m)
    if x.shape[0] < MIN_SPENDERS:
        return SpendFit(
            "failed", None, f"{x.shape[0]} repeat spenders, {MIN_SPENDERS} needed", correlation
        )
    data = _Data.of(x, m)
    pick = warm_start_sample(x.shape[0])
    warm = None if pick is None else _objective(_Data.of(x[pick], m[pick]))
    # Start from p = 1, q = 2 and the gamma that matches the observed mean spend.
    start = np.log(np.array([1.0, 2.0, float(m.mean())]))
    found = maximise(_objective(data), start, warm)
    p, q, gamma = (float(v) for v in np.exp(found.log_params))
    n = float(x.shape[0])
    if not found.converged:
        return SpendFit("failed", None, f"no convergence: {found.message}", correlation)
    params = SpendParams(p, q, gamma, found.mean_log_likelihood * n, int(n), correlation)
    if found.on_bound or q <= 1.0:
        # q <= 1 leaves the mean spend infinite: the data does not fit the model.
        return SpendFit("degenerate", None, f"unusable parameters: {params}", correlation)
    return SpendFit("ok", params, "converged", correlation)


def expected_spend(
    params: SpendParams, frequency: ArrayLike, monetary_value: ArrayLike
) -> FloatArray:
    """Expected spend per future purchase: (gamma + x m) p / (px + q - 1), the mean for x = 0.

    Where parameters leave that undefined (q <= 1 from a stored fit), a repeat customer keeps
    their own mean spend and a customer without repeat purchases gets 0.
    """
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    x, m = np.broadcast_arrays(x, m)
    seen = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (params.gamma + m * x) * params.p / (params.p * x + params.q - 1.0)
    mean = params.mean_spend
    value = np.where(np.isfinite(value) & (value >= 0.0), value, m)
    return np.where(seen, value, 0.0 if mean is None else mean)
