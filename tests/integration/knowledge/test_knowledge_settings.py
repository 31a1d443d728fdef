"""A tenant's knowledge settings: the ticket types answered at once, and its reviewers."""

from __future__ import annotations

from typing import Any


def test_given_no_settings_then_questions_are_auto_answered(api: Any) -> None:
    from chalicelib.knowledge import service

    got = api.get("/v1/knowledge/settings", as_=("sam", "service_agent"))

    assert got.json["auto_answer_types"] == ["question"]
    assert service.auto_answer_types("acme") == frozenset({"question"})


def test_given_an_admin_when_replacing_then_the_desk_sees_the_new_types(api: Any) -> None:
    from chalicelib.knowledge import service

    put = api.put("/v1/knowledge/settings", {"auto_answer_types": ["question", "request"]})

    assert put.status_code == 200
    assert put.headers["ETag"] == '"1"'
    assert service.auto_answer_types("acme") == frozenset({"question", "request"})


def test_given_a_stale_version_or_an_agent_then_the_settings_stay(api: Any) -> None:
    api.put("/v1/knowledge/settings", {"auto_answer_types": []})
    api.put("/v1/knowledge/settings", {"reviewers": ["sam"]}, headers={"If-Match": '"1"'})

    stale = api.put("/v1/knowledge/settings", {"reviewers": []}, headers={"If-Match": '"1"'})
    agent = api.put("/v1/knowledge/settings", {"reviewers": ["me"]}, as_=("sam", "service_agent"))
    bad = api.put("/v1/knowledge/settings", {"auto_answer_types": ["Not A Type"]})

    assert (stale.status_code, agent.status_code, bad.status_code) == (412, 403, 422)
    assert api.get("/v1/knowledge/settings").json["reviewers"] == ["sam"]
    assert api.get("/v1/knowledge/settings", as_=("vic", "viewer")).status_code == 403
