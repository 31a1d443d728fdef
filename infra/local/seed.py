"""The demo tenant of `make run`, created once through the HTTP API (so seeding runs real code).

Users (dev tokens minted here), also entered in the tenant directory (team east, managed by
carol; sol is the solutions engineer sales asks for by skill, lena reviews contracts):

| user  | role          | team | skills    |
|-------|---------------|------|-----------|
| admin | admin         |      |           |
| alice | sales_rep     | east |           |
| bob   | sales_rep     | east |           |
| carol | sales_manager | east |           |
| sol   | sales_rep     | east | solutions |
| dave  | finance       |      |           |
| lena  | legal         |      |           |

The tenant's settings and customers (profiles with identities, contacts, interactions, orders)
are data, in demo_data.json next to this file; 120 shop members with two years of orders are
drawn from a fixed seed (`demo_shoppers`), so the nightly value job has a model to fit.

Then its sales (`seed_sales.py`): a few deals, one of which escalates to carol seconds after
the seed, a contract waiting for legal's approval and a lead nobody has contacted yet. Then its
service desk (`seed_desk.py`): team support (sam supervises mia and leo, service agents), its
queues, channels, a registered device, knowledge articles and a few tickets.

Seeding happens only when the tenant has no customer in any lifecycle stage; every creating POST
carries an Idempotency-Key derived from its body, so a retried seed replays instead of doubling.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

DEMO_TENANT = "demo"
DEMO_TEAM = "east"
DEMO_DATA = Path(__file__).with_name("demo_data.json")
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
        DemoUser("sol", ("sales_rep",), DEMO_TEAM),
        DemoUser("dave", ("finance",)),
        DemoUser("lena", ("legal",)),
        DemoUser("sam", ("service_agent",), "support"),
        DemoUser("mia", ("service_agent",), "support"),
        DemoUser("leo", ("service_agent",), "support"),
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


def demo_data() -> dict[str, Any]:
    """The demo tenant's settings and customers, each `occurred_at` resolved to a moment.

    demo_data.json gives times as {"days_ago": n, "hour": h} (China time), so the demo always
    looks recent: follow-ups from last week, orders from last month.
    """
    data: dict[str, Any] = json.loads(DEMO_DATA.read_text(encoding="utf-8"))
    data["customers"] += demo_shoppers()
    for customer in data["customers"]:
        for kind in ("interactions", "orders"):
            for child in customer.get(kind, []):
                child["occurred_at"] = _at(**child["occurred_at"])
    return data


SHOPPERS = 120  # enough customers, and repeat buyers among them, for the value models to fit
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛")


def demo_shoppers(count: int = SHOPPERS, seed: int = 2026) -> list[dict[str, Any]]:
    """Members of the demo shop with two years of orders that follow the repeat-buying process
    the value models assume: each buys at their own pace until they quietly stop, each with their
    own basket size; some bought once long ago, some are new. The same shoppers on every seed."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not a secret
    shoppers = []
    for number in range(1, count + 1):
        age = rng.randint(20, 720)  # days since the first order
        rate = rng.gammavariate(0.8, 1 / 25)  # orders a day while still a customer
        dropout = rng.betavariate(0.8, 2.5)  # the chance of quietly leaving after an order
        # Spend per order ~ Gamma(6, rate nu), nu ~ Gamma(4, 1/150) per shopper: ~300 CNY a basket.
        nu = rng.gammavariate(4, 1 / 150)
        clock, days = 0.0, [age]
        while rng.random() >= dropout:
            clock += rng.expovariate(rate)
            if clock > age - 1:
                break
            days.append(age - int(clock))
        owner = ("alice", "bob")[number % 2]
        orders: list[dict[str, Any]] = []
        for index, day in enumerate(days, 1):
            amount = f"{rng.gammavariate(6, 1 / nu):.2f}"
            orders.append(
                {
                    "order_no": f"SO-M{number:03d}-{index:02d}",
                    "amount": amount,
                    "status": "fulfilled" if day > 3 else "paid",
                    "items": [{"sku": "MIX-1", "name": "会员订单", "unit_price": amount}],
                    "occurred_at": {"days_ago": day, "hour": rng.randint(9, 21)},
                }
            )
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN))
        shoppers.append(
            {
                "profile": {
                    "name": f"{name} #{number:03d}",
                    "type": "person",
                    "owner_id": owner,
                    "team_id": DEMO_TEAM,
                    "lifecycle_stage": "customer",
                    "source": "wechat",
                },
                "orders": orders,
            }
        )
    return shoppers


