"""Importing the API function loads no heavy library a route can load on first call.

Speed is measured by bench/cold_start.py; this guards the design that makes it fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[3] / "functions"
HEAVY = (
    "pynamodb",
    "pydantic",
    "phonenumbers",
    "rapidfuzz",
    "jwt",
    "ulid",
    "numpy",
    "jieba",
    "snowballstemmer",
)


def test_importing_the_app_loads_none_of_the_heavy_libraries():
    code = "import sys, app; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    env = {**os.environ, "CRM_STAGE": "prod", "PYTHONPATH": str(FUNCTIONS)}
    loaded = subprocess.run(
        [sys.executable, "-c", code],
        cwd=FUNCTIONS,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert [name for name in HEAVY if name in loaded] == []


def test_with_tracing_off_no_tracer_is_created():
    # powertools' package imports its Tracer class itself; what costs is creating one, which
    # loads the X-Ray SDK and patches botocore.
    code = "import sys, app; print('aws_xray_sdk' in sys.modules)"
    env = {
        **os.environ,
        "CRM_STAGE": "prod",
        "PYTHONPATH": str(FUNCTIONS),
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=FUNCTIONS,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == "False"


# The first GET of a customer, as bench/cold_start.py times it: a raw item in moto (which loads
# no pydantic itself), the app's Lambda handler, an API Gateway event with Cognito claims.
FIRST_GET = """
import json, sys
import boto3
from moto import mock_aws
with mock_aws():
    from chalicelib.core.table import table_schema
    client = boto3.client("dynamodb")
    client.create_table(TableName="crm", **table_schema())
    item = {
        "pk": "T#acme#C#c1", "sk": "#PROFILE", "type": "Customer", "tenant_id": "acme",
        "customer_id": "c1", "customer_type": "person", "name": "Lin Wei", "owner_id": "alice",
        "team_id": "east", "lifecycle_stage": "lead", "tier": "gold", "source": "web",
        "consent": {"sms_marketing": True}, "custom_fields": {}, "aggregates": {"rev": 1},
        "identities": [{"kind": "email", "value": "lin@example.cn"}], "version": 1,
        "created_at": "2026-01-01T08:00:00.000000+0000", "created_by": "alice",
        "updated_at": "2026-01-01T08:00:00.000000+0000",
    }
    client.put_item(TableName="crm", Item={k: boto3.dynamodb.types.TypeSerializer().serialize(v)
                                            for k, v in item.items()})
    import app
    claims = {"sub": "alice", "custom:tenant_id": "acme", "cognito:groups": "sales_rep"}
    event = {
        "resource": "/v1/customers/{customer_id}", "path": "/customers/c1", "httpMethod": "GET",
        "headers": {}, "multiValueHeaders": {}, "queryStringParameters": None,
        "multiValueQueryStringParameters": None, "pathParameters": {"customer_id": "c1"},
        "stageVariables": None, "body": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": "/v1/customers/{customer_id}", "httpMethod": "GET",
                           "path": "/v1/customers/c1", "requestId": "r", "authorizer": {"claims": claims}},
    }
    response = app.app(event, None)
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"])["consent"]["sms_marketing"] is True
    assert "chalicelib.customers.profile_view" in sys.modules
    print(" ".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_answering_get_a_customer_loads_no_pydantic_nor_other_heavy_library():
    # What the cold-start budget measures is this first response, not only the import: the GET
    # route is answered from the stored profile (customers/profile_view.py), with no models.
    env = {
        **os.environ,
        "CRM_STAGE": "prod",
        "CRM_TABLE_NAME": "crm",
        "PYTHONPATH": str(FUNCTIONS),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    env.pop("CRM_DYNAMODB_ENDPOINT", None)
    out = subprocess.run(
        [sys.executable, "-c", FIRST_GET],
        cwd=FUNCTIONS,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = out.stdout.split()
    # pynamodb is the store's (one GetItem); the rest would be paid by every cold start.
    assert [name for name in HEAVY if name != "pynamodb" and name in loaded] == []
