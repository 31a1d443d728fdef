"""Pure rules of the channel webhooks: HMAC signatures, clean text, masked secrets, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.desk import inbound_rules as rules

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TS = str(int(NOW.timestamp()))
SECRET = "s3cret-s3cret-s3cret"


@pytest.mark.parametrize(
    ("secret", "timestamp", "signature", "problem"),
    [
        (SECRET, TS, rules.sign(SECRET, TS, b"body"), None),
        (None, TS, "v1=x", "not set up"),
        (SECRET, None, "v1=x", "Send"),
        (SECRET, "12ab", "v1=x", "unix seconds"),
        (SECRET, str(int((NOW - timedelta(minutes=6)).timestamp())), "v1=x", "5 minutes"),
        (SECRET, TS, rules.sign("another-tenants-secret", TS, b"body"), "does not match"),
        (SECRET, TS, rules.sign(SECRET, TS, b"other body"), "does not match"),
    ],
)
def test_given_signed_calls_when_checked_then_only_a_fresh_matching_one_passes(
    secret: str | None, timestamp: str | None, signature: str, problem: str | None
) -> None:
    found = rules.signature_problem(secret, timestamp, signature, b"body", NOW)
    assert found is None if problem is None else problem in (found or "")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x00b", "ab"),
        ("  many   spaces\n", "many spaces"),
        ("\u202egnp.exe", "gnp.exe"),
        ("ｅ\u0301", "ｅ\u0301"),
    ],
)
def test_given_raw_text_when_cleaned_then_control_and_bidi_characters_go(
    raw: str, clean: str
) -> None:
    assert rules.clean_text(raw) == clean


@pytest.mark.parametrize(
    ("secret", "shown"), [(None, None), ("short", "****"), ("0123456789abcdefXY", "****XY")]
)
def test_given_secrets_when_shown_then_they_are_masked(
    secret: str | None, shown: str | None
) -> None:
    assert rules.masked(secret) == shown


def test_given_a_put_without_secrets_when_merged_then_the_stored_secrets_stay() -> None:
    merged = rules.merged_settings({"token": "old", "aes_key": "k"}, {"token": None, "app_id": "a"})
    assert merged == {"token": "old", "aes_key": "k", "app_id": "a"}


@pytest.mark.parametrize(
    ("channel", "settings", "missing"),
    [
        ("email", {}, ["secret"]),
        ("wechat", {"token": "t"}, []),
        ("wechat", {"token": "t", "aes_key": "k"}, ["app_id"]),
        ("wecom", {"token": "t"}, ["aes_key", "app_id"]),
    ],
)
def test_given_channel_settings_when_checked_then_what_is_missing_is_named(
    channel: str, settings: dict[str, object], missing: list[str]
) -> None:
    assert rules.missing_settings(channel, settings) == missing
