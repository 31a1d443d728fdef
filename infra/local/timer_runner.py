"""Local stand-in for the Step Functions timers: every second, fire the timers that are due.

`python -m infra.local.timer_runner` (started by `make run`). It reads the table the API uses
(CRM_DYNAMODB_ENDPOINT, CRM_TABLE_NAME), finds armed timer items whose deadline has passed
(one Query on the due index) and hands each to the timers function's `handle_timer`, which
routes it by its kind to the area that armed it: exactly what the state machine's task state
does in AWS. A timer whose handler raises stays armed and is tried again on the next
tick, up to MAX_ATTEMPTS; then it is closed as failed and logged.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[2]
MAX_ATTEMPTS = 5
log = logging.getLogger("timers")


def _ensure_functions_on_path() -> None:
    functions = str(ROOT / "functions")
    if functions not in sys.path:
        sys.path.append(functions)


def run_due(now: datetime | None = None, limit: int = 100) -> int:
    """One tick: fire every timer due at `now`; returns how many were handled."""
    _ensure_functions_on_path()
    from chalicelib.core import timer_store
    from chalicelib.core.timers import handle_timer

    now = now or datetime.now(UTC)
    handled = 0
    for item in timer_store.due(now, limit):
        try:
            outcome = handle_timer(item.payload, None, now=now)
        except Exception:
            attempts = timer_store.count_attempt(item)
            log.exception("Timer %s failed (attempt %d)", item.name, attempts)
            if attempts >= MAX_ATTEMPTS:
                timer_store.close(item.tenant_id, item.name, "failed")
            continue
        handled += 1
        log.info("Timer %s: %s", item.name, outcome.get("status"))
    return handled


def run_forever(stop: threading.Event, interval: float = 1.0) -> None:
    while not stop.is_set():
        try:
            run_due()
        except Exception:
            log.exception("Polling timers failed; trying again")
        stop.wait(interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fire due local timers (Step Functions stand-in).")
    parser.add_argument("--once", action="store_true", help="fire what is due, then exit")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s timers %(message)s")
    os.environ.setdefault("CRM_TIMER_BACKEND", "table")
    if args.once:
        print(f"handled {run_due()} timer(s)")
        return 0
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    log.info("polling due timers every %.1fs", args.interval)
    run_forever(stop, args.interval)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
