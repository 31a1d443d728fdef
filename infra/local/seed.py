"""The demo tenant of `make run`, created once through the HTTP API (so seeding runs real code).

Users (dev tokens minted here; the API has no user directory):

| user  | role          | team |
|-------|---------------|------|
| admin | admin         |      |
| alice | sales_rep     | east |
| bob   | sales_rep     | east |
| carol | sales_manager | east |
| dave  | finance       |      |

Seeding happens only when the tenant has no customer in any lifecycle stage; every creating POST
carries an Idempotency-Key derived from its body, so a retried seed replays instead of doubling.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

DEMO_TENANT = "demo"
DEMO_TEAM = "east"
LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "qualified",
    "opportunity",
    "customer",
    "advocate",
    "churned",
)


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    roles: tuple[str, ...]
    team_id: str | None = None

    @property
    def label(self) -> str:
        team = f", team {self.team_id}" if self.team_id else ""
        return f"{self.user_id} ({', '.join(self.roles)}{team})"


DEMO_USERS = {
    user.user_id: user
    for user in (
        DemoUser("admin", ("admin",)),
        DemoUser("alice", ("sales_rep",), DEMO_TEAM),
        DemoUser("bob", ("sales_rep",), DEMO_TEAM),
        DemoUser("carol", ("sales_manager",), DEMO_TEAM),
        DemoUser("dave", ("finance",)),
    )
}


def mint_tokens(tenant_id: str = DEMO_TENANT) -> dict[str, str]:
    """A dev token for every demo user (signed with this process's CRM_DEV_TOKEN_SECRET)."""
    from .config import ensure_functions_on_path

    ensure_functions_on_path()
    from chalicelib.core.auth import mint_dev_token

    return {
        user.user_id: mint_dev_token(tenant_id, user.user_id, list(user.roles), user.team_id)
        for user in DEMO_USERS.values()
    }


class SeedError(Exception):
    """The API refused a seed request (the message names the request and the answer)."""


class Api:
    """A tiny client of the CRM API: JSON in, JSON out, bounded timeouts."""

    def __init__(self, base_url: str, timeout: float = 15.0, retry_for: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry_for = retry_for
        self.session = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        token: str,
        body: Any = None,
        *,
        idempotent: bool = False,
        expect: tuple[int, ...] = (200, 201),
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
            headers["Content-Type"] = "application/json"
            if idempotent:
                digest = hashlib.sha256(method.encode() + path.encode() + data).hexdigest()
                headers["Idempotency-Key"] = f"seed-{digest[:32]}"
        response = self._send(method, path, data, headers)
        try:
            payload = response.json() if response.content else None
        except ValueError:
            payload = response.text
        if response.status_code not in expect:
            raise SeedError(f"{method} {path} answered {response.status_code}: {payload}")
        return response.status_code, payload

    def _send(
        self, method: str, path: str, data: bytes | None, headers: dict[str, str]
    ) -> requests.Response:
        """One request, retried while the API restarts (chalice's autoreload): every seed
        request is safe to repeat (reads, PUT, or POST with an Idempotency-Key)."""
        deadline = time.monotonic() + self.retry_for
        while True:
            try:
                return self.session.request(
                    method, self.base_url + path, data=data, headers=headers, timeout=self.timeout
                )
            except requests.ConnectionError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.3)

    def close(self) -> None:
        self.session.close()


def tenant_has_customers(api: Api, admin_token: str) -> bool:
    """Whether any customer exists: one page of one item per lifecycle stage (no Scan)."""
    for stage in LIFECYCLE_STAGES:
        _, page = api.call("GET", f"/v1/customers?stage={stage}&limit=1", admin_token)
        if page and page.get("items"):
            return True
    return False


def _at(days_ago: float, hour: int = 10) -> str:
    """A moment `days_ago` days before today at `hour` China time (stable within a day)."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    moment = today - timedelta(days=days_ago) + timedelta(hours=hour - 8)
    return moment.isoformat()


def _tenant_settings() -> dict[str, Any]:
    return {
        "default_phone_region": "CN",
        "custom_fields": [
            {
                "name": "industry",
                "type": "enum",
                "label": "行业 Industry",
                "options": ["retail", "manufacturing", "software", "finance", "education"],
            },
            {"name": "birthday", "type": "date", "label": "生日 Birthday"},
            {"name": "preferred_store", "type": "string", "label": "常去门店 Preferred store"},
            {"name": "annual_budget", "type": "number", "label": "年度预算 Annual budget (CNY)"},
        ],
    }


def _customers() -> list[dict[str, Any]]:
    """The demo customers: profile, then the children each owner logs themselves."""
    return [
        {
            "profile": {
                "type": "person",
                "name": "张伟",
                "owner_id": "alice",
                "team_id": DEMO_TEAM,
                "lifecycle_stage": "customer",
                "tier": "gold",
                "source": "wechat",
                "consent": {"wechat_marketing": True, "sms_marketing": True},
                "custom_fields": {"birthday": "1988-05-12", "preferred_store": "上海南京西路店"},
                "identities": [
                    {"kind": "phone", "value": "13800138000"},
                    {"kind": "email", "value": "Zhang.Wei@Example.cn"},
                    {"kind": "wechat_openid", "value": "oDemo-zhangwei-0001"},
                ],
            },
            "interactions": [
                {
                    "kind": "chat",
                    "channel": "wechat",
                    "direction": "inbound",
                    "text": "你好，请问金卡会员下个月有什么专属优惠？",
                    "occurred_at": _at(6, 20),
                },
                {
                    "kind": "call",
                    "channel": "phone",
                    "direction": "outbound",
                    "subject": "回访",
                    "text": "回访：确认新品需求，客户希望下周六到店体验。",
                    "occurred_at": _at(2, 15),
                },
            ],
            "orders": [
                {
                    "order_no": "SO-2026-000101",
                    "amount": "1299.00",
                    "currency": "CNY",
                    "status": "fulfilled",
                    "items": [
                        {
                            "sku": "JK-001",
                            "name": "羊毛夹克",
                            "quantity": 1,
                            "unit_price": "1299.00",
                        }
                    ],
                    "occurred_at": _at(40, 14),
                },
                {
                    "order_no": "SO-2026-000187",
                    "amount": "398.00",
                    "currency": "CNY",
                    "status": "paid",
                    "items": [
                        {"sku": "TS-014", "name": "纯棉T恤", "quantity": 2, "unit_price": "199.00"}
                    ],
                    "occurred_at": _at(5, 11),
                },
            ],
        },
        {
            "profile": {
                "type": "person",
                "name": "李娜",
                "owner_id": "alice",
                "team_id": DEMO_TEAM,
                "lifecycle_stage": "qualified",
                "tier": "silver",
                "source": "store",
                "consent": {"sms_marketing": True},
                "identities": [
                    {"kind": "phone", "value": "139 1234 5678"},
                    {"kind": "email", "value": "li.na@example.cn"},
                ],
            },
            "interactions": [
                {
                    "kind": "visit",
                    "channel": "store",
                    "direction": "inbound",
                    "text": "到店试穿，对会员积分兑换很感兴趣，留了手机号。",
                    "occurred_at": _at(3, 16),
                }
            ],
            "orders": [],
        },
        {
            "profile": {
                "type": "person",
                "name": "王芳",
                "owner_id": "alice",
                "team_id": DEMO_TEAM,
                "lifecycle_stage": "churned",
                "tier": "standard",
                "source": "phone",
                "identities": [{"kind": "phone", "value": "+86 150 0000 2222"}],
            },
            "interactions": [
                {
                    "kind": "call",
                    "channel": "phone",
                    "direction": "inbound",
                    "text": "投诉：快递延误一周，要求退款。已安排全额退款。",
                    "occurred_at": _at(60, 10),
                }
            ],
            "orders": [
                {
                    "amount": "89.00",
                    "currency": "CNY",
                    "status": "refunded",
                    "items": [{"sku": "SK-220", "quantity": 1, "unit_price": "89.00"}],
                    "occurred_at": _at(70, 19),
                }
            ],
        },
        {
            "profile": {
                "type": "person",
                "name": "Emily Chen",
                "owner_id": "bob",
                "team_id": DEMO_TEAM,
                "lifecycle_stage": "lead",
                "tier": "standard",
                "source": "web",
                "consent": {"email_marketing": True},
                "identities": [
                    {"kind": "email", "value": "Emily.Chen@Example.com"},
                    {"kind": "phone", "value": "18600001234"},
                ],
            },
            "interactions": [
                {
                    "kind": "email",
                    "channel": "email",
                    "direction": "outbound",
                    "subject": "Welcome to our membership programme",
                    "text": "Hi Emily, thanks for signing up on our website. Here is your code.",
                    "occurred_at": _at(1, 9),
                }
            ],
            "orders": [],
        },
        {
            "profile": {
                "type": "company",
                "name": "上海云帆科技有限公司",
                "owner_id": "bob",
                "team_id": DEMO_TEAM,
                "lifecycle_stage": "customer",
                "tier": "black",
                "source": "referral",
                "custom_fields": {"industry": "software", "annual_budget": 500000},
                "identities": [
                    {"kind": "external", "system": "erp", "value": "ERP-100245"},
                    {"kind": "email", "value": "purchasing@yunfan-tech.example.cn"},
                    {"kind": "phone", "value": "021-6888 8888"},
                ],
            },
            "contacts": [
                {
                    "name": "王强",
                    "title": "采购经理 Purchasing manager",
                    "phone": "13700001111",
                    "email": "wang.qiang@yunfan-tech.example.cn",
                    "is_primary": True,
                },
                {
                    "name": "Lisa Zhou",
                    "title": "Finance director",
                    "email": "lisa.zhou@yunfan-tech.example.cn",
                },
            ],
            "interactions": [
                {
                    "kind": "meeting",
                    "channel": "other",
                    "direction": "outbound",
                    "subject": "年度框架协议",
                    "text": "与王强讨论 2027 年度框架协议，预计下月签约。",
                    "occurred_at": _at(10, 14),
                }
            ],
            "orders": [
                {
                    "order_no": "PO-YF-2026-03",
                    "amount": "58000.00",
                    "currency": "CNY",
                    "status": "paid",
                    "items": [
                        {
                            "sku": "UNI-STD",
                            "name": "员工制服 Staff uniform",
                            "quantity": 200,
                            "unit_price": "290.00",
                        }
                    ],
                    "occurred_at": _at(20, 10),
                }
            ],
        },
        {
            "profile": {
                "type": "person",
                "name": "Michael Brown",
                "owner_id": "carol",
                "team_id": DEMO_TEAM,
                "lifecycle_stage": "opportunity",
                "tier": "standard",
                "source": "event",
                "identities": [
                    {"kind": "email", "value": "michael.brown@example.com"},
                    {"kind": "phone", "value": "+44 20 7946 0958"},
                ],
            },
            "interactions": [
                {
                    "kind": "meeting",
                    "channel": "other",
                    "direction": "inbound",
                    "text": "Met at the Shanghai retail expo; wants a quote for 50 gift cards.",
                    "occurred_at": _at(4, 11),
                }
            ],
            "orders": [],
        },
    ]


@dataclass(frozen=True)
class SeedResult:
    seeded: bool
    customers: int


def seed_demo(api_url: str, tokens: dict[str, str], timeout: float = 15.0) -> SeedResult:
    """Create the demo tenant's settings and customers unless it has customers already."""
    api = Api(api_url, timeout=timeout)
    admin = tokens["admin"]
    try:
        if tenant_has_customers(api, admin):
            return SeedResult(seeded=False, customers=0)
        api.call("PUT", "/v1/tenant-settings", admin, _tenant_settings(), expect=(200, 412))
        created = 0
        for spec in _customers():
            profile = spec["profile"]
            status, body = api.call(
                "POST", "/v1/customers", admin, profile, idempotent=True, expect=(201, 409)
            )
            if status == 409:  # an earlier, interrupted seed created it: leave it as it is
                continue
            created += 1
            path = f"/v1/customers/{body['id']}"
            owner = tokens[profile["owner_id"]]
            for kind in ("contacts", "interactions", "orders"):
                for child in spec.get(kind, []):
                    api.call("POST", f"{path}/{kind}", owner, child, idempotent=True)
        return SeedResult(seeded=True, customers=created)
    finally:
        api.close()
