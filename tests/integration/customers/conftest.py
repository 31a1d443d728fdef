from __future__ import annotations

from typing import Any

import pytest

ALICE = ("alice", "sales_rep")
BOB = ("bob", "sales_rep")
CAROL = ("carol", "sales_manager")
DAVE = ("dave", "finance")
VIEWER = ("vic", "viewer")


@pytest.fixture
def alices_customer(api: Any) -> dict[str, Any]:
    """A customer owned by alice (sales rep, team east) with a phone and an email."""
    body = {
        "name": "张伟",
        "tier": "gold",
        "lifecycle_stage": "customer",
        "identities": [
            {"kind": "phone", "value": "13800138000"},
            {"kind": "email", "value": "Wei.Zhang@Example.com"},
        ],
    }
    response = api.post("/v1/customers", body, as_=ALICE, team="east")
    assert response.status_code == 201, response.json
    return dict(response.json)
