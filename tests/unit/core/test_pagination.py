"""Cursors are opaque, signed and bound to their query."""

from __future__ import annotations

import pytest

from chalicelib.core import BadRequest
from chalicelib.core.pagination import decode_cursor, encode_cursor, page_size

KEY = {"pk": "T#acme#C#1", "sk": "#PROFILE"}


def test_a_cursor_round_trips_to_the_same_key():
    assert decode_cursor(encode_cursor(KEY, "scope"), "scope") == KEY


def test_no_last_key_means_no_next_cursor():
    assert encode_cursor(None, "scope") is None


def test_an_altered_cursor_is_refused_naming_next():
    cursor = encode_cursor(KEY, "scope")
    assert cursor is not None
    forged = ("A" if cursor[0] != "A" else "B") + cursor[1:]
    with pytest.raises(BadRequest) as failure:
        decode_cursor(forged, "scope")
    assert failure.value.field == "next"


def test_a_cursor_of_another_query_is_refused():
    with pytest.raises(BadRequest):
        decode_cursor(encode_cursor(KEY, "acme|alice|OWNER|alice"), "acme|bob|OWNER|bob")


def test_a_cursor_signed_with_another_secret_is_refused():
    with pytest.raises(BadRequest):
        decode_cursor(encode_cursor(KEY, "s", secret="one"), "s", secret="two")


@pytest.mark.parametrize("junk", ["", "not-a-cursor", "....", "eyJ9.x"])
def test_garbage_is_refused_or_ignored_never_crashes(junk):
    if junk == "":
        assert decode_cursor(junk, "s") is None
    else:
        with pytest.raises(BadRequest):
            decode_cursor(junk, "s")


def test_page_size_defaults_and_is_bounded():
    assert page_size(None) == 25
    assert page_size("100") == 100
    for bad in (
        "0",
        "101",
        "ten",
        "",
    ):  # an empty limit is not a number (the contract says integer)
        with pytest.raises(BadRequest):
            page_size(bad)


def test_in_aws_the_signing_key_comes_from_secrets_manager(monkeypatch):
    import boto3
    from moto import mock_aws

    from chalicelib.core.settings import get_settings

    with mock_aws():
        arn = boto3.client("secretsmanager").create_secret(Name="cursor", SecretString="s3cr3t")[
            "ARN"
        ]
        monkeypatch.setenv("CRM_STAGE", "prod")
        monkeypatch.setenv("CRM_CURSOR_SECRET_ARN", arn)
        get_settings.cache_clear()
        cursor = encode_cursor(KEY, "scope")
    assert decode_cursor(cursor, "scope", secret="s3cr3t") == KEY


def test_in_aws_without_a_secret_cursors_refuse_to_be_signed(monkeypatch):
    from chalicelib.core.settings import get_settings

    monkeypatch.setenv("CRM_STAGE", "prod")
    monkeypatch.delenv("CRM_CURSOR_SECRET_ARN", raising=False)
    monkeypatch.delenv("CRM_CURSOR_SECRET", raising=False)
    get_settings.cache_clear()
    with pytest.raises(RuntimeError, match="CRM_CURSOR_SECRET_ARN"):
        encode_cursor(KEY, "scope")
