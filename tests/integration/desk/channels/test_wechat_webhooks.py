"""WeChat Official Account and WeCom callbacks end to end: the handshakes, a real XML message
becoming a ticket, an encrypted WeCom message decrypted into one, and forgeries refused."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.desk import wechat

from .conftest import CORP_ID, WECOM_KEY, Hooks

TOKEN = "acmeWeChatToken"
OA_XML = """<xml>
  <ToUserName><![CDATA[gh_acme]]></ToUserName>
  <FromUserName><![CDATA[oUpF8uMuAJO_M2pxb1Q9zNjWeS6o]]></FromUserName>
  <CreateTime>1764554400</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[你好，我的净水器漏水了]]></Content>
  <MsgId>24371232107846912</MsgId>
</xml>"""
WECOM_INNER = """<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>
<FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1764554400</CreateTime>
<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[会议室投影仪坏了]]></Content>
<MsgId>7421000000000000001</MsgId><AgentID>1000002</AgentID></xml>"""


def _query(token: str, **extra: str) -> tuple[str, str, dict[str, str]]:
    timestamp, nonce = str(int(time.time())), "1320562132"
    signature = wechat.sha1_signature(token, timestamp, nonce)
    return (
        timestamp,
        nonce,
        {"signature": signature, "timestamp": timestamp, "nonce": nonce, **extra},
    )


@pytest.fixture
def oa(channel: Any) -> None:
    channel("wechat", token=TOKEN, app_id="wx_acme_app")


@pytest.fixture
def wecom(channel: Any) -> None:
    channel("wecom", token=TOKEN, aes_key=WECOM_KEY, app_id=CORP_ID)


def _ticket(ticket_id: str) -> Any:
    from chalicelib.desk.service import get_ticket

    return get_ticket("acme", ticket_id)


def test_given_wechats_handshake_when_signed_with_the_token_then_echostr_comes_back(
    hooks: Hooks, oa: None
) -> None:
    _, _, query = _query(TOKEN, echostr="5838479218127813673")

    response = hooks.raw("GET", f"/v1/channels/acme/wechat?{urlencode(query)}")

    assert response.status_code == 200
    assert response.text == "5838479218127813673"


def test_given_a_handshake_signed_with_another_token_then_401(hooks: Hooks, oa: None) -> None:
    _, _, query = _query("someoneElsesToken", echostr="1")
    assert hooks.raw("GET", f"/v1/channels/acme/wechat?{urlencode(query)}").status_code == 401


def test_given_a_followers_text_message_when_posted_then_success_and_a_wechat_ticket(
    hooks: Hooks, oa: None
) -> None:
    from chalicelib.desk import inbound_store

    _, _, query = _query(TOKEN, openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")

    response = hooks.raw(
        "POST",
        f"/v1/channels/acme/wechat?{urlencode(query)}",
        OA_XML.encode(),
        {"Content-Type": "text/xml"},
    )

    assert response.status_code == 200
    assert response.text == "success"
    ticket_id = inbound_store.conversation_ticket("acme", "wechat:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    ticket = _ticket(str(ticket_id))
    assert (ticket.channel, ticket.description) == ("wechat", "你好，我的净水器漏水了")


def test_given_a_second_message_from_the_follower_when_posted_then_it_joins_their_ticket(
    hooks: Hooks, oa: None
) -> None:
    from chalicelib.desk import inbound_service

    path = lambda: f"/v1/channels/acme/wechat?{urlencode(_query(TOKEN)[2])}"  # noqa: E731
    hooks.raw("POST", path(), OA_XML.encode(), {"Content-Type": "text/xml"})
    first = inbound_service.inbound_store.conversation_ticket(
        "acme", "wechat:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    )
    second_xml = OA_XML.replace("24371232107846912", "24371232107846999").replace(
        "漏水了", "还在漏"
    )

    hooks.raw("POST", path(), second_xml.encode(), {"Content-Type": "text/xml"})

    assert (
        inbound_service.inbound_store.conversation_ticket(
            "acme", "wechat:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
        )
        == first
    )


def test_given_a_subscribe_event_when_posted_then_success_and_no_ticket(
    hooks: Hooks, oa: None
) -> None:
    from chalicelib.desk import inbound_store

    xml = (
        "<xml><ToUserName><![CDATA[gh_acme]]></ToUserName><FromUserName><![CDATA[oNew]]>"
        "</FromUserName><CreateTime>1764554400</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[subscribe]]></Event></xml>"
    )
    response = hooks.raw(
        "POST",
        f"/v1/channels/acme/wechat?{urlencode(_query(TOKEN)[2])}",
        xml.encode(),
        {"Content-Type": "text/xml"},
    )

    assert (response.status_code, response.text) == (200, "success")
    assert inbound_store.conversation_ticket("acme", "wechat:oNew") is None


HOSTILE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b"<xml><Content>&b;</Content></xml>",
    b"<xml><FromUserName>x</FromUserName>",
    b"<xml>\x00</xml>",
)


def test_given_hostile_or_malformed_xml_when_posted_then_422(hooks: Hooks, oa: None) -> None:
    statuses = [
        hooks.raw(
            "POST",
            f"/v1/channels/acme/wechat?{urlencode(_query(TOKEN)[2])}",
            body,
            {"Content-Type": "text/xml"},
        ).status_code
        for body in HOSTILE
    ]
    assert statuses == [422, 422, 422]


def test_given_a_forged_post_when_the_signature_is_wrong_then_401_and_no_ticket(
    hooks: Hooks, oa: None
) -> None:
    _, _, query = _query(TOKEN)
    query["signature"] = "0" * 40
    response = hooks.raw(
        "POST",
        f"/v1/channels/acme/wechat?{urlencode(query)}",
        OA_XML.encode(),
        {"Content-Type": "text/xml"},
    )
    assert response.status_code == 401


def test_given_wecoms_handshake_when_verified_then_the_decrypted_echostr_comes_back(
    hooks: Hooks, wecom: None
) -> None:
    timestamp, nonce = str(int(time.time())), "263014780"
    echostr = wechat.encrypt(WECOM_KEY, "1616140317555161061", CORP_ID)
    signature = wechat.sha1_signature(TOKEN, timestamp, nonce, echostr)
    query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce, "echostr": echostr}

    response = hooks.raw("GET", f"/v1/channels/acme/wecom?{urlencode(query)}")

    assert (response.status_code, response.text) == (200, "1616140317555161061")


def _wecom_post(hooks: Hooks, inner: str, corp_id: str = CORP_ID) -> Any:
    timestamp, nonce = str(int(time.time())), "1372623149"
    encrypted = wechat.encrypt(WECOM_KEY, inner, corp_id)
    body = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"
    )
    signature = wechat.sha1_signature(TOKEN, timestamp, nonce, encrypted)
    query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}
    return hooks.raw(
        "POST",
        f"/v1/channels/acme/wecom?{urlencode(query)}",
        body.encode(),
        {"Content-Type": "text/xml"},
    )


def test_given_an_encrypted_wecom_message_when_posted_then_it_is_decrypted_into_a_ticket(
    hooks: Hooks, wecom: None
) -> None:
    from chalicelib.desk import inbound_store

    response = _wecom_post(hooks, WECOM_INNER)

    assert (response.status_code, response.text) == (200, "success")
    ticket = _ticket(str(inbound_store.conversation_ticket("acme", "wecom:zhangsan")))
    assert (ticket.channel, ticket.description) == ("wecom", "会议室投影仪坏了")


def test_given_a_wecom_message_encrypted_for_another_corp_when_posted_then_401(
    hooks: Hooks, wecom: None
) -> None:
    assert _wecom_post(hooks, WECOM_INNER, corp_id="ww_other_corp").status_code == 401
