"""Cold start of the API function: process start to the first response of GET a customer.

What ships is what runs: the deployment package `chalice package` builds (as the stack does,
unzipped as /var/task would be) on the runtime layer's zip (unzipped as /opt/python would be),
read-only (no bytecode written), against DynamoDB Local holding the customer. The API sample is
a fresh interpreter that imports app.py and hands `app.app` an API Gateway proxy event with
Cognito claims, as Lambda's runtime would; it ends when the 200 response is in hand.

The floor, from the same layer and against the same item, is what any Python Lambda of ours
would pay: `boto3`, a powertools Logger, a DynamoDB client and one GetItem. The two are
measured alternately, the ratio taken pair by pair, the median reported.
Budget (DESIGN §7): median ratio <= 1.3.

    python bench/cold_start.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # infra/ and bench/; appended so the CDK app.py shadows nothing

from bench._engines import TABLE, dynamodb_local, local_config  # noqa: E402

BUDGET = 1.3
LAYER_ZIP = ROOT / "build" / "layers" / "runtime.zip"
CLAIMS = {
    "sub": "alice",
    "custom:tenant_id": "bench",
    "cognito:groups": "sales_rep",
    "custom:team_id": "east",
}

# Each sample prints, last, the clock reading when it had its answer (perf_counter is the
# system's monotonic clock: comparable with the parent's reading before it started the process).
FLOOR = """
import time
import boto3
from aws_lambda_powertools import Logger
Logger(service="crm")
client = boto3.client("dynamodb")
item = client.get_item(TableName={table!r}, Key={key!r})
assert "Item" in item
print(time.perf_counter())
"""

API = """
import time
import app
imported = time.perf_counter()

class Context:
    function_name = "crm-api"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:crm-api"
    aws_request_id = "cold-start"

    def get_remaining_time_in_millis(self):
        return 30000

response = app.app({event!r}, Context())
assert response["statusCode"] == 200, response
print(imported)
print(time.perf_counter())
"""


def api_event(customer_id: str) -> dict[str, Any]:
    resource = "/v1/customers/{customer_id}"
    return {
        "resource": resource,
        "path": f"/customers/{customer_id}",
        "httpMethod": "GET",
        "headers": {"Accept": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"customer_id": customer_id},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": "GET",
            "path": f"/v1/customers/{customer_id}",
            "requestId": "cold-start",
            "authorizer": {"claims": CLAIMS},
        },
        "body": None,
        "isBase64Encoded": False,
    }


SEED = """
from chalicelib.core.auth import Principal, Role
from chalicelib.customers import service
from chalicelib.customers.models import CustomerCreate

alice = Principal("bench", "alice", frozenset({Role.SALES_REP}), "east")
body = {
    "name": "张伟",
    "tier": "gold",
    "identities": [
        {"kind": "email", "value": "zhang.wei@example.cn"},
        {"kind": "phone", "value": "13800138000"},
    ],
}
print(service.create_customer(alice, CustomerCreate.model_validate(body)).id)
"""


def create_customer(endpoint: str) -> str:
    """A customer created the way the API creates one (its service: the real item); its id."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "functions"),
        "CRM_STAGE": "test",
        "CRM_DYNAMODB_ENDPOINT": endpoint,
        "CRM_TABLE_NAME": TABLE,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    out = subprocess.run(
        [sys.executable, "-c", SEED], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split()[-1]


def unpack_shipped(target: Path) -> tuple[Path, Path]:
    """The deployment package and the runtime layer, unzipped: (task root, layer's python/)."""
    from bench.package_size import package

    if not LAYER_ZIP.is_file():
        raise SystemExit(f"{LAYER_ZIP} is missing: run `make layers` first.")
    task, opt = target / "task", target / "opt"
    with zipfile.ZipFile(package(target / "package")) as zf:
        zf.extractall(task)
    with zipfile.ZipFile(LAYER_ZIP) as zf:
        zf.extractall(opt)
    return task, opt / "python"


def sample(code: str, env: dict[str, str], cwd: Path) -> tuple[list[float], float]:
    """Seconds from starting the interpreter to each clock reading the sample printed, and the
    CPU seconds (user + system) the whole process used (less sensitive to a busy machine)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        # -S: no site-packages of this machine; the path is Lambda's, /var/task then /opt/python.
        [sys.executable, "-S", "-c", code],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)  # waited here, so its rusage is its own
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"sample failed:\n{out[-3000:]}")
    readings = [float(line) for line in out.split() if line.replace(".", "").isdigit()]
    return [reading - started for reading in readings], usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="crm-cold-start-") as tmp,
        local_config() as config,
        dynamodb_local(config) as endpoint,
    ):
        task, layer = unpack_shipped(Path(tmp))
        customer_id = create_customer(endpoint)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "LANG": "C.UTF-8",
            "PYTHONPATH": os.pathsep.join([str(task), str(layer)]),
            # /var/task and /opt are read-only in Lambda: nothing compiled at run time is kept.
            "PYTHONDONTWRITEBYTECODE": "1",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,  # the floor's client
            "CRM_DYNAMODB_ENDPOINT": endpoint,  # the app's
            "CRM_TABLE_NAME": TABLE,
            # The prod stage's environment (functions/.chalice/config.json): metrics on.
            "CRM_STAGE": "prod",
            "POWERTOOLS_SERVICE_NAME": "crm",
            "POWERTOOLS_METRICS_NAMESPACE": "CRM",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
        key = {"pk": {"S": f"T#bench#C#{customer_id}"}, "sk": {"S": "#PROFILE"}}
        floor_code = FLOOR.format(table=TABLE, key=key)
        api_code = API.format(event=api_event(customer_id))
        sample(floor_code, env, task)  # warm-up: the page cache, DynamoDB Local's JIT
        sample(api_code, env, task)
        floors, apis, imports, ratios, cpu_ratios = [], [], [], [], []
        for _ in range(args.runs):
            (floor,), floor_cpu = sample(floor_code, env, task)
            (imported, api), api_cpu = sample(api_code, env, task)
            floors.append(floor)
            apis.append(api)
            imports.append(imported)
            ratios.append(api / floor)
            cpu_ratios.append(api_cpu / floor_cpu)
    ratio = statistics.median(ratios)
    api_ms, import_ms = statistics.median(apis) * 1000, statistics.median(imports) * 1000
    print(
        f"cold start (process start -> first response, shipped package + runtime layer, "
        f"DynamoDB Local): floor {statistics.median(floors) * 1000:.0f} ms, api {api_ms:.0f} ms "
        f"(import app {import_ms:.0f} ms, first GET customer {api_ms - import_ms:.0f} ms)"
    )
    print(
        f"  ratio {ratio:.2f}x (median of {args.runs} pairs, min {min(ratios):.2f}, "
        f"max {max(ratios):.2f}; budget <= {BUDGET}x) {'OK' if ratio <= BUDGET else 'OVER'}"
    )
    print(
        f"  cross-check, CPU time of the whole process (exit included): "
        f"ratio {statistics.median(cpu_ratios):.2f}x"
    )
    print("  floor: boto3 + powertools Logger + DynamoDB client + one GetItem of the same item")
    print(f"  command: python bench/cold_start.py --runs {args.runs}")


if __name__ == "__main__":
    main()
