"""HTTP routes administering the desk's channels: channel settings (admins; secrets masked on
read), the device registry, and the inbound log of messages that touched no ticket."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from ..core import (
    PathParam,
    QueryParam,
    expected_version,
    json_response,
    page_size,
    parse_body,
    principal,
    query_params,
    route,
    versioned,
)

bp = Blueprint(__name__)
TAG = "desk"
CHANNELS = ("email", "wechat", "wecom", "webchat", "device")
CHANNEL = PathParam("channel", "The channel.", enum=CHANNELS)
DEVICE = PathParam("device_id", "The device's id.", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")


@route(
    bp,
    "/v1/desk/channels",
    "GET",
    summary="Every channel's settings (admins; secrets masked)",
    tag=TAG,
    operation_id="listDeskChannels",
    response="inbound_models:ChannelList",
    errors=(401, 403),
)
def list_channels() -> Response:
    from . import inbound_admin

    return json_response(inbound_admin.list_channels(principal(bp.current_request)))


@route(
    bp,
    "/v1/desk/channels/{channel}",
    "GET",
    summary="A channel's settings (admins; secrets masked)",
    tag=TAG,
    operation_id="getDeskChannel",
    response="inbound_models:ChannelView",
    path_params=(CHANNEL,),
    errors=(401, 403, 422),
)
def get_channel(channel: str) -> Response:
    from . import inbound_admin

    return versioned(inbound_admin.get_channel(principal(bp.current_request), channel))


@route(
    bp,
    "/v1/desk/channels/{channel}",
    "PUT",
    summary="Set a channel's settings (admins); secrets left out keep theirs",
    tag=TAG,
    operation_id="putDeskChannel",
    body="inbound_models:ChannelSettings",
    response="inbound_models:ChannelView",
    path_params=(CHANNEL,),
    headers=("If-Match",),
    errors=(400, 401, 403, 412, 422),
)
def put_channel(channel: str) -> Response:
    from . import inbound_admin
    from .inbound_models import ChannelSettings

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, ChannelSettings)
    return versioned(inbound_admin.put_channel(caller, channel, body, expected_version(request)))


@route(
    bp,
    "/v1/desk/inbound-log",
    "GET",
    summary="Messages the channels took without a ticket (automatic mail, rate caps, events)",
    tag=TAG,
    operation_id="listDeskInboundLog",
    response="inbound_models:InboundLogPage",
    query=(
        QueryParam(
            "day", "The day (UTC), YYYY-MM-DD.", required=True, pattern=r"^\d{4}-\d{2}-\d{2}$"
        ),
        QueryParam("limit", "Page size (1-100, default 25).", minimum=1, maximum=100),
        QueryParam("next", "Cursor from the previous page.", max_length=2048),
    ),
    errors=(400, 401, 403, 422),
)
def inbound_log() -> Response:
    from ..core import ValidationFailed
    from . import inbound_admin

    request = bp.current_request
    params = query_params(request)
    if "day" not in params:
        raise ValidationFailed("Name the day: ?day=YYYY-MM-DD.", field="day")
    return json_response(
        inbound_admin.inbound_log(
            principal(request), params["day"], page_size(params.get("limit")), params.get("next")
        )
    )


@route(
    bp,
    "/v1/desk/devices/{device_id}",
    "PUT",
    summary="Register a device for its owner, or change it (admins; If-Match once it exists)",
    tag=TAG,
    operation_id="putDevice",
    body="inbound_models:DevicePut",
    response="inbound_models:Device",
    path_params=(DEVICE,),
    headers=("If-Match",),
    errors=(400, 401, 403, 412, 422),
)
def put_device(device_id: str) -> Response:
    from . import devices_service
    from .inbound_models import DevicePut

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, DevicePut)
    device, _created = devices_service.put_device(
        caller, device_id, body, expected_version(request)
    )
    return versioned(device)


@route(
    bp,
    "/v1/desk/devices/{device_id}",
    "GET",
    summary="A registered device and its owner",
    tag=TAG,
    operation_id="getDevice",
    response="inbound_models:Device",
    path_params=(DEVICE,),
    errors=(401, 403, 404, 422),
)
def get_device(device_id: str) -> Response:
    from . import devices_service

    return versioned(devices_service.get_device(principal(bp.current_request), device_id))


@route(
    bp,
    "/v1/desk/devices",
    "GET",
    summary="A customer's registered devices",
    tag=TAG,
    operation_id="listDevices",
    response="inbound_models:DevicePage",
    query=(
        QueryParam("customer_id", "The owner.", required=True, pattern=r"^[A-Za-z0-9_.:-]{1,64}$"),
        QueryParam("limit", "Page size (1-100, default 25).", minimum=1, maximum=100),
        QueryParam("next", "Cursor from the previous page.", max_length=2048),
    ),
    errors=(400, 401, 403, 422),
)
def list_devices() -> Response:
    from ..core import ValidationFailed
    from . import devices_service

    request = bp.current_request
    params = query_params(request)
    if "customer_id" not in params:
        raise ValidationFailed("Name the owner: ?customer_id=...", field="customer_id")
    return json_response(
        devices_service.devices_of(
            principal(request),
            params["customer_id"],
            page_size(params.get("limit")),
            params.get("next"),
        )
    )
