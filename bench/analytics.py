"""Nightly analytics at a million customers: RFM + BG/NBD fit + Gamma-Gamma fit + scoring.

    python bench/analytics.py [--customers 1000000] [--no-peer]

Customers are drawn from a BG/NBD + Gamma-Gamma process with known parameters, in days: first
purchases spread over three years (T in whole days, as summaries count them), repeat purchases
at exact times. Everything runs in memory in this process: RFM scores, the eight classes and the
11 segments, the BG/NBD fit, the Gamma-Gamma fit, and scoring (P(alive), churn, expected
purchases in 90 days, expected spend, CLV over 36 months, tiers). Printed: seconds per stage,
peak memory (tracemalloc over a second, untimed pass; and the process's peak RSS), the
parameters recovered against the truth (target: within 5%), and the same fits and scoring with
`lifetimes` as the peer, in the same run, with the ratio.

The peer runs in its own virtualenv under build/bench-peer/ (git-ignored), created on first use
with versions lifetimes 0.11.3 works with (it breaks on numpy 2 and pandas 2); the project never
imports it. It scores the same customers: `conditional_probability_alive`,
`conditional_expected_number_of_purchases_up_to_time(90)`, `conditional_expected_average_profit`
and `customer_lifetime_value(time=36, discount_rate=0.01, freq="D")`.

Budget (DESIGN section 7): <= 10 s on 2 cores and >= 8x faster than lifetimes. This script
re-runs itself without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set on some machines; they slow
numpy) and with OPENBLAS_NUM_THREADS=1: the models' loops never call BLAS, and idle OpenBLAS
threads woken by the optimiser's small BLAS calls spin on the second core (the fits run ~1.7x
slower with them). The analytics Lambda should set OPENBLAS_NUM_THREADS=1 the same way. The
peer runs with the same environment.
"""

from __future__ import annotations

import os
import sys

_ENV_CHANGES = {"OPENBLAS_CORETYPE": None, "OPENBLAS_L2_SIZE": None, "OPENBLAS_NUM_THREADS": "1"}


def _bench_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_CHANGES}
    env.update({k: v for k, v in _ENV_CHANGES.items() if v is not None})
    return env


# numpy reads these when it loads, so the process starts over with them before importing it
# (`--as-is` keeps the environment as it is, to see what they cost).
_AS_IS = "--as-is" in sys.argv
if (
    __name__ == "__main__"
    and not _AS_IS
    and any(os.environ.get(k) != v for k, v in _ENV_CHANGES.items())
):
    os.execve(sys.executable, [sys.executable, *sys.argv], _bench_environment())  # noqa: S606

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))

import numpy as np  # noqa: E402

from chalicelib.value.clv import FitPolicy, fit_value_models, score_customers  # noqa: E402
from chalicelib.value.rfm import rfm_classes, rfm_from_summary, rfm_segments  # noqa: E402
from chalicelib.value.summary import CustomerSummary  # noqa: E402

TRUTH = {"r": 0.75, "alpha": 40.0, "a": 0.8, "b": 2.5, "p": 6.0, "q": 4.0, "gamma": 150.0}
PEER_DIR = ROOT / "build" / "bench-peer"
PEER_PINS = [
    "lifetimes==0.11.3", "numpy==1.26.4", "pandas==1.5.3", "scipy==1.11.4", "autograd==1.6.2",
    "dill==0.3.8",
]  # fmt: skip
COMMAND = "python bench/analytics.py"


def simulate(n: int, seed: int = 1) -> CustomerSummary:
    """Customers from BG/NBD (purchases) and Gamma-Gamma (spend) with the TRUTH parameters."""
    rng = np.random.default_rng(seed)
    age = rng.integers(30, 3 * 365 + 1, n).astype(np.float64)
    rate = rng.gamma(TRUTH["r"], 1.0 / TRUTH["alpha"], n)
    dropout = rng.beta(TRUTH["a"], TRUTH["b"], n)
    x, t_x, clock = np.zeros(n), np.zeros(n), np.zeros(n)
    active = np.arange(n)
    while active.size:  # one repeat purchase per round for everyone still buying
        clock[active] += rng.exponential(1.0, active.size) / rate[active]
        active = active[clock[active] <= age[active]]
        x[active] += 1.0
        t_x[active] = clock[active]
        active = active[rng.random(active.size) >= dropout[active]]
    nu = rng.gamma(TRUTH["q"], 1.0 / TRUTH["gamma"], n)
    seen = np.maximum(x, 1.0)
    # The mean of x Gamma(p, nu) purchases is Gamma(p x, nu x).
    mean = np.where(x > 0, rng.gamma(TRUTH["p"] * seen, 1.0) / (nu * seen), 0.0)
    first = rng.gamma(TRUTH["p"], 1.0, n) / nu
    ids = np.char.add("c", np.arange(n).astype(str))
    return CustomerSummary(ids, x, t_x, age, mean, "days", first + mean * x)


def pipeline(summary: CustomerSummary) -> tuple[dict[str, float], dict[str, float]]:
    """The nightly work in memory: stage seconds and the fitted parameters."""
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    scores = rfm_from_summary(summary)
    rfm_classes(scores)
    rfm_segments(scores)
    seconds["rfm"] = time.perf_counter() - start

    start = time.perf_counter()
    fit = fit_value_models(summary, FitPolicy(model="bgnbd"))
    seconds["fits"] = time.perf_counter() - start
    if fit.purchase is None or fit.spend is None:
        raise SystemExit(f"fit failed: {fit.message}")

    start = time.perf_counter()
    result = score_customers(summary, fit.purchase, fit.spend)
    seconds["scoring"] = time.perf_counter() - start
    assert np.all(np.isfinite(result.clv))
    p, s = fit.purchase, fit.spend
    found = {"r": p.r, "alpha": p.alpha, "a": p.a, "b": p.b, "p": s.p, "q": s.q, "gamma": s.gamma}
    return seconds, found


