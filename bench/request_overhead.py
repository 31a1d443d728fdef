"""App time per API request outside DynamoDB: GET customer and GET 360, p50 and p99.

Requests go through the real Lambda entry point (`app.app(event, context)`) with API Gateway
proxy events carrying Cognito claims, as in AWS. DynamoDB is moto in-process; the time spent
inside pynamodb's API calls is subtracted, so what remains is ours (routing, auth, validation,
mapping, JSON). The baseline, measured in the same run, is a bare Chalice route returning {}
through the same entry point: the ratio says what the app adds over the framework.
Budget (DESIGN §7): p50 under 2 ms for a read.

    python bench/request_overhead.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "CRM_STAGE": "prod",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)
BUDGET_MS = 2.0
CLAIMS = {
    "sub": "alice",
    "custom:tenant_id": "bench",
    "cognito:groups": "sales_rep",
    "custom:team_id": "east",
}


class Context:
    function_name = "crm-api"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:crm-api"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def event(method: str, resource: str, path: str, params: dict[str, str]) -> dict[str, Any]:
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {"Accept": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/v1{path}",
            "requestId": "bench",
            "authorizer": {"claims": CLAIMS},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(handler: Any, evt: dict[str, Any], n: int, ddb_time: list[float]) -> list[float]:
    samples = []
    context = Context()
    for _ in range(n):
        ddb_time[0] = 0.0
        start = time.perf_counter()
        response = handler(evt, context)
        total = time.perf_counter() - start
        assert response["statusCode"] == 200, response
        samples.append((total - ddb_time[0]) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    import boto3
    from chalice.app import Chalice
    from moto import mock_aws
    from pynamodb.connection.base import Connection

    with mock_aws():
        from chalicelib.core.settings import get_settings
        from chalicelib.core.table import table_schema

        boto3.client("dynamodb").create_table(TableName=get_settings().table_name, **table_schema())
        import app as api
        from chalicelib.core.auth import Principal, Role
        from chalicelib.customers import children_service, service
        from chalicelib.customers.models import CustomerCreate, InteractionCreate

        alice = Principal("bench", "alice", frozenset({Role.SALES_REP}), "east")
        customer = service.create_customer(
            alice,
            CustomerCreate.model_validate(
                {
                    "name": "张伟",
                    "tier": "gold",
                    "identities": [{"kind": "email", "value": "w@x.cn"}],
                }
            ),
        )
        for n in range(20):
            children_service.add_interaction(
                alice,
                customer.id,
                InteractionCreate.model_validate(
                    {
                        "kind": "call",
                        "channel": "phone",
                        "direction": "outbound",
                        "text": f"call {n}",
                    }
                ),
            )

        ddb_time = [0.0]
        original = Connection._make_api_call

        def timed(self: Any, operation: str, kwargs: dict[str, Any]) -> Any:
            start = time.perf_counter()
            try:
                return original(self, operation, kwargs)
            finally:
                ddb_time[0] += time.perf_counter() - start

        Connection._make_api_call = timed  # type: ignore[method-assign,assignment]

        bare = Chalice(app_name="baseline", configure_logs=False)

        @bare.route("/v1/customers/{customer_id}")
        def baseline(customer_id: str) -> dict[str, Any]:
            return {}

        item = "/v1/customers/{customer_id}"
        cases = {
            "baseline (bare Chalice route)": (
                bare,
                event("GET", item, f"/customers/{customer.id}", {"customer_id": customer.id}),
            ),
            "GET customer": (
                api.app,
                event("GET", item, f"/customers/{customer.id}", {"customer_id": customer.id}),
            ),
            "GET 360 (21 items)": (
                api.app,
                event(
                    "GET",
                    item + "/360",
                    f"/customers/{customer.id}/360",
                    {"customer_id": customer.id},
                ),
            ),
        }
        for handler, evt in cases.values():
            measure(handler, evt, 50, ddb_time)  # warm-up: first-call imports, validators
        results = {name: measure(h, e, args.requests, ddb_time) for name, (h, e) in cases.items()}
    base = statistics.median(results["baseline (bare Chalice route)"])
    for name, samples in results.items():
        p50, p99 = statistics.median(samples), percentile(samples, 0.99)
        verdict = (
            ""
            if name.startswith("baseline")
            else f"  budget p50 < {BUDGET_MS} ms: {'OK' if p50 < BUDGET_MS else 'OVER'}"
        )
        print(
            f"{name:32s} p50 {p50:6.3f} ms  p99 {p99:6.3f} ms  ratio {p50 / base:5.1f}x baseline{verdict}"
        )
    return None


if __name__ == "__main__":
    main()
