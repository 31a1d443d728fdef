"""HTTP routes of the desk's channels: the webhooks (public to API Gateway, each authenticated
by its channel's signature) and the admin routes of channel settings, devices and the inbound
log. Parse, call, return.

Webhooks name the tenant in the path (no token carries it) and prove it with the tenant's
channel secret; a call signed with another tenant's secret fails the check (401).
"""

from __future__ import annotations

from datetime import UTC, datetime

from chalice.app import Blueprint, Response

from ..core import (
    PathParam,
    QueryParam,
    json_response,
    parse_body,
    query_params,
    route,
)

bp = Blueprint(__name__)
TAG = "desk"
TENANT = PathParam(
    "tenant_id", "The tenant the channel belongs to.", pattern=r"^[A-Za-z0-9_.@:-]{1,128}$"
)
HMAC = (
    "X-Crm-Timestamp (unix seconds, within 5 minutes) and X-Crm-Signature: "
    'v1=hex(HMAC-SHA256(channel secret, "<timestamp>.<raw body>")), with the secret set in '
    "PUT /v1/desk/channels/{channel}."
)
WECHAT_QUERY = (
    QueryParam("signature", "sha1 of the sorted token, timestamp and nonce.", max_length=64),
    QueryParam("timestamp", "WeChat's timestamp.", max_length=32),
    QueryParam("nonce", "WeChat's nonce.", max_length=64),
    QueryParam("echostr", "The handshake's string to echo (GET).", max_length=256),
    QueryParam("openid", "The follower (POST).", max_length=128),
    QueryParam("encrypt_type", "aes in safe mode.", max_length=16),
    QueryParam(
        "msg_signature", "sha1 of the sorted token, timestamp, nonce and Encrypt.", max_length=64
    ),
)
WECOM_QUERY = tuple(
    q for q in WECHAT_QUERY if q.name in ("timestamp", "nonce", "echostr", "msg_signature")
)
XML_TYPES = ("text/xml", "application/xml")
WEBHOOK_ERRORS = (400, 401, 403, 404, 413, 422)


def _now() -> datetime:
    return datetime.now(UTC)


def _raw() -> bytes:
    request = bp.current_request
    raw = request.raw_body or b""
    return raw if isinstance(raw, bytes) else raw.encode()


def _headers() -> dict[str, str]:
    return dict(bp.current_request.headers or {})


def _accepted(result: object) -> Response:
    return json_response(result, status=202)


def _plain(text: str) -> Response:
    return Response(
        body=text, status_code=200, headers={"Content-Type": "text/plain; charset=utf-8"}
    )


# --- webhooks -------------------------------------------------------------------------------


@route(
    bp,
    "/v1/channels/{tenant_id}/email",
    "POST",
    summary="Inbound mail: raw RFC 5322 (message/rfc822) or SES's receipt notification via SNS",
    tag=TAG,
    operation_id="receiveEmail",
    response="inbound_models:InboundResult",
    status=202,
    path_params=(TENANT,),
    errors=WEBHOOK_ERRORS,
    public=True,
    signed=HMAC,
    content_types=("message/rfc822", "text/plain", "application/json"),
)
def receive_email(tenant_id: str) -> Response:
    from . import inbound_service

    raw, now = _raw(), _now()
    inbound_service.check_size(raw, inbound_service.MAX_MAIL_BYTES)
    settings = inbound_service.check_signed(tenant_id, "email", _headers(), raw, now)
    content_type = (_headers().get("content-type") or _headers().get("Content-Type") or "").lower()
    if "rfc822" not in content_type and raw.lstrip().startswith(b"{"):
        kind, mime = inbound_service.mail_from_notification(raw)
        if kind == "subscription" or mime is None:
            result = inbound_service.refuse(
                tenant_id,
                "email",
                outcome="subscription",
                reason="SNS subscription: confirm it from the SubscribeURL",
                external_id=None,
                sender="",
                now=now,
            )
            return _accepted(result)
        raw = mime
    return _accepted(inbound_service.receive_mail(tenant_id, raw, settings, now))