PEER_SCRIPT = """
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
data = np.load(sys.argv[1])
x, t_x, T, m = (pd.Series(data[k]) for k in ("x", "t_x", "T", "m"))
out = {}
start = time.perf_counter()
bg = BetaGeoFitter().fit(x, t_x, T)
out["fit_bgnbd"] = time.perf_counter() - start
start = time.perf_counter()
repeat = (x > 0) & (m > 0)
gg = GammaGammaFitter().fit(x[repeat], m[repeat])
out["fit_gamma_gamma"] = time.perf_counter() - start
start = time.perf_counter()
alive = bg.conditional_probability_alive(x, t_x, T)
next_90 = bg.conditional_expected_number_of_purchases_up_to_time(90, x, t_x, T)
spend = gg.conditional_expected_average_profit(x, m)
clv = gg.customer_lifetime_value(bg, x, t_x, T, m, time=36, discount_rate=0.01, freq="D")
out["scoring"] = time.perf_counter() - start
out["params"] = {**{k: float(v) for k, v in bg.params_.items()},
                 **{"p": float(gg.params_["p"]), "q": float(gg.params_["q"]),
                    "gamma": float(gg.params_["v"])}}
print(json.dumps(out))
"""


def peer_python() -> Path:
    """The peer's interpreter, its virtualenv made on first use."""
    python = PEER_DIR / "bin" / "python"
    stamp = PEER_DIR / ".installed"
    if not stamp.exists() or stamp.read_text() != " ".join(PEER_PINS):
        print(f"(creating the peer's virtualenv in {PEER_DIR.relative_to(ROOT)})", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEER_DIR)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEER_PINS], check=True)
        stamp.write_text(" ".join(PEER_PINS))
    return python


def run_peer(summary: CustomerSummary, env: dict[str, str]) -> dict[str, Any]:
    python = peer_python()
    data, script = PEER_DIR / "customers.npz", PEER_DIR / "peer.py"
    np.savez(data, x=summary.frequency, t_x=summary.recency, T=summary.T, m=summary.monetary_value)
    script.write_text(PEER_SCRIPT)
    done = subprocess.run([str(python), str(script), str(data)], check=True, capture_output=True,
                          text=True, env=env)  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--no-peer", action="store_true", help="skip lifetimes")
    parser.add_argument("--as-is", action="store_true", help="keep the OPENBLAS_* variables")
    args = parser.parse_args()
    env = " ".join(f"{k}={v}" if v else f"-u {k}" for k, v in _ENV_CHANGES.items())
    command = f"env {env} {COMMAND} --customers {args.customers}"
    if args.as_is:
        blas = {k: os.environ[k] for k in _ENV_CHANGES if k in os.environ}
        command = f"{COMMAND} --customers {args.customers} --as-is (environment: {blas or 'no OPENBLAS_*'})"
    print(f"$ {command}")

    summary = simulate(args.customers)
    print(f"customers: {len(summary):,}; repeat buyers: {np.count_nonzero(summary.frequency):,}; "
          f"mean repeat purchases: {summary.frequency.mean():.2f}; days, T 30-1095")  # fmt: skip
    seconds, found = pipeline(summary)
    total = sum(seconds.values())
    print("ours (numpy/scipy), seconds:", ", ".join(f"{k} {v:.2f}" for k, v in seconds.items()),
          f"= total {total:.2f} (budget 10 s: {'PASS' if total <= 10 else 'FAIL'})")  # fmt: skip

    tracemalloc.start()
    pipeline(summary)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak / 2**20:.0f} MiB allocated by the pipeline (tracemalloc); "
          f"process peak RSS {rss:.0f} MiB (with the data and the generator)")  # fmt: skip

    worst = 0.0
    for name, true in TRUTH.items():
        error = found[name] / true - 1.0
        worst = max(worst, abs(error))
        print(f"  {name:>5}: true {true:g}, recovered {found[name]:.4g} ({error:+.2%})")
    recovered = worst <= 0.05
    print(f"parameters within 5%: {'PASS' if recovered else 'FAIL'} (worst {worst:.2%})")

    if args.no_peer:
        return 0 if recovered else 1
    peer = run_peer(summary, _bench_environment() if not args.as_is else dict(os.environ))
    peer_work = peer["fit_bgnbd"] + peer["fit_gamma_gamma"] + peer["scoring"]
    ours_work = seconds["fits"] + seconds["scoring"]
    print(f"peer (lifetimes 0.11.3, {shlex.quote(str(PEER_DIR.relative_to(ROOT)))}), seconds: "
          f"fit_bgnbd {peer['fit_bgnbd']:.2f}, fit_gamma_gamma {peer['fit_gamma_gamma']:.2f}, "
          f"scoring {peer['scoring']:.2f} = {peer_work:.2f}")  # fmt: skip
    print("  peer's parameters:", ", ".join(f"{k} {v:.4g}" for k, v in peer["params"].items()))
    ratio = peer_work / ours_work
    print(f"fits + scoring: ours {ours_work:.2f} s, lifetimes {peer_work:.2f} s: "
          f"{ratio:.1f}x faster (target >= 8x: {'PASS' if ratio >= 8 else 'FAIL'})")  # fmt: skip
    return 0 if recovered else 1


if __name__ == "__main__":
    sys.exit(main())
