"""`make run` end to end: start the stack as a developer would, call it over HTTP, stop it.

The stack runs on free ports with its data in a temporary folder, twice on the same data: the
first start seeds the demo tenant, the second reuses it. Every wait is bounded, and a finalizer
kills whatever is left (the stack's whole process tree), whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.config import REPO_ROOT, free_port, port_is_free
from infra.local.run import READY_LINE
from infra.local.seed import SHOPPERS

pytestmark = [pytest.mark.smoke]

# The first start seeds 126 customers with ~500 children through the API: a bound, not a speed.
READY_TIMEOUT = 180.0
STOP_TIMEOUT = 30.0
HTTP_TIMEOUT = 15.0
EVE_ARGS = ["--tenant=demo", "--user=eve", "--role=sales_rep", "--team=east"]
CAROL_ARGS = ["--tenant=demo", "--user=carol", "--role=sales_manager", "--team=east"]


def _proc_children() -> dict[int, list[int]]:
    """ppid -> pids of every process, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def descendants(pid: int) -> set[int]:
    if not Path("/proc").is_dir():
        return set()
    tree, found, todo = _proc_children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """True while pid runs (a zombie waiting for its parent counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


class Stack:
    """`python -m infra.local.run` in a subprocess, its output collected by a thread."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "infra.local.run"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
        self._known: set[int] = set()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            if READY_LINE in line:
                self.ready.set()
        self.ready.set()  # the process ended: stop waiting

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> dict[str, str]:
        """Wait for the banner (its end); the tokens it prints, by variable name."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"make run exited with {self.proc.returncode}:\n{self.output}")
            # The banner is written at once; its last line is the closing rule.
            if self.ready.is_set() and "Ctrl-C stops everything." in self.output:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"no banner within {timeout:.0f}s:\n{self.output}")
        self._known |= descendants(self.proc.pid)
        return dict(re.findall(r"export (\w*TOKEN)=(\S+)", self.output))

    def children(self) -> set[int]:
        self._known |= descendants(self.proc.pid)
        return set(self._known)

    def stop(self, sig: int, timeout: float = STOP_TIMEOUT) -> int:
        pids = self.children()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"make run ignored {signal.Signals(sig).name} for {timeout:.0f}s")
        self._reader.join(timeout=5)
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = sorted(pid for pid in pids if alive(pid))
        assert not left, f"processes left behind: {left}\n{self.output}"
        return code

    def kill(self) -> None:
        """Finalizer: SIGKILL the stack and every process it started."""
        pids = self.children() if self.proc.poll() is None else set(self._known)
        for pid in [self.proc.pid, *pids]:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                continue
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)


@pytest.fixture
def start_stack(tmp_path: Path) -> Iterator[Callable[[], Stack]]:
    """Start `make run` on free ports with its data in tmp_path (same settings every call)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "AWS_"))}
    env.update(
        {
            "CRM_LOCAL_DIR": str(tmp_path / "local"),
            "CRM_API_PORT": str(free_port()),
            "CRM_DYNAMODB_PORT": str(free_port()),
            "CRM_MOTO_PORT": str(free_port()),
            # Other people's edits under functions/ must not restart the API mid-test.
            "CRM_API_AUTORELOAD": "0",
            "CRM_STARTUP_TIMEOUT": str(int(READY_TIMEOUT)),
            "PYTHONUNBUFFERED": "1",
        }
    )
    stacks: list[Stack] = []

    def start() -> Stack:
        stack = Stack(env)
        stacks.append(stack)
        return stack

    yield start
    for stack in stacks:
        stack.kill()


class Client:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> requests.Response:
        return requests.get(self.base_url + path, headers=self.headers, timeout=HTTP_TIMEOUT)

    def post(self, path: str, body: Any, key: str | None = None) -> requests.Response:
        headers = dict(self.headers)
        if key:
            headers["Idempotency-Key"] = key
        return requests.post(self.base_url + path, json=body, headers=headers, timeout=HTTP_TIMEOUT)


