"""The demo tenant's sales, seeded through the API after its customers (`seed.seed_demo`).

On those customers, so no customer is added: alice's deal with 张伟 in `qualified`; her deal
with 李娜 whose last follow-up was logged 9 days ago, so its 7-day stale timer is due at once
and the timer runner escalates it to carol within seconds (a task and `Opportunity Stale`);
bob's deal with 上海云帆科技 through legal's gate to `won`, whose contract draft the stream
writes and whose approval waits in lena's queue (its reminder timer armed); and a lead from
Emily Chen's web form (linked to her by e-mail) nobody has contacted yet (its 24-hour
first-contact timer armed).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from .seed import Api, SeedError


def _customer_id(api: Api, token: str, owner: str, name: str) -> str:
    _, page = api.call("GET", f"/v1/customers?owner={owner}&limit=100", token)
    return str(next(c["id"] for c in page["items"] if c["name"] == name))


def _deal(api: Api, token: str, body: dict[str, Any]) -> str:
    _, deal = api.call("POST", "/v1/opportunities", token, body, idempotent=True)
    return str(deal["id"])


def _move(api: Api, token: str, deal: str, *stages: str) -> None:
    for stage in stages:
        api.call("POST", f"/v1/opportunities/{deal}/moves", token, {"to": stage})


def _wait_for(read: Any, what: str, timeout: float = 30.0) -> Any:
    """What `read` finds once the stream has done its part (bounded: SeedError after timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        found = read()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise SeedError(f"{what}: not there after {timeout:.0f} s")
        time.sleep(0.5)


def seed_sales(api: Api, tokens: dict[str, str]) -> None:
    """Deals, a lead and a contract on the seeded customers (see the module docstring)."""
    alice, bob, lena = tokens["alice"], tokens["bob"], tokens["lena"]
    admin = tokens["admin"]
    zhang = _customer_id(api, admin, "alice", "张伟")
    li = _customer_id(api, admin, "alice", "李娜")
    yunfan = _customer_id(api, admin, "bob", "上海云帆科技有限公司")
    qualified = _deal(
        api, alice, {"customer_id": zhang, "title": "门店收银系统升级", "amount": 60000}
    )
    _move(api, alice, qualified, "qualified")
    aging = _deal(api, alice, {"customer_id": li, "title": "会员小程序", "amount": 45000})
    late = (datetime.now(UTC) - timedelta(days=9)).isoformat()
    api.call(
        "POST",
        f"/v1/opportunities/{aging}/follow-ups",
        alice,
        {"note": "电话沟通需求，之后没有再跟进", "at": late},
        idempotent=True,
    )
    close = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    won = _deal(
        api,
        bob,
        {
            "customer_id": yunfan,
            "title": "云帆 CRM 年度订阅",
            "amount": 90000,
            "currency": "CNY",
            "expected_close": close,
            "products": [{"sku": "crm-pro", "quantity": 30, "unit_price": 3000}],
            "stakeholders": [{"name": "周总", "role": "decision_maker"}],
        },
    )
    _move(api, bob, won, "qualified", "needs_confirmed", "proposal", "negotiation")
    _, gate = api.call("POST", f"/v1/opportunities/{won}/approvals", bob, {"stage": "contract"})
    decision = {"decision": "approve", "comment": "标准条款"}
    api.call("POST", f"/v1/approvals/{gate['approval_id']}/decisions", lena, decision)
    _move(api, bob, won, "contract", "won")

    def contract() -> str:
        _, view = api.call("GET", f"/v1/customers/{yunfan}/360", bob)
        return str((view.get("contracts") or [{}])[0].get("id", ""))

    drafted = _wait_for(contract, "the won deal's contract draft")
    year = datetime.now(UTC).year
    term = {"term_start": f"{year + 1}-01-01", "term_end": f"{year + 1}-12-31"}
    api.call("PATCH", f"/v1/contracts/{drafted}", bob, term)
    api.call("POST", f"/v1/contracts/{drafted}/approval", bob)
    lead = {
        "name": "Emily Chen",
        "channel": "web_form",
        "identities": [{"kind": "email", "value": "emily.chen@example.com"}],
        "need": "critical",
        "interest": "A second store next spring",
    }
    api.call("POST", "/v1/leads", bob, lead, idempotent=True)
