"""Pure decisions of the channel webhooks: signatures, clean text, rate-cap buckets, secrets
shown masked. No I/O.

Channel webhooks carry no user token. Email, web chat and device alarms are signed by the
tenant's forwarder with the channel's secret (HMAC-SHA256, the scheme below); WeChat and WeCom
sign their own way (`wechat`).

    X-Crm-Timestamp: <unix seconds>
    X-Crm-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>

A timestamp more than SIGNATURE_WINDOW away from now is refused, so a captured call cannot be
replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import datetime, timedelta

SIGNATURE_WINDOW = timedelta(minutes=5)
SIGNATURE_HEADER = "X-Crm-Signature"
TIMESTAMP_HEADER = "X-Crm-Timestamp"
# Control characters (NUL included) and bidi overrides never reach a ticket; tabs and, where
# asked, newlines stay.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{_BIDI}]")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for a body sent at `timestamp` (what a forwarder sends)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def signature_problem(
    secret: str | None, timestamp: str | None, signature: str | None, body: bytes, now: datetime
) -> str | None:
    """Why a signed call is refused, or None when it is genuine and fresh."""
    if not secret:
        return "This channel is not set up for the tenant."
    if not timestamp or not signature:
        return f"Send {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}."
    if not timestamp.isdigit() or len(timestamp) > 12:
        return f"{TIMESTAMP_HEADER} must be unix seconds."
    sent = datetime.fromtimestamp(int(timestamp), tz=now.tzinfo)
    if abs(now - sent) > SIGNATURE_WINDOW:
        return f"{TIMESTAMP_HEADER} is more than 5 minutes away from now."
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip()):
        return "The signature does not match the body."
    return None


def clean_text(value: str, *, keep_newlines: bool = False) -> str:
    """Text as a ticket keeps it: NFC, no control characters or bidi overrides."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    if not keep_newlines:
        text = " ".join(text.split())
    return _CONTROL.sub("", text).strip()


def sender_key(channel: str, sender: str) -> str:
    """The rate cap's key for a sender (hashed: the counter item holds no address)."""
    return hashlib.sha256(f"{channel}:{sender.strip().lower()}".encode()).hexdigest()[:40]


def hour_bucket(now: datetime) -> str:
    return now.strftime("%Y%m%d%H")


def masked(secret: str | None) -> str | None:
    """A secret as GET shows it: set or not, never its value (the last 2 characters at most,
    so an admin can tell two apart)."""
    if not secret:
        return None
    return "****" + (secret[-2:] if len(secret) >= 16 else "")


# What each channel needs before it can take calls (secrets left out of a PUT keep theirs).
REQUIRED_SETTINGS: dict[str, tuple[str, ...]] = {
    "email": ("secret",),
    "webchat": ("secret",),
    "device": ("secret",),
    "wechat": ("token",),
    "wecom": ("token", "aes_key", "app_id"),
}
SECRET_FIELDS = ("secret", "token", "aes_key")


def merged_settings(
    stored: dict[str, object] | None, given: dict[str, object]
) -> dict[str, object]:
    """A PUT's settings: what was given; secrets it leaves out keep their stored value."""
    merged = dict(given)
    for name in SECRET_FIELDS:
        if merged.get(name) is None and stored and stored.get(name):
            merged[name] = stored[name]
    return merged


def missing_settings(channel: str, settings: dict[str, object]) -> list[str]:
    """The settings a channel still lacks (WeChat's safe mode needs the app id with the key)."""
    missing = [name for name in REQUIRED_SETTINGS[channel] if not settings.get(name)]
    if channel == "wechat" and settings.get("aes_key") and not settings.get("app_id"):
        missing.append("app_id")  # safe mode decrypts for the app id
    return missing
