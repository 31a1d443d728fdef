"""Channel settings: admins only, secrets written but only ever read back masked, each tenant's
its own, version-checked."""

from __future__ import annotations

from typing import Any

from .conftest import SECRET


def test_given_a_channel_set_up_when_read_then_its_secrets_are_masked(
    api: Any, channel: Any
) -> None:
    channel(
        "wecom",
        token="acmeWeChatToken",
        aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        app_id="wx5823bf96d3bd56c7",
    )

    view = api.get("/v1/desk/channels/wecom")

    assert view.status_code == 200
    assert (view.json["token"], view.json["aes_key"]) == ("****", "****2C")
    assert view.json["app_id"] == "wx5823bf96d3bd56c7"
    assert view.json["webhook"] == "/v1/channels/acme/wecom"
    assert "jWmYm7" not in view.body.decode()


def test_given_channels_of_two_tenants_when_listed_then_each_sees_only_its_own(
    api: Any, channel: Any
) -> None:
    channel("email", secret=SECRET)

    mine = {c["channel"]: c["enabled"] for c in api.get("/v1/desk/channels").json["items"]}
    theirs = {
        c["channel"]: c["enabled"]
        for c in api.get("/v1/desk/channels", tenant="globex").json["items"]
    }

    assert mine["email"] is True
    assert theirs["email"] is False


def test_given_a_service_agent_when_reading_or_setting_channels_then_403(api: Any) -> None:
    agent = ("ann", "service_agent")
    assert api.get("/v1/desk/channels", as_=agent).status_code == 403
    assert api.put("/v1/desk/channels/email", {"secret": SECRET}, as_=agent).status_code == 403


def test_given_a_channel_missing_its_key_when_set_then_it_says_so_and_takes_no_call(
    api: Any, hooks: Any
) -> None:
    response = api.put("/v1/desk/channels/wecom", {"token": "abc"})

    assert response.status_code == 200
    assert response.json["missing"] == ["aes_key", "app_id"]
    assert hooks.raw("GET", "/v1/channels/acme/wecom?echostr=x").status_code == 403


def test_given_a_change_without_the_secret_when_saved_then_the_secret_stays(
    api: Any, channel: Any, hooks: Any
) -> None:
    channel("email", secret=SECRET)

    changed = api.put(
        "/v1/desk/channels/email", {"rate_cap_per_hour": 5}, headers={"If-Match": '"1"'}
    )

    assert changed.status_code == 200, changed.json
    assert changed.json["rate_cap_per_hour"] == 5
    assert changed.json["secret"] == "****89"
    stale = api.put(
        "/v1/desk/channels/email", {"rate_cap_per_hour": 6}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