@dataclass(frozen=True)
class SeedResult:
    seeded: bool
    customers: int


SEED_THREADS = 6


WORKDAY = [{"start": "09:00", "end": "18:00"}]
DEMO_NAMES = {
    "admin": "Admin",
    "alice": "Alice Wang",
    "bob": "Bob Li",
    "carol": "Carol Zhang",
    "sol": "Sol Chen",
    "dave": "Dave Liu",
    "lena": "Lena Zhou",
}


def demo_directory() -> list[dict[str, Any]]:
    """The demo users as the directory holds them (managers first: a user names one who exists)."""
    order = ("admin", "carol", "alice", "bob", "sol", "dave", "lena")
    entries = []
    for user_id in order:
        user = DEMO_USERS[user_id]
        entry: dict[str, Any] = {
            "user_id": user_id,
            "display_name": DEMO_NAMES[user_id],
            "roles": list(user.roles),
            "languages": ["zh-CN", "en"],
            "time_zone": "Asia/Shanghai",
            "working_hours": {day: WORKDAY for day in ("mon", "tue", "wed", "thu", "fri")},
        }
        if user.team_id:
            entry["team_id"] = user.team_id
        if user_id in ("alice", "bob", "sol"):
            entry["manager_id"] = "carol"
        if user_id == "sol":
            entry["skills"] = ["solutions"]
        entries.append(entry)
    return entries


def _seed_directory(api: Api, admin: str) -> None:
    """Team east and the demo users in the tenant directory; carol manages the team."""
    team = {"team_id": DEMO_TEAM, "name": DEMO_TEAM.title()}
    api.call("POST", "/v1/directory/teams", admin, team, idempotent=True, expect=(201, 409))
    for entry in demo_directory():
        api.call("POST", "/v1/directory/users", admin, entry, idempotent=True, expect=(201, 409))
    api.call("PUT", f"/v1/teams/{DEMO_TEAM}/manager", admin, {"manager_id": "carol"})


def _seed_customer(api: Api, tokens: dict[str, str], spec: dict[str, Any]) -> bool:
    """One customer and its children; False when an earlier, interrupted seed created it."""
    profile = spec["profile"]
    status, body = api.call(
        "POST", "/v1/customers", tokens["admin"], profile, idempotent=True, expect=(201, 409)
    )
    if status == 409:  # an earlier, interrupted seed created it: leave it as it is
        return False
    path = f"/v1/customers/{body['id']}"
    owner = tokens[profile["owner_id"]]
    for kind in ("contacts", "interactions", "orders"):
        for child in spec.get(kind, []):
            api.call("POST", f"{path}/{kind}", owner, child, idempotent=True)
    return True


def seed_demo(api_url: str, tokens: dict[str, str], timeout: float = 15.0) -> SeedResult:
    """Create the demo tenant's settings and customers unless it has customers already."""
    api = Api(api_url, timeout=timeout)
    admin = tokens["admin"]
    try:
        if tenant_has_customers(api, admin):
            return SeedResult(seeded=False, customers=0)
        _seed_directory(api, admin)
        data = demo_data()
        api.call("PUT", "/v1/tenant-settings", admin, data["tenant_settings"], expect=(200, 412))
        # A shop's tiers, not the seed's B2B ones (diamond CLV > 1,000,000): the demo shows all.
        api.call("PUT", "/v1/value/settings", admin, data["value_settings"], expect=(200, 412))
        # Customers one per request chain, several chains at once (the local API is threaded).
        local = threading.local()

        def seed_one(spec: dict[str, Any]) -> bool:
            if not hasattr(local, "api"):
                local.api = Api(api_url, timeout=timeout)
                opened.append(local.api)
            return _seed_customer(local.api, tokens, spec)

        opened: list[Api] = []
        try:
            with ThreadPoolExecutor(max_workers=SEED_THREADS) as pool:
                created = sum(pool.map(seed_one, data["customers"]))
        finally:
            for each in opened:
                each.close()
        from .seed_sales import seed_sales  # it builds on this module's client

        seed_sales(api, tokens)
        from .seed_desk import seed_desk  # the support team on the same customers

        seed_desk(api, tokens)
        # Score the shop now rather than at its nightly hour: the job runs on the timer runner.
        api.call("POST", "/v1/admin/schedules/value.nightly/runs", admin, expect=(202,))
        return SeedResult(seeded=True, customers=created)
    finally:
        api.close()
