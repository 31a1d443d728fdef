"""WeChat Official Account and WeCom (企业微信) callbacks, pure: signatures, the AES message
crypto both share, and their XML/JSON messages read into one shape. No I/O.

- Official Account, plain mode: `signature = sha1(sorted(token, timestamp, nonce))` on the GET
  verification (answer `echostr`) and on every POST of XML.
- WeCom, and the Official Account's safe mode (`encrypt_type=aes`): `msg_signature =
  sha1(sorted(token, timestamp, nonce, Encrypt))`; Encrypt is base64 of AES-256-CBC (key =
  base64(EncodingAESKey + "="), IV = its first 16 bytes) over random(16) + length(4, big
  endian) + message + receiveid (the corp id / app id), PKCS#7 padded to blocks of 32.

XML never carries a DTD here: any DOCTYPE is refused before an entity could expand (no
billion laughs, no external entities), and the size is capped before parsing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import struct
import xml.etree.ElementTree as ET  # only its tree builder: expat below refuses DTDs
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from .inbound_rules import clean_text

MAX_XML_BYTES = 64 * 1024
BLOCK = 32


class Refused(ValueError):
    """A callback that fails its signature or cannot be read (the route answers 401/422)."""


# --- signatures -----------------------------------------------------------------------------


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode(), usedforsecurity=False).hexdigest()


def signature_matches(expected_parts: tuple[str, ...], given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(sha1_signature(*expected_parts), str(given).lower())


# --- AES message crypto (WeCom, OA safe mode) -----------------------------------------------


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte key of a 43-character EncodingAESKey."""
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise Refused("The EncodingAESKey is not base64.") from None
    if len(key) != 32:
        raise Refused("The EncodingAESKey must be 43 characters (32 bytes).")
    return key


def encrypt(
    encoding_aes_key: str, message: str, receive_id: str, *, nonce: bytes | None = None
) -> str:
    """Encrypt as WeChat does (tests and replies use it)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = aes_key(encoding_aes_key)
    body = message.encode()
    plain = (nonce or os.urandom(16)) + struct.pack(">I", len(body)) + body + receive_id.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encoding_aes_key: str, encrypted: str, receive_id: str) -> str:
    """The message inside an Encrypt field; Refused when it is not ours (bad padding, another
    receiveid) or not readable."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = aes_key(encoding_aes_key)
    try:
        data = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise Refused("Encrypt is not base64.") from None
    if not data or len(data) % 16:
        raise Refused("Encrypt is not whole AES blocks.")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise Refused("Encrypt does not decrypt with this key (padding).")
    plain = plain[:-pad]
    if len(plain) < 20:
        raise Refused("Encrypt is too short.")
    (length,) = struct.unpack(">I", plain[16:20])
    if 20 + length > len(plain):
        raise Refused("Encrypt's length field runs past its end.")
    message, tail = plain[20 : 20 + length], plain[20 + length :]
    if not hmac.compare_digest(tail, receive_id.encode()):
        raise Refused("The message was encrypted for another receiver (receiveid).")
    try:
        return message.decode()
    except UnicodeDecodeError:
        raise Refused("The decrypted message is not UTF-8.") from None


# --- XML ------------------------------------------------------------------------------------


def parse_xml(raw: bytes | str) -> dict[str, str]:
    """The child elements of a WeChat `<xml>` document as text; Refused for anything else."""
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > MAX_XML_BYTES:
        raise Refused("The XML is larger than a WeChat message can be.")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_dtd(*_args: Any) -> None:
        raise Refused("XML with a DOCTYPE (entities) is refused.")

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
        root = builder.close()
    except (expat.ExpatError, AssertionError, IndexError) as exc:
        raise Refused(f"The body is not well-formed XML ({exc}).") from None
    if root.tag != "xml":
        raise Refused("A WeChat message is an <xml> document.")
    return {child.tag: (child.text or "").strip() for child in root}


# --- messages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeChatMessage:
    """One callback message: who sent it and what, whichever product and format."""

    sender: str  # OA: the follower's openid; WeCom: the member's userid
    msg_type: str  # text, image, voice, video, location, link, event
    external_id: str
    text: str = ""
    event: str = ""
    attachments: list[dict[str, Any]] = field(default_factory=list)
    to: str = ""

    @property
    def opens_ticket(self) -> bool:
        """Events (subscribe, menu clicks) are acknowledged, not tickets."""
        return self.msg_type != "event"


def message_from_xml(fields: dict[str, str]) -> WeChatMessage:
    sender = fields.get("FromUserName", "")
    msg_type = fields.get("MsgType", "").lower()
    if not sender or not msg_type:
        raise Refused("A message names FromUserName and MsgType.")
    # WeChat retries a message 3 times; MsgId dedups, events have none (FromUserName +
    # CreateTime is WeChat's own advice).
    external_id = fields.get("MsgId") or f"{sender}:{fields.get('CreateTime', '')}"
    attachments: list[dict[str, Any]] = []
    text = clean_text(fields.get("Content", ""), keep_newlines=True)
    if msg_type in ("image", "voice", "video", "file"):
        media = fields.get("MediaId", "")
        attachments.append(
            {
                "key": f"wechat-media/{media}",
                "name": fields.get("PicUrl", "") or media,
                "content_type": {"image": "image/jpeg", "voice": "audio/amr"}.get(
                    msg_type, "application/octet-stream"
                ),
                "size": 0,
            }
        )
        text = text or f"[{msg_type}]"
    elif msg_type == "location":
        text = f"[location] {fields.get('Label', '')} ({fields.get('Location_X')}, {fields.get('Location_Y')})"
    elif msg_type == "link":
        text = f"[link] {fields.get('Title', '')} {fields.get('Url', '')}".strip()
    return WeChatMessage(
        sender=sender,
        msg_type=msg_type,
        external_id=f"wx:{external_id}",
        text=text,
        event=fields.get("Event", "").lower(),
        attachments=attachments,
        to=fields.get("ToUserName", ""),
    )


def message_from_json(raw: str) -> WeChatMessage:
    """WeCom's JSON callbacks (e.g. its bots): msgid, from.userid, msgtype, text.content."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise Refused("The decrypted message is neither XML nor JSON.") from None
    if not isinstance(data, dict):
        raise Refused("The decrypted JSON is not an object.")
    sender = (data.get("from") or {}).get("userid") if isinstance(data.get("from"), dict) else None
    msg_type = str(data.get("msgtype") or "").lower()
    if not sender or not msg_type:
        raise Refused("A message names from.userid and msgtype.")
    text_part = data.get("text")
    text = text_part.get("content", "") if isinstance(text_part, dict) else ""
    return WeChatMessage(
        sender=str(sender),
        msg_type=msg_type,
        external_id=f"wx:{data.get('msgid') or sender}",
        text=clean_text(str(text), keep_newlines=True) or f"[{msg_type}]",
        event=str(event.get("eventtype", ""))
        if isinstance(event := data.get("event"), dict)
        else "",
    )


def read_decrypted(plain: str) -> WeChatMessage:
    text = plain.lstrip()
    return message_from_json(text) if text.startswith("{") else message_from_xml(parse_xml(text))
