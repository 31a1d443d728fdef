"""The demo tenant's service desk, seeded through the API after its sales (`seed.seed_demo`).

On the seeded customers, so no customer is added:

| user | role          | team    | skills                   | on shift                      |
|------|---------------|---------|--------------------------|-------------------------------|
| sam  | service_agent | support | (supervisor, team lead)  | weekdays 09:00-18:00          |
| mia  | service_agent | support | fault, senior, complaint | every day, around the clock   |
| leo  | service_agent | support | fault                    | every day, around the clock   |

(Asia/Shanghai; the agents' round-the-clock shift lets the demo assign a ticket at any hour.)
Queues general, technical (fault) and care (complaint) of team support, supervised by sam, who
is also the SLA policies' supervisor of each queue; channels: email (signed with
`demo-mail-secret-0123456789`, answers from support@demo.example.com, an identity moto's SES
verifies), WeChat (token `demoWeChatToken`) and devices (signed with `demo-device-secret-01234`),
with the air purifier `PUR-DEMO-0001` registered to 上海云帆科技; four published knowledge
articles (two Chinese, two English); and a few tickets from P1 to P3, one of them resolved, so
its survey and the service reports have something to show.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from .seed import Api

SUPPORT_TEAM = "support"
SUPERVISOR = "sam"
MAIL_SECRET = "demo-mail-secret-0123456789"  # noqa: S105 - the local demo's published secret
MAIL_FROM = "support@demo.example.com"
WECHAT_TOKEN = "demoWeChatToken"  # noqa: S105 - the local demo's published token
DEVICE_SECRET = "demo-device-secret-01234"  # noqa: S105 - the local demo's published secret
DEMO_DEVICE = "PUR-DEMO-0001"
DEVICE_OWNER = "上海云帆科技有限公司"
QUEUES: tuple[tuple[str, list[str]], ...] = (
    ("general", []),
    ("technical", ["fault"]),
    ("care", ["complaint"]),
)
ALL_DAY = [{"start": "00:00", "end": "24:00"}]
WORKDAY = [{"start": "09:00", "end": "18:00"}]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

ARTICLES = (
    {
        "title": "设备离线故障排查",
        "language": "zh",
        "tags": ["设备", "故障", "离线"],
        "body": "设备显示离线或无法连接时：1. 检查电源和指示灯；2. 确认路由器正常、设备与路由器"
        "距离不超过十米；3. 长按复位键五秒重启设备；4. 在小程序里重新配网。仍然离线请提交故障"
        "工单并附上设备编号和故障代码。",
    },
    {
        "title": "如何开具增值税专用发票",
        "language": "zh",
        "tags": ["发票", "增值税", "财务"],
        "body": "在订单详情页点击申请开票，选择增值税专用发票，填写公司名称、纳税人识别号、地址"
        "电话和开户行账号。发票在三个工作日内开具，电子发票发送到您的邮箱，纸质发票快递寄出。",
    },
    {
        "title": "How to reset your password",
        "language": "en",
        "tags": ["account", "password", "login"],
        "body": "On the sign-in page choose Forgot password, enter the email address of your "
        "account and follow the link we send you within 15 minutes. The link works once. If no "
        "email arrives, check the spam folder or ask your administrator to reset it for you.",
    },
    {
        "title": "Export your customers to a spreadsheet",
        "language": "en",
        "tags": ["export", "customers", "csv"],
        "body": "Open Customers, filter the list (owner, stage, tier or tag) and choose Export. "
        "The CSV file has one row per customer with their identities and custom fields; large "
        "exports arrive by email when they are ready.",
    },
)


def _support_users() -> list[dict[str, Any]]:
    common = {"roles": ["service_agent"], "team_id": SUPPORT_TEAM, "languages": ["zh-CN", "en"]}
    zone = {"time_zone": "Asia/Shanghai"}
    return [
        {
            "user_id": SUPERVISOR,
            "display_name": "Sam Zhao",
            **common,
            **zone,
            "working_hours": {day: WORKDAY for day in DAYS[:5]},
        },
        {
            "user_id": "mia",
            "display_name": "Mia Sun",
            **common,
            **zone,
            "manager_id": SUPERVISOR,
            "skills": ["fault", "senior", "complaint"],
            "working_hours": {day: ALL_DAY for day in DAYS},
        },
        {
            "user_id": "leo",
            "display_name": "Leo Hu",
            **common,
            **zone,
            "manager_id": SUPERVISOR,
            "skills": ["fault"],
            "working_hours": {day: ALL_DAY for day in DAYS},
        },
    ]


def _seed_team(api: Api, admin: str) -> None:
    team = {"team_id": SUPPORT_TEAM, "name": "Support"}
    api.call("POST", "/v1/directory/teams", admin, team, idempotent=True, expect=(201, 409))
    for entry in _support_users():
        api.call("POST", "/v1/directory/users", admin, entry, idempotent=True, expect=(201, 409))
    api.call("PUT", f"/v1/teams/{SUPPORT_TEAM}/manager", admin, {"manager_id": SUPERVISOR})


def _seed_routing(api: Api, admin: str) -> None:
    """Queues of team support; their supervisor is whom an SLA breach in each escalates to."""
    for name, skills in QUEUES:
        queue = {
            "name": name,
            "team_id": SUPPORT_TEAM,
            "supervisor_id": SUPERVISOR,
            "skills": skills,
        }
        api.call("POST", "/v1/desk/queues", admin, queue, idempotent=True, expect=(201, 409))


def _verify_sender() -> None:
    """moto's SES sends answers only from a verified identity (as SES does)."""
    endpoint = os.environ.get("CRM_AWS_ENDPOINT")
    if not endpoint:
        return
    import boto3

    region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"
    boto3.client("ses", region_name=region, endpoint_url=endpoint).verify_email_identity(
        EmailAddress=MAIL_FROM
    )


