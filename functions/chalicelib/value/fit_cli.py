"""`make clv-fit SUMMARY=file.csv`: BG/NBD and Gamma-Gamma fitted on a summary file, as one JSON.

The file has lifetimes' column names (customer_id, frequency, recency, T, monetary_value), one
customer a row, times in the file's own unit (the parameters come out in that unit: CDNOW's
summary is in weeks, the default; `--time-unit days` for a file in days). Gamma-Gamma is fitted on the rows with frequency > 0 and
monetary_value > 0. Prints

    {"bgnbd": {"r", "alpha", "a", "b", "log_likelihood"}, "gamma_gamma": {"p", "q", "gamma"}}

and exits 1 with the reason on stderr when a fit fails.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from .bgnbd import fit_purchase_model
from .gamma_gamma import fit_spend_model
from .summary import CustomerSummary, TimeUnit

COLUMNS = ("customer_id", "frequency", "recency", "T", "monetary_value")
_DIGITS = 6  # significant digits printed; the published figures have three or four


def read_summary(path: Path, time_unit: TimeUnit = "weeks") -> CustomerSummary:
    """A summary CSV with lifetimes' columns, its times in `time_unit`."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    missing = [c for c in COLUMNS if rows and c not in rows[0]]
    if not rows or missing:
        raise ValueError(f"{path}: needs the columns {', '.join(COLUMNS)}")
    return CustomerSummary.from_arrays(
        [float(row["frequency"]) for row in rows],
        [float(row["recency"]) for row in rows],
        [float(row["T"]) for row in rows],
        [float(row["monetary_value"]) for row in rows],
        time_unit=time_unit,
        customer_ids=[row["customer_id"] for row in rows],
    )


def _round(value: float) -> float:
    return float(f"{value:.{_DIGITS}g}")


def fit_file(path: Path, time_unit: TimeUnit = "weeks") -> dict[str, Any]:
    """The fitted parameters of a summary file, shaped as the command prints them."""
    summary = read_summary(path, time_unit)
    purchase = fit_purchase_model(summary, "bgnbd")
    spend = fit_spend_model(summary)
    if purchase.params is None or spend.params is None:
        raise RuntimeError(f"BG/NBD: {purchase.message}; Gamma-Gamma: {spend.message}")
    bg, gg = purchase.params, spend.params
    return {
        "bgnbd": {
            "r": _round(bg.r),
            "alpha": _round(bg.alpha),
            "a": _round(bg.a),
            "b": _round(bg.b),
            "log_likelihood": _round(bg.log_likelihood),
        },
        "gamma_gamma": {"p": _round(gg.p), "q": _round(gg.q), "gamma": _round(gg.gamma)},
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="clv-fit", description=__doc__.split("\n")[0])
    parser.add_argument("summary", type=Path)
    parser.add_argument("--time-unit", choices=["days", "weeks"], default="weeks")
    args = parser.parse_args(argv)
    try:
        result = fit_file(args.summary, args.time_unit)
    except (OSError, ValueError, RuntimeError) as error:
        print(f"clv-fit: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
