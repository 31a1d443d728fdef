"""Local stand-in for EventBridge Scheduler: the hourly schedules, fired at minute 5 of each hour.

`python -m infra.local.scheduler` (started by `make run`). Each hour it hands every schedule the
areas declare (`value.nightly`, ...) to the nightly function's `handle_schedule`, exactly what
the deployed schedule's target does; the areas start each tenant's job in the tenant's own
hour, and the jobs' steps then run on the local timer runner. The last hour fired is kept in a
state file beside the data, so a restart within the hour does not fire it again (and would
start nothing new anyway: tonight's job ids are the night's).

`python -m infra.local.scheduler --now value.nightly [--tenant demo]` runs a schedule at once:
for one tenant as an admin's POST /v1/admin/schedules/value.nightly/runs does, or for every tenant
as the hourly schedule does (only tenants in their nightly hour start).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[2]
MINUTE = 5  # the deployed schedules' cron(5 * * * ? *)
log = logging.getLogger("schedules")


def _ensure_functions_on_path() -> None:
    functions = str(ROOT / "functions")
    if functions not in sys.path:
        sys.path.append(functions)


def due_hour(now: datetime, last_fired: str | None) -> str | None:
    """The hour to fire at `now` (UTC, "YYYY-MM-DDTHH"), or None: not yet minute 5, or fired."""
    hour = now.astimezone(UTC).strftime("%Y-%m-%dT%H")
    if now.astimezone(UTC).minute < MINUTE or hour == last_fired:
        return None
    return hour


def fire_all(now: datetime) -> dict[str, list[str]]:
    """Every declared schedule, once; returns the jobs each started."""
    _ensure_functions_on_path()
    from chalicelib.core import registry
    from chalicelib.core.schedules import handle_schedule

    started: dict[str, list[str]] = {}
    for name in registry().schedule_names():
        try:
            started[name] = handle_schedule({"job": name}, now=now)["started"]
        except Exception:
            log.exception("Schedule %s failed; the next hour tries again", name)
    return started


def run_now(name: str, tenant: str | None) -> list[str]:
    _ensure_functions_on_path()
    from chalicelib.core.schedules import handle_schedule
    from chalicelib.core.schedules import run_now as start

    if tenant:
        return [start(tenant, name, "make")]
    return list(handle_schedule({"job": name})["started"])


class State:
    """The last hour fired, in a small JSON file (none: never fired here)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def last(self) -> str | None:
        if self.path is None or not self.path.exists():
            return None
        return str(json.loads(self.path.read_text(encoding="utf-8")).get("last_hour") or "")

    def remember(self, hour: str) -> None:
        if self.path is not None:
            self.path.write_text(json.dumps({"last_hour": hour}), encoding="utf-8")


def run_forever(stop: threading.Event, state: State, interval: float = 20.0) -> None:
    while not stop.is_set():
        now = datetime.now(UTC)
        hour = due_hour(now, state.last())
        if hour is not None:
            started = fire_all(now)
            state.remember(hour)
            log.info("hour %s: %s", hour, json.dumps(started))
        stop.wait(interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fire the hourly schedules (Scheduler stand-in).")
    parser.add_argument("--state", type=Path, help="file keeping the last hour fired")
    parser.add_argument("--now", metavar="JOB", help="run this schedule at once, then exit")
    parser.add_argument("--tenant", help="with --now: start the job for this tenant only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s schedules %(message)s")
    os.environ.setdefault("CRM_TIMER_BACKEND", "table")
    if args.now:
        if "CRM_DYNAMODB_ENDPOINT" not in os.environ:  # `make job`: talk to `make run`'s stack
            from .config import LocalConfig

            os.environ.update(LocalConfig.from_env().child_env())
        started = run_now(args.now, args.tenant)
        print(json.dumps({"started": started, "progress": [f"/v1/jobs/{j}" for j in started]}))
        return 0
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    log.info("firing the hourly schedules at minute %d", MINUTE)
    run_forever(stop, State(args.state))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
