"""`make run`: the whole CRM backend on 127.0.0.1, until Ctrl-C.

1. DynamoDB Local (data in .local/dynamodb), moto in server mode, the Chalice API (api_server.py), started
   together; the tables are created when missing, the event bus on moto with its tap (a log
   group) and the example marketing rule's queue.
2. The stream poller, the timer runner and the scheduler (hourly schedules), same settings.
3. The demo tenant, seeded once through the API; then a banner with the URL and tokens.
4. Ctrl-C / SIGTERM stops every child (SIGTERM, bounded wait, SIGKILL) and exits 0.

Environment overrides: CRM_API_PORT (8000), CRM_DYNAMODB_PORT (8001), CRM_MOTO_PORT (5001),
CRM_LOCAL_HOST (127.0.0.1), CRM_LOCAL_DIR (.local), CRM_SEED (1), CRM_API_AUTORELOAD (1),
CRM_STARTUP_TIMEOUT (60 s), plus the app's own CRM_* settings (table names, secrets).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from types import FrameType
from typing import IO

from .config import LocalConfig, StackError, check_ports_free
from .lock import DataDirLock
from .processes import (
    Child,
    start_api,
    start_dynamodb,
    start_moto,
    start_worker,
    stop_children,
    wait_for_port,
    wait_until,
)
from .resources import (
    CHURN_RISK_RULE_NAME,
    dynamodb_ready,
    ensure_attachments_bucket,
    ensure_churn_risk_rule,
    ensure_event_tap,
    ensure_tables,
)

READY_LINE = "CRM local stack is ready"
WORKERS = (
    ("stream_poller", "stream"),
    ("timer_runner", "timers"),
    ("scheduler", "schedules"),
)


def worker_args(config: LocalConfig, module: str) -> list[str]:
    """Command-line options of a worker: its state files live with the data they describe."""
    if module == "stream_poller":
        # The checkpoint names sequence numbers of *this* database's stream.
        return [
            f"--checkpoint={config.data_dir / 'stream-checkpoint.json'}",
            f"--dlq={config.data_dir / 'stream-dlq.jsonl'}",
        ]
    if module == "scheduler":
        return [f"--state={config.data_dir / 'schedules.json'}"]
    return []


class _StopRequestedError(Exception):
    """Raised by the signal handler: leave whatever we are doing and shut down."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _StopRequestedError(signal.Signals(signum).name)


class Stack:
    def __init__(self, config: LocalConfig, env: dict[str, str], out: IO[str]) -> None:
        self.config = config
        self.env = env
        self.out = out
        self.children: list[Child] = []
        self.lock = DataDirLock(config.data_dir)
        self.tap_log_group = ""
        self.churn_risk_queue_url = ""
        self.started = time.monotonic()
        self._warned: set[str] = set()

    def say(self, message: str) -> None:
        self.out.write(message + "\n")
        self.out.flush()

    def elapsed(self) -> str:
        return f"{time.monotonic() - self.started:.1f}s"

    def start(self) -> None:
        config, timeout = self.config, self.config.startup_timeout
        self.lock.acquire()
        check_ports_free(config)
        self.say(f"Starting the CRM local stack (data in {config.data_dir}) ...")
        dynamodb = self._add(start_dynamodb(config, self.env))
        moto = self._add(start_moto(config, self.env))
        api = self._add(start_api(config, self.env, echo=self.out))

        wait_until(
            lambda: dynamodb_ready(config),
            timeout=timeout,
            what=f"DynamoDB Local on port {config.dynamodb_port}",
            child=dynamodb,
            interval=0.2,
        )
        created = ensure_tables(config)
        tables = f"created {', '.join(created)}" if created else "tables already there"
        self.say(f"  DynamoDB Local  {config.dynamodb_endpoint}  ({tables}; {self.elapsed()})")

        wait_for_port(config.host, config.moto_port, timeout=timeout, child=moto)
        self.tap_log_group = ensure_event_tap(config)
        self.churn_risk_queue_url = ensure_churn_risk_rule(config)
        bucket = ensure_attachments_bucket(config)
        self.say(
            f"  moto server     {config.aws_endpoint}  (bus {config.event_bus_name}, "
            f"bucket {bucket})"
        )

        for module, name in WORKERS:
            args = worker_args(config, module)
            worker = start_worker(config, self.env, module, name, echo=self.out, args=args)
            if worker is None:
                self.say(f"  {name:<15} not started: infra/local/{module}.py does not exist yet")
            else:
                self._add(worker)

        wait_for_port(config.host, config.api_port, timeout=timeout, child=api)
        self.say(f"  Chalice API     {config.api_url}  ({self.elapsed()})")

    def _add(self, child: Child) -> Child:
        self.children.append(child)
        return child

    def watch(self) -> None:
        """Until a signal: fail when a core service dies, warn once when a worker does."""
        while True:
            for child in self.children:
                if child.alive() or child.name in self._warned:
                    continue
                if child.required:
                    raise StackError(
                        f"{child.name} stopped unexpectedly (exit code {child.popen.returncode}). "
                        f"Last lines of {child.log_path}:\n{child.tail()}"
                    )
                self._warned.add(child.name)
                self.say(
                    f"WARNING: {child.name} exited with code {child.popen.returncode}; the API "
                    f"keeps running without it. See {child.log_path}."
                )
            time.sleep(0.5)

    def stop(self) -> None:
        if self.children:
            self.say("Stopping the CRM local stack ...")
        began = time.monotonic()
        # Workers and the API first (they talk to the engines), then the engines.
        engines = {"dynamodb", "moto"}
        killed = stop_children([c for c in reversed(self.children) if c.name not in engines])
        killed += stop_children([c for c in self.children if c.name in engines])
        if killed:
            self.say(f"  {', '.join(killed)} ignored SIGTERM for 10s and was killed.")
        if self.children:
            took = time.monotonic() - began
            self.say(f"  {len(self.children)} processes stopped in {took:.1f}s")
        self.children.clear()
        self.lock.release()


