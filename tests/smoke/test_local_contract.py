"""`make run`'s stack under a newcomer's and a tester's hands: the README's own examples in
order (first, on the fresh demo tenant), a burst of writes, and schemathesis with every check.

One stack serves the module (started as tests/smoke/test_make_run.py starts it); every wait
and every request is bounded, and the stack is killed whatever happens.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from infra.local.config import REPO_ROOT, free_port
from tests.smoke.test_make_run import READY_TIMEOUT, Stack

pytestmark = [pytest.mark.smoke]

WRITERS = 100
SCHEMATHESIS_CONFIG = REPO_ROOT / "tests" / "smoke" / "schemathesis.toml"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "AWS_"))}
    env.update(
        {
            "CRM_LOCAL_DIR": str(tmp_path_factory.mktemp("stack") / "local"),
            "CRM_API_PORT": str(free_port()),
            "CRM_DYNAMODB_PORT": str(free_port()),
            "CRM_MOTO_PORT": str(free_port()),
            "CRM_API_AUTORELOAD": "0",
            "CRM_STARTUP_TIMEOUT": str(int(READY_TIMEOUT)),
            "PYTHONUNBUFFERED": "1",
        }
    )
    running = Stack(env)
    try:
        tokens = running.wait_ready()
        yield f"http://127.0.0.1:{env['CRM_API_PORT']}", tokens
    finally:
        running.kill()


def readme_examples(readme: Path = REPO_ROOT / "README.md") -> list[str]:
    """The README's shell examples that call the API ($API), in the order a reader meets them."""
    blocks = re.findall(r"```bash\n(.*?)```", readme.read_text(encoding="utf-8"), flags=re.S)
    return [block for block in blocks if "$API" in block]


def test_given_the_readme_when_its_examples_run_in_order_then_none_answers_an_error(stack):
    url, _ = stack
    examples = readme_examples()
    assert len(examples) >= 2
    # Every curl fails the script on an HTTP error (it still prints the body), and the script
    # stops at the first failing command: an example that answers 4xx/5xx fails the test.
    script = "\n".join(
        [
            "set -euo pipefail",
            'curl() { command curl --fail-with-body --max-time 20 "$@"; }',
            *examples,
        ]
    )
    env = {**os.environ, "API": url, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"


def _create(url: str, token: str, n: int) -> int | str:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
    try:
        response = requests.post(
            f"{url}/v1/customers", json={"name": f"Burst {n}"}, headers=headers, timeout=30
        )
    except requests.RequestException as exc:  # a reset or a hang shows up here
        return type(exc).__name__
    return response.status_code


def test_given_make_run_when_100_writers_post_at_once_then_every_one_is_answered(stack):
    url, tokens = stack
    with concurrent.futures.ThreadPoolExecutor(max_workers=WRITERS) as pool:
        answers = list(pool.map(lambda n: _create(url, tokens["TOKEN"], n), range(WRITERS)))
    assert answers == [201] * WRITERS, sorted(set(map(str, answers)))


def test_given_make_run_when_schemathesis_runs_every_check_then_nothing_fails(stack, tmp_path):
    url, tokens = stack
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "st"),
            "--config-file",
            str(SCHEMATHESIS_CONFIG),
            "--no-color",
            "run",
            f"{url}/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {tokens['TOKEN']}",
            "--report-dir",
            str(tmp_path),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=420,
        check=False,
    )
    # What went wrong: the FAILURES or ERRORS section (a request timing out is an error).
    starts = [result.stdout.find(h) for h in ("ERRORS", "FAILURES") if h in result.stdout]
    shown = result.stdout[min(starts) : min(starts) + 8000] if starts else result.stdout[-8000:]
    assert result.returncode == 0, shown + result.stderr[-2000:]
