"""Who the caller is, from a dev token (local) or Cognito claims (AWS), and what roles allow."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.core import (
    Forbidden,
    Principal,
    Role,
    Unauthorized,
    auth,
    can_read_owned,
    can_write_owned,
)
from chalicelib.core.settings import get_settings


def test_a_minted_dev_token_gives_back_its_principal():
    token = auth.mint_dev_token("acme", "alice", ["sales_rep"], "east")
    caller = auth.principal_from_request({"authorization": f"Bearer {token}"}, {})
    assert caller == Principal("acme", "alice", frozenset({Role.SALES_REP}), "east")


def test_a_request_without_a_token_is_unauthorized():
    with pytest.raises(Unauthorized):
        auth.principal_from_request({}, {})


def test_an_expired_dev_token_is_unauthorized():
    token = auth.mint_dev_token("acme", "alice", ["admin"], ttl_seconds=-10)
    with pytest.raises(Unauthorized, match="expired"):
        auth.principal_from_request({"authorization": f"Bearer {token}"}, {})


def test_a_token_signed_with_another_secret_is_unauthorized():
    import jwt

    forged = jwt.encode(
        {
            "iss": "crm-local",
            "sub": "eve",
            "custom:tenant_id": "acme",
            "cognito:groups": ["admin"],
            "exp": 2**40,
        },
        "guessed-secret",
        algorithm="HS256",
    )
    with pytest.raises(Unauthorized):
        auth.principal_from_request({"authorization": f"Bearer {forged}"}, {})


def test_a_token_without_a_crm_role_is_forbidden():
    token = auth.mint_dev_token("acme", "alice", ["superuser"])
    with pytest.raises(Forbidden):
        auth.principal_from_request({"authorization": f"Bearer {token}"}, {})


def test_a_customer_contacts_token_names_its_customer_and_nothing_else_counts():
    token = auth.mint_dev_token("acme", "kim", ["customer_contact", "admin"], customer_id="C1")
    caller = auth.principal_from_request({"authorization": f"Bearer {token}"}, {})
    assert caller == Principal(
        "acme", "kim", frozenset({Role.CUSTOMER_CONTACT}), None, customer_id="C1"
    )


def test_a_customer_contact_without_its_customer_is_forbidden():
    claims = {"sub": "kim", auth.TENANT_CLAIM: "acme", auth.ROLES_CLAIM: ["customer_contact"]}
    with pytest.raises(Forbidden):
        auth.principal_from_claims(claims)


def test_cognito_groups_flattened_by_api_gateway_are_understood():
    claims = {"sub": "u1", "custom:tenant_id": "acme", "cognito:groups": "[sales_rep, finance]"}
    assert auth.principal_from_claims(claims).roles == {Role.SALES_REP, Role.FINANCE}


def test_in_aws_the_dev_token_is_ignored_and_only_authorizer_claims_count(monkeypatch):
    aws = replace(get_settings(), stage="prod")
    monkeypatch.setattr(auth, "get_settings", lambda: aws)
    token = auth.mint_dev_token("acme", "alice", ["admin"])
    with pytest.raises(Unauthorized):
        auth.principal_from_request({"authorization": f"Bearer {token}"}, {})
    claims = {"sub": "u1", "custom:tenant_id": "acme", "cognito:groups": "admin"}
    caller = auth.principal_from_request({}, {"authorizer": {"claims": claims}})
    assert caller.user_id == "u1"


@pytest.mark.parametrize(
    ("roles", "user", "team", "reads", "writes"),
    [
        ({Role.SALES_REP}, "alice", "east", True, True),
        ({Role.SALES_REP}, "bob", "east", False, False),
        ({Role.SALES_MANAGER}, "carol", "east", True, True),
        ({Role.SALES_MANAGER}, "carol", "west", False, False),
        ({Role.FINANCE}, "dave", None, True, False),
        ({Role.VIEWER}, "vic", None, True, False),
        ({Role.ADMIN}, "root", None, True, True),
    ],
)
def test_who_reads_and_writes_alices_customer_in_team_east(roles, user, team, reads, writes):
    caller = Principal("acme", user, frozenset(roles), team)
    assert can_read_owned(caller, "alice", "east") is reads
    assert can_write_owned(caller, "alice", "east") is writes


def test_a_tenant_id_holding_the_key_separator_is_refused():
    claims = {"sub": "u1", "custom:tenant_id": "acme#C#x", "cognito:groups": "admin"}
    with pytest.raises(Unauthorized):
        auth.principal_from_claims(claims)
