"""Routes without a user token say how they are signed; an area's parts name their own models."""

from __future__ import annotations

import pytest
from chalice.app import Blueprint

from chalicelib.core.http import RouteDoc, route


def test_given_a_signed_route_that_is_not_public_then_it_is_refused_at_declaration() -> None:
    bp = Blueprint("chalicelib.desk.inbound_api")
    with pytest.raises(ValueError, match="public"):
        route(bp, "/v1/x", "POST", summary="x", tag="desk", operation_id="x", signed="HMAC")


def test_given_a_module_and_model_name_then_the_route_resolves_it_in_the_areas_package() -> None:
    from chalicelib.desk.inbound_models import ChannelView
    from chalicelib.desk.models import Ticket

    doc = RouteDoc(
        "/v1/x",
        "GET",
        "x",
        "desk",
        "x",
        body="Ticket",
        response="inbound_models:ChannelView",
        models_module="chalicelib.desk.models",
    )

    assert doc.body_model() is Ticket
    assert doc.response_model() is ChannelView