@route(
    bp,
    "/v1/channels/{tenant_id}/wechat",
    "GET",
    summary="WeChat Official Account: the server URL handshake (echoes echostr)",
    tag=TAG,
    operation_id="verifyWeChat",
    path_params=(TENANT,),
    query=WECHAT_QUERY,
    errors=(401, 403, 404, 422),
    public=True,
    signed="WeChat's signature query parameter: sha1 of the sorted token, timestamp, nonce.",
)
def verify_wechat(tenant_id: str) -> Response:
    from . import wechat_service

    return _plain(
        wechat_service.verify_official_account(tenant_id, query_params(bp.current_request))
    )


@route(
    bp,
    "/v1/channels/{tenant_id}/wechat",
    "POST",
    summary="WeChat Official Account: a follower's XML message (answers `success`)",
    tag=TAG,
    operation_id="receiveWeChat",
    path_params=(TENANT,),
    query=WECHAT_QUERY,
    errors=WEBHOOK_ERRORS,
    public=True,
    signed="WeChat's signature (and msg_signature in safe mode) query parameters.",
    content_types=XML_TYPES,
)
def receive_wechat(tenant_id: str) -> Response:
    from . import wechat_service

    wechat_service.receive_official_account(
        tenant_id, query_params(bp.current_request), _raw(), _now()
    )
    return _plain("success")


@route(
    bp,
    "/v1/channels/{tenant_id}/wecom",
    "GET",
    summary="WeCom: the callback URL handshake (answers the decrypted echostr)",
    tag=TAG,
    operation_id="verifyWeCom",
    path_params=(TENANT,),
    query=WECOM_QUERY,
    errors=(401, 403, 404, 422),
    public=True,
    signed="WeCom's msg_signature: sha1 of the sorted token, timestamp, nonce and echostr.",
)
def verify_wecom(tenant_id: str) -> Response:
    from . import wechat_service

    return _plain(wechat_service.verify_wecom(tenant_id, query_params(bp.current_request)))


@route(
    bp,
    "/v1/channels/{tenant_id}/wecom",
    "POST",
    summary="WeCom: a member's encrypted message, XML or JSON (answers `success`)",
    tag=TAG,
    operation_id="receiveWeCom",
    path_params=(TENANT,),
    query=WECOM_QUERY,
    errors=WEBHOOK_ERRORS,
    public=True,
    signed="WeCom's msg_signature over the Encrypt field; AES-256-CBC with the EncodingAESKey.",
    content_types=XML_TYPES,
)
def receive_wecom(tenant_id: str) -> Response:
    from . import wechat_service

    wechat_service.receive_wecom(tenant_id, query_params(bp.current_request), _raw(), _now())
    return _plain("success")


@route(
    bp,
    "/v1/channels/{tenant_id}/webchat",
    "POST",
    summary="Web chat: a visitor's message from the widget, relayed by the tenant's chat server",
    tag=TAG,
    operation_id="receiveWebChat",
    body="inbound_models:WebChatPost",
    response="inbound_models:InboundResult",
    status=202,
    path_params=(TENANT,),
    errors=WEBHOOK_ERRORS,
    public=True,
    signed=HMAC,
)
def receive_webchat(tenant_id: str) -> Response:
    from . import inbound_service
    from .inbound_models import WebChatPost

    raw, now = _raw(), _now()
    inbound_service.check_size(raw, inbound_service.MAX_JSON_BYTES)
    settings = inbound_service.check_signed(tenant_id, "webchat", _headers(), raw, now)
    post = parse_body(bp.current_request, WebChatPost)
    return _accepted(inbound_service.receive_webchat(tenant_id, post, settings, now))


@route(
    bp,
    "/v1/channels/{tenant_id}/device-alarms",
    "POST",
    summary="A device alarm: a fault ticket for the device's owner (or its open one joined)",
    tag=TAG,
    operation_id="receiveDeviceAlarm",
    body="inbound_models:DeviceAlarm",
    response="inbound_models:InboundResult",
    status=202,
    path_params=(TENANT,),
    errors=WEBHOOK_ERRORS,
    public=True,
    signed=HMAC,
)
def receive_device_alarm(tenant_id: str) -> Response:
    from . import devices_service, inbound_service
    from .inbound_models import DeviceAlarm

    raw, now = _raw(), _now()
    inbound_service.check_size(raw, inbound_service.MAX_JSON_BYTES)
    settings = inbound_service.check_signed(tenant_id, "device", _headers(), raw, now)
    alarm = parse_body(bp.current_request, DeviceAlarm)
    return _accepted(devices_service.receive_alarm(tenant_id, alarm, settings, now))
