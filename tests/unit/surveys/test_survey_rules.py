"""The survey link's token and when a ticket's change asks for a survey (pure rules, tables)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.core import Role
from chalicelib.surveys import rules
from chalicelib.surveys.rules import Claims, TokenProblem

SECRET = "survey-secret"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CLAIMS = Claims("acme", "01SURVEY", "T1", rules.expires(NOW))


def _tampered_payload() -> str:
    token = rules.sign(CLAIMS, SECRET)
    other = rules.sign(Claims("acme", "01SURVEY", "T2", CLAIMS.expires_at), SECRET)
    return other.split(".")[0] + "." + token.split(".")[1]


def test_given_a_signed_token_when_verified_before_expiry_then_it_names_its_survey() -> None:
    token = rules.sign(CLAIMS, SECRET)

    assert rules.verify(token, SECRET, NOW + timedelta(days=13)) == CLAIMS
    assert len(token) < rules.MAX_TOKEN
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


@pytest.mark.parametrize(
    ("case", "token", "now", "reason"),
    [
        ("expired", rules.sign(CLAIMS, SECRET), CLAIMS.expires_at, "expired"),
        ("another secret", rules.sign(CLAIMS, "other"), NOW, "forged"),
        ("payload of another ticket", _tampered_payload(), NOW, "forged"),
        ("no signature", rules.sign(CLAIMS, SECRET).split(".")[0], NOW, "forged"),
        ("two dots", rules.sign(CLAIMS, SECRET) + ".x", NOW, "forged"),
        ("not base64", "%%%.###", NOW, "forged"),
        ("empty", "", NOW, "forged"),
        ("too long", "a" * 300 + ".b", NOW, "forged"),
    ],
)
def test_given_a_bad_token_when_verified_then_it_is_refused_with_its_reason(
    case: str, token: str, now: datetime, reason: str
) -> None:
    with pytest.raises(TokenProblem) as refused:
        rules.verify(token, SECRET, now)

    assert refused.value.reason == reason, case


def test_given_a_payload_signed_right_but_of_another_version_then_it_is_forged() -> None:
    payload = b"v0|acme|S|T|9999999999"
    token = f"{rules._b64(payload)}.{rules._b64(rules._signature(payload, SECRET))}"

    with pytest.raises(TokenProblem):
        rules.verify(token, SECRET, NOW)


RESOLVED = {"status": "resolved", "customer_id": "c1"}


@pytest.mark.parametrize(
    ("before", "after", "wanted"),
    [
        ({"status": "open"}, RESOLVED, True),
        (None, RESOLVED, True),
        ({"status": "reopened"}, RESOLVED, True),
        ({"status": "resolved"}, RESOLVED, False),  # an edit of a resolved ticket
        ({"status": "open"}, {"status": "closed", "customer_id": "c1"}, False),
        ({"status": "open"}, {**RESOLVED, "merged_into": "T9"}, False),
        ({"status": "open"}, {**RESOLVED, "customer_id": None}, False),
        ({"status": "open"}, None, False),
    ],
)
def test_given_a_ticket_change_then_only_a_resolution_asks_for_a_survey(
    before: dict | None, after: dict | None, wanted: bool
) -> None:
    assert rules.wants_survey(before, after) is wanted


def test_given_one_resolution_then_its_survey_id_is_stable_and_another_resolution_differs() -> None:
    first = rules.survey_id("T1", NOW)

    assert rules.survey_id("T1", NOW) == first
    assert rules.survey_id("T1", NOW + timedelta(days=2)) != first
    assert rules.survey_id("T2", NOW) != first


@pytest.mark.parametrize(
    ("score", "klass"),
    [
        (None, None),
        (0, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
    ],
)
def test_given_an_nps_score_then_its_class(score: int | None, klass: str | None) -> None:
    assert rules.nps_class(score) == klass


@pytest.mark.parametrize(
    ("roles", "sees"),
    [
        ({Role.ADMIN}, True),
        ({Role.SERVICE_AGENT}, True),
        ({Role.FINANCE, Role.SERVICE_AGENT}, True),
        ({Role.FINANCE}, False),
        ({Role.SALES_REP}, False),
        ({Role.CUSTOMER_CONTACT}, False),
    ],
)
def test_given_roles_then_only_agents_and_admins_see_a_survey_link(roles, sees) -> None:
    assert rules.sees_survey_link(frozenset(roles)) is sees


def test_given_scores_written_as_whole_floats_then_they_are_those_integers() -> None:
    from chalicelib.surveys.models import SurveyAnswer

    answer = SurveyAnswer.model_validate({"csat": 4.0, "nps": 9.0})

    assert (answer.csat, answer.nps) == (4, 9)
