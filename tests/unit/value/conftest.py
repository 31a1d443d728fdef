"""The CDNOW data (tests/data/cdnow, from the lifetimes sdist) as the value models read it."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from chalicelib.value.fit_cli import read_summary
from chalicelib.value.summary import CustomerSummary

CDNOW = Path(__file__).resolve().parents[2] / "data" / "cdnow"
NEW_YORK = ZoneInfo("America/New_York")
CALIBRATION_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)


@pytest.fixture(scope="session")
def cdnow_summary() -> CustomerSummary:
    """The published 39-week summary (weeks) the papers fit."""
    return read_summary(CDNOW / "cdnow_summary.csv")


@pytest.fixture(scope="session")
def cdnow_orders() -> dict[str, np.ndarray]:
    """CDNOW's sample orders, each placed at noon New York time, as UTC epoch seconds."""
    ids, seconds, amounts = [], [], []
    noon: dict[str, int] = {}
    for line in (CDNOW / "CDNOW_sample.txt").read_text().splitlines():
        _, customer, day, _, dollars = line.split()
        if day not in noon:
            when = datetime(int(day[:4]), int(day[4:6]), int(day[6:]), 12, tzinfo=NEW_YORK)
            noon[day] = int(when.timestamp())
        ids.append(customer)
        seconds.append(noon[day])
        amounts.append(float(dollars))
    return {"ids": np.array(ids), "at": np.array(seconds), "amounts": np.array(amounts)}


@pytest.fixture(scope="session")
def lifetimes_summary() -> dict[str, np.ndarray]:
    """lifetimes' summary of the same orders, in days (see tests/data/cdnow/README.md)."""
    with (CDNOW / "lifetimes_summary_days.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = ("frequency", "recency", "T", "monetary_value")
    table = {c: np.array([float(row[c]) for row in rows]) for c in columns}
    return {"ids": np.array([row["customer_id"] for row in rows]), **table}
