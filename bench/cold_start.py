"""Cold start of the API function: import time of functions/app.py against the floor.

The floor is what any Python Lambda with our logging pays: `import boto3` plus a powertools
Logger. Each sample is a fresh interpreter (bytecode already compiled, as shipped), the two
measured alternately so machine noise hits both; the ratio is taken pair by pair.
Budget (DESIGN §7): median ratio <= 1.3.

    python bench/cold_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ROOT / "functions"
BUDGET = 1.3

FLOOR = """
import time
t = time.perf_counter()
import boto3
from aws_lambda_powertools import Logger
Logger(service="crm")
print(time.perf_counter() - t)
"""

API = """
import time
t = time.perf_counter()
import boto3
from aws_lambda_powertools import Logger
Logger(service="crm")
import app
print(time.perf_counter() - t)
"""


def sample(code: str) -> float:
    env = {
        **os.environ,
        "CRM_STAGE": "prod",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "PYTHONPATH": str(FUNCTIONS),
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=FUNCTIONS,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    sample(API)  # warm-up: compiles bytecode, fills the page cache
    floors, apis, ratios = [], [], []
    for _ in range(args.runs):
        floor, api = sample(FLOOR), sample(API)
        floors.append(floor)
        apis.append(api)
        ratios.append(api / floor)
    ratio = statistics.median(ratios)
    print(
        f"cold start: floor {statistics.median(floors) * 1000:.0f} ms, "
        f"api {statistics.median(apis) * 1000:.0f} ms, "
        f"ratio {ratio:.2f}x (median of {args.runs} pairs, min {min(ratios):.2f}, "
        f"max {max(ratios):.2f}; budget <= {BUDGET}x) {'OK' if ratio <= BUDGET else 'OVER'}"
    )


if __name__ == "__main__":
    main()
