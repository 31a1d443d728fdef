"""WeChat Official Account and WeCom callbacks, pure: signatures, the AES message crypto
(checked against WeCom's published example), and their XML read safely."""

from __future__ import annotations

import pytest

from chalicelib.desk import wechat

# WeCom's documented example ("验证URL有效性"): corp id, token, EncodingAESKey and the
# handshake it shows, with the plaintext it decrypts to.
CORP_ID = "wx5823bf96d3bd56c7"
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
ECHOSTR = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="

# An Official Account text message exactly as WeChat's documentation shows it.
OA_TEXT = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[this is a test]]></Content>
  <MsgId>1234567890123456</MsgId>
</xml>"""


def test_given_wecoms_published_example_when_checked_then_signature_and_plaintext_match() -> None:
    assert wechat.signature_matches(
        (TOKEN, "1409659589", "263014780", ECHOSTR), "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
    )
    assert wechat.decrypt(AES_KEY, ECHOSTR, CORP_ID) == "1616140317555161061"


def test_given_a_message_encrypted_when_decrypted_then_it_comes_back_whole() -> None:
    encrypted = wechat.encrypt(AES_KEY, "工单：打印机故障 " * 20, CORP_ID)
    assert wechat.decrypt(AES_KEY, encrypted, CORP_ID) == "工单：打印机故障 " * 20


def test_given_a_message_for_another_receiver_when_decrypted_then_it_is_refused() -> None:
    encrypted = wechat.encrypt(AES_KEY, "hello", "another-corp")
    with pytest.raises(wechat.Refused, match="receiveid"):
        wechat.decrypt(AES_KEY, encrypted, CORP_ID)


@pytest.mark.parametrize("encrypted", ["not base64!", "QUJD", ECHOSTR[:-4] + "AAA="])
def test_given_garbage_in_encrypt_when_decrypted_then_it_is_refused(encrypted: str) -> None:
    with pytest.raises(wechat.Refused):
        wechat.decrypt(AES_KEY, encrypted, CORP_ID)


def test_given_the_oa_rule_when_signing_then_it_is_sha1_of_the_sorted_parts() -> None:
    import hashlib

    joined = "".join(sorted(["tok", "1409659589", "nonce"])).encode()
    expected = hashlib.sha1(joined, usedforsecurity=False).hexdigest()
    assert wechat.sha1_signature("tok", "1409659589", "nonce") == expected
    assert not wechat.signature_matches(("tok", "1", "n"), None)


def test_given_the_documented_text_message_when_read_then_it_has_sender_text_and_msgid() -> None:
    message = wechat.message_from_xml(wechat.parse_xml(OA_TEXT))

    assert (message.sender, message.msg_type, message.text) == (
        "fromUser",
        "text",
        "this is a test",
    )
    assert message.external_id == "wx:1234567890123456"
    assert message.opens_ticket


def test_given_an_image_message_when_read_then_the_media_is_an_attachment_reference() -> None:
    xml = OA_TEXT.replace("[text]", "[image]").replace(
        "<Content><![CDATA[this is a test]]></Content>",
        "<PicUrl><![CDATA[http://mmbiz.qpic.cn/x.jpg]]></PicUrl><MediaId><![CDATA[media_id]]></MediaId>",
    )
    message = wechat.message_from_xml(wechat.parse_xml(xml))
    assert message.text == "[image]"
    assert message.attachments[0]["key"] == "wechat-media/media_id"


def test_given_a_subscribe_event_when_read_then_it_opens_no_ticket() -> None:
    xml = (
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]>"
        "</FromUserName><CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[subscribe]]></Event></xml>"
    )
    message = wechat.message_from_xml(wechat.parse_xml(xml))
    assert (message.event, message.opens_ticket) == ("subscribe", False)
    assert message.external_id == "wx:FromUser:123456789"


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><Content>&lol3;</Content></xml>"""
EXTERNAL = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<xml><Content>&e;</Content></xml>"""


@pytest.mark.parametrize(
    "raw",
    [
        BOMB,
        EXTERNAL,
        "<xml><Content>unclosed</xml>",
        "<html></html>",
        "x" * 70_000,
        "<xml>\x00</xml>",
    ],
)
def test_given_hostile_or_malformed_xml_when_parsed_then_it_is_refused(raw: str) -> None:
    with pytest.raises(wechat.Refused):
        wechat.parse_xml(raw)


def test_given_a_wecom_json_callback_when_read_then_it_becomes_the_same_shape() -> None:
    message = wechat.read_decrypted(
        '{"msgid":"m1","from":{"userid":"zhangsan"},"msgtype":"text","text":{"content":"报修"}}'
    )
    assert (message.sender, message.text, message.external_id) == ("zhangsan", "报修", "wx:m1")