def _customers_of(client: Client, owner: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/customers?owner={owner}&limit=100")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _ports(env: dict[str, str]) -> list[int]:
    return [int(env[name]) for name in ("CRM_API_PORT", "CRM_DYNAMODB_PORT", "CRM_MOTO_PORT")]


def _wait_for_value_model(admin: Client, timeout: float = 120.0) -> dict[str, Any]:
    """The night's value model once the seeded run finished (bounded wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = admin.get("/v1/jobs").json()["items"]
        if any(j["kind"] == "value.nightly" and j["status"] == "done" for j in jobs):
            return dict(admin.get("/v1/value/models").json()["items"][0])
        time.sleep(1.0)
    pytest.fail(f"no value model within {timeout:.0f}s: {admin.get('/v1/jobs').text}")


def _mint(env: dict[str, str], args: list[str]) -> str:
    minted = subprocess.run(
        [sys.executable, "-m", "infra.local.token", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return minted.stdout.strip()


def _wait_for_stale_task(manager: Client, timeout: float = 60.0) -> dict[str, Any]:
    """The seed's aging deal, escalated by the timer runner: its manager's task (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tasks = manager.get("/v1/tasks").json()["items"]
        stale = [t for t in tasks if t["kind"] == "sales.opportunity_stale"]
        if stale:
            return dict(stale[0])
        time.sleep(1.0)
    pytest.fail(f"no stale-deal task within {timeout:.0f}s: {manager.get('/v1/tasks').text}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process checks read /proc")
def test_make_run_serves_seeds_once_and_stops_cleanly(start_stack: Callable[[], Stack]) -> None:
    # First start: cold, seeds the demo tenant.
    first = start_stack()
    tokens = first.wait_ready()
    assert {"TOKEN", "ALICE_TOKEN", "DAVE_TOKEN"} <= tokens.keys(), first.output
    assert f"seeded {6 + SHOPPERS} customers" in first.output
    url = f"http://127.0.0.1:{first.env['CRM_API_PORT']}"
    admin, alice = Client(url, tokens["TOKEN"]), Client(url, tokens["ALICE_TOKEN"])

    seeded = {owner: _customers_of(admin, owner) for owner in ("alice", "bob", "carol")}
    assert {c["name"] for c in seeded["alice"]} >= {"张伟", "李娜"}
    assert any(c["type"] == "company" for c in seeded["bob"])
    assert sum(len(items) for items in seeded.values()) == 6 + SHOPPERS

    created = admin.post(
        "/v1/customers",
        {
            "type": "person",
            "name": "Smoke Test 烟雾",
            "owner_id": "alice",
            "team_id": "east",
            "lifecycle_stage": "lead",
            "tier": "standard",
            "source": "web",
            "identities": [
                {"kind": "phone", "value": "13700137000"},
                {"kind": "email", "value": "Smoke@Example.com"},
            ],
        },
        key=str(uuid.uuid4()),
    )
    assert created.status_code == 201, created.text
    customer_id = created.json()["id"]

    view = alice.get(f"/v1/customers/{customer_id}/360")
    assert view.status_code == 200, view.text
    assert view.json()["profile"]["name"] == "Smoke Test 烟雾"
    identities = {i["value"] for i in view.json()["identities"]}
    assert identities >= {"+8613700137000", "smoke@example.com"}

    # Finance reads every customer, but never what was said.
    dave = Client(url, tokens["DAVE_TOKEN"])
    zhang = next(c["id"] for c in seeded["alice"] if c["name"] == "张伟")
    story = dave.get(f"/v1/customers/{zhang}/360")
    assert story.status_code == 200, story.text
    assert story.json()["interactions"], story.text
    assert not any(i.get("text") for i in story.json()["interactions"])

    # The shop was scored right after seeding: a fitted model, its figures, the tiers' customers.
    model = _wait_for_value_model(admin)
    assert model["status"] == "ok", model
    assert model["kpis"]["customers"] >= 100
    gold = admin.get("/v1/value/tiers/gold/customers?limit=100").json()["items"]
    assert len(gold) == model["kpis"]["tiers"]["gold"] > 0

    # The seed's aging deal (last follow-up 9 days ago) escalated on the timer runner.
    carol = Client(url, _mint(first.env, CAROL_ARGS))
    stale = _wait_for_stale_task(carol)
    assert "会员小程序" in stale["title"], stale
    deal = alice.get(stale["link"]).json()
    assert deal["stale_since"], deal

    # The service desk: team support's queues under sam, and the seed's fault ticket taken by
    # the stream's assignment; the banner names the desk's tokens.
    assert {"MIA_TOKEN", "SAM_TOKEN", "CONTACT_TOKEN"} <= tokens.keys(), first.output
    mia = Client(url, tokens["MIA_TOKEN"])
    queues = {q["name"]: q for q in mia.get("/v1/desk/queues").json()["items"]}
    assert {"general", "technical", "care"} <= queues.keys(), queues
    assert {q["supervisor_id"] for q in queues.values()} == {"sam"}
    technical = mia.get("/v1/tickets?queue=technical").json()["items"]
    assert any(t["assignee_id"] for t in technical), technical

    bobs = seeded["bob"][0]["id"]
    assert alice.get(f"/v1/customers/{bobs}").status_code == 404
    assert alice.get(f"/v1/customers/{bobs}/360").status_code == 404

    assert first.stop(signal.SIGINT) == 0, first.output
    assert "Stopped." in first.output
    assert all(port_is_free("127.0.0.1", port) for port in _ports(first.env))

    # Second start on the same data: nothing is seeded again and nothing was lost.
    second = start_stack()
    tokens = second.wait_ready()
    assert "not seeded again" in second.output, second.output
    admin = Client(url, tokens["TOKEN"])
    assert len(_customers_of(admin, "alice")) == len(seeded["alice"]) + 1
    assert admin.get(f"/v1/customers/{customer_id}").status_code == 200

    # `make token` mints a token the stack accepts.
    eve_token = _mint(second.env, EVE_ARGS)
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", eve_token), eve_token
    eve = Client(url, eve_token)
    assert eve.get("/v1/customers").json()["items"] == []
    assert eve.get(f"/v1/customers/{customer_id}").status_code == 404

    assert second.stop(signal.SIGTERM) == 0, second.output
    assert all(port_is_free("127.0.0.1", port) for port in _ports(second.env))