def banner(stack: Stack, tokens: dict[str, str], seed_note: str, sample_id: str | None) -> str:
    config = stack.config
    url = config.api_url
    rule = "=" * 88
    customer = sample_id or "<customer id>"
    create_body = (
        '{"type":"person","name":"赵敏","owner_id":"alice","team_id":"east",'
        '"lifecycle_stage":"lead","source":"web",'
        '"identities":[{"kind":"phone","value":"13600136000"},'
        '{"kind":"email","value":"Zhao.Min@example.cn"}]}'
    )
    lines = [
        "",
        rule,
        f" {READY_LINE}: {url}   (ready in {stack.elapsed()})",
        rule,
        f" {seed_note}",
        "",
        " Dev tokens for tenant 'demo' (valid 30 days) - paste into your shell:",
        f"   export TOKEN={tokens['admin']}",
        f"   export ALICE_TOKEN={tokens['alice']}",
        f"   export DAVE_TOKEN={tokens['dave']}",
        "   (TOKEN: admin; ALICE_TOKEN: alice, sales_rep, team east; DAVE_TOKEN: dave, finance)",
        f"   export MIA_TOKEN={tokens['mia']}",
        f"   export SAM_TOKEN={tokens['sam']}",
        *([f"   export CONTACT_TOKEN={tokens['contact']}"] if tokens.get("contact") else []),
        "   (MIA_TOKEN: mia, service_agent, team support; SAM_TOKEN: sam, their supervisor;",
        "    CONTACT_TOKEN: wang.qiang, customer_contact of 上海云帆科技, owner of PUR-DEMO-0001)",
        "   Other users: bob (sales_rep, east), carol (sales_manager, east), or anyone:",
        "   export EVE_TOKEN=$(make -s token TENANT=demo USER=eve ROLE=sales_rep TEAM=east)",
        "",
        " Try:",
        "   # create a customer (run it twice: the second answers 409 with the existing id)",
        f'   curl -s -X POST {url}/v1/customers -H "Authorization: Bearer $TOKEN" \\',
        "     -H 'Content-Type: application/json' -H \"Idempotency-Key: try-$RANDOM\" \\",
        f"     -d '{create_body}'",
        "   # a customer's 360 view",
        f'   curl -s {url}/v1/customers/{customer}/360 -H "Authorization: Bearer $TOKEN"',
        "   # alice's customers, as alice",
        f"   curl -s '{url}/v1/customers?owner=alice' -H \"Authorization: Bearer $ALICE_TOKEN\"",
        "   # customer value (scored after seeding, then nightly at 02:00 Asia/Shanghai):",
        "   # the night's model and KPIs, the high-value class, a run on demand (make job too)",
        f'   curl -s {url}/v1/value/models -H "Authorization: Bearer $TOKEN"',
        f"   curl -s '{url}/v1/value/classes/high_value/customers' -H \"Authorization: Bearer $TOKEN\"",
        f'   curl -s -X POST {url}/v1/admin/schedules/value.nightly/runs -H "Authorization: Bearer $TOKEN"',
        "",
        f" DynamoDB Local: {config.dynamodb_endpoint} (data in {config.dynamodb_dir})",
        f" moto (EventBridge, SQS, ...): {config.aws_endpoint}; every domain event (source "
        f"crm.*) on bus '{config.event_bus_name}' is copied to log group '{stack.tap_log_group}':",
        # Region and dummy credentials inline: the line works in a plain shell, no profile.
        f"   AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --region {config.region} "
        f"--endpoint-url {config.aws_endpoint} logs filter-log-events "
        f"--log-group-name {stack.tap_log_group} --query 'events[].message'",
        "   or, without the aws CLI:",
        f"   .venv/bin/python -c \"import boto3; print([e['message'] for e in boto3.client('logs', "
        f"region_name='{config.region}', endpoint_url='{config.aws_endpoint}', "
        "aws_access_key_id='local', aws_secret_access_key='local').filter_log_events("
        f"logGroupName='{stack.tap_log_group}')['events']])\"",
        f"   (the example marketing rule '{CHURN_RISK_RULE_NAME}' queues 'Churn Risk Raised' "
        f"events in {stack.churn_risk_queue_url})",
        f" Logs: {config.logs_dir}/*.log     Ctrl-C stops everything.",
        rule,
        "",
    ]
    return "\n".join(lines)