def _seed_channels(api: Api, admin: str, device_owner: str) -> None:
    _verify_sender()
    channels = {
        "email": {"secret": MAIL_SECRET, "from_address": MAIL_FROM},
        "wechat": {"token": WECHAT_TOKEN},
        "device": {"secret": DEVICE_SECRET},
    }
    for channel, settings in channels.items():
        api.call("PUT", f"/v1/desk/channels/{channel}", admin, settings, expect=(200, 201, 412))
    installed = (datetime.now(UTC) - timedelta(days=200)).replace(microsecond=0).isoformat()
    device = {
        "customer_id": device_owner,
        "model": "AirPure X1",
        "name": "会议室空气净化器",
        "installed_at": installed,
    }
    api.call("PUT", f"/v1/desk/devices/{DEMO_DEVICE}", admin, device, expect=(200, 201, 412))


def _seed_articles(api: Api, admin: str) -> None:
    for article in ARTICLES:
        _, created = api.call(
            "POST", "/v1/knowledge/articles", admin, article, idempotent=True, expect=(201, 409)
        )
        article_id = created.get("article_id")
        if article_id:
            path = f"/v1/knowledge/articles/{article_id}/publish"
            api.call("POST", path, admin, expect=(200, 409))


def _ticket(api: Api, token: str, body: dict[str, Any]) -> dict[str, Any]:
    _, ticket = api.call("POST", "/v1/tickets", token, body, idempotent=True)
    return dict(ticket)


def _seed_tickets(api: Api, tokens: dict[str, str], customers: dict[str, str]) -> None:
    """A few tickets from P1 to P3; mia answers and resolves one (its survey is sent)."""
    admin = tokens["admin"]
    _ticket(
        api,
        admin,
        {
            "customer_id": customers["上海云帆科技有限公司"],
            "subject": "会议室净化器频繁掉线",
            "description": "三台设备每天下午掉线，需要工程师上门检查。",
            "channel": "api",
            "type": "fault",
            "priority": "P1",
            "priority_reason": "多台设备同时故障",
            "language": "zh",
        },
    )
    _ticket(
        api,
        admin,
        {
            "customer_id": customers["Michael Brown"],
            "subject": "Invoice address is wrong",
            "description": "The last invoice shows our old office address.",
            "channel": "email",
            "type": "request",
            "priority": "P3",
            "priority_reason": "a correction, nothing is blocked",
            "language": "en",
        },
    )
    answered = _ticket(
        api,
        admin,
        {
            "customer_id": customers["李娜"],
            "subject": "忘记密码，无法登录会员小程序",
            "description": "换了手机以后登录不上，请帮忙重置密码。",
            "channel": "wechat",
            "type": "question",
            "priority": "P2",
            "priority_reason": "一位会员无法登录",
            "language": "zh",
            "queue": "general",
            "assignee_id": "mia",
        },
    )
    path = f"/v1/tickets/{answered['ticket_id']}"
    reply = {"text": "您好，已为您重置密码，请在登录页点击忘记密码，按短信提示设置新密码。"}
    api.call("POST", f"{path}/messages", tokens["mia"], reply, idempotent=True)
    api.call("PATCH", path, tokens["mia"], {"status": "resolved"}, expect=(200, 409))


def _customer_ids(api: Api, admin: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for owner in ("alice", "bob", "carol"):
        _, page = api.call("GET", f"/v1/customers?owner={owner}&limit=100", admin)
        found.update({str(c["name"]): str(c["id"]) for c in page["items"]})
    return found


def seed_desk(api: Api, tokens: dict[str, str]) -> None:
    """The support team, its queues, channels, articles and tickets (module docstring)."""
    admin = tokens["admin"]
    customers = _customer_ids(api, admin)
    _seed_team(api, admin)
    _seed_routing(api, admin)
    _seed_channels(api, admin, customers[DEVICE_OWNER])
    _seed_articles(api, admin)
    _seed_tickets(api, tokens, customers)


def contact_token(api: Api, admin: str, tenant_id: str) -> str | None:
    """A customer_contact token for the demo device's owner (王强 of 上海云帆科技), or None when
    the desk is not seeded (CRM_SEED=0)."""
    status, device = api.call("GET", f"/v1/desk/devices/{DEMO_DEVICE}", admin, expect=(200, 404))
    if status != 200:
        return None
    from .config import ensure_functions_on_path

    ensure_functions_on_path()
    from chalicelib.core.auth import mint_dev_token

    customer = str(device["customer_id"])
    return mint_dev_token(tenant_id, "wang.qiang", ["customer_contact"], customer_id=customer)