def seed_and_describe(stack: Stack) -> tuple[dict[str, str], str, str | None]:
    """Tokens, a line about the demo data, and one demo customer's id for the examples."""
    from .seed import DEMO_TENANT, Api, SeedError, mint_tokens, seed_demo
    from .seed_desk import contact_token

    tokens = mint_tokens()
    url = stack.config.api_url
    try:
        if not stack.config.seed:
            note = "Demo data: not seeded (CRM_SEED=0)."
        else:
            result = seed_demo(url, tokens)
            if result.seeded:
                note = f"Demo tenant '{DEMO_TENANT}': seeded {result.customers} customers."
            else:
                note = f"Demo tenant '{DEMO_TENANT}': existing data reused (not seeded again)."
        api = Api(url)
        try:
            _, page = api.call("GET", "/v1/customers?owner=alice&limit=1", tokens["admin"])
            contact = contact_token(api, tokens["admin"], DEMO_TENANT)
            if contact:
                tokens["contact"] = contact
        finally:
            api.close()
    except SeedError as exc:
        raise StackError(f"Seeding the demo tenant failed: {exc}") from None
    except OSError as exc:  # requests' connection errors are OSErrors
        raise StackError(f"The API did not answer while seeding: {exc}") from None
    items = (page or {}).get("items") or []
    return tokens, note, (items[0]["id"] if items else None)


def main() -> int:
    try:
        config = LocalConfig.from_env()
    except StackError as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 1
    env = config.child_env()
    # This process mints tokens and reads the table schema: same settings as the children.
    os.environ.update(env)
    stack = Stack(config, env, sys.stdout)
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    for signum in handled:
        signal.signal(signum, _on_signal)
    code = 0
    try:
        stack.start()
        tokens, note, sample_id = seed_and_describe(stack)
        stack.say(banner(stack, tokens, note, sample_id))
        stack.watch()
    except _StopRequestedError:
        code = 0
    except StackError as exc:
        print(f"\nmake run: {exc}", file=sys.stderr, flush=True)
        code = 1
    finally:
        for signum in handled:
            signal.signal(signum, signal.SIG_IGN)
        stack.stop()
    if code == 0:
        stack.say("Stopped.")
    return code


if __name__ == "__main__":
    sys.exit(main())
