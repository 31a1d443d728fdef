"""What the tenant sets up for its desk, through the API: settings (If-Match), priority rules
that choose a new ticket's priority, saved replies with variables, attachment uploads."""

from __future__ import annotations

from typing import Any

from .conftest import AGENT, OTHER_AGENT, REP_A


def test_given_desk_settings_when_replaced_with_a_stale_version_then_412(api: Any) -> None:
    first = api.put("/v1/desk/settings", {"reopen_window_days": 3, "auto_close_days": 5})
    stale = api.put("/v1/desk/settings", {"reopen_window_days": 1}, headers={"If-Match": '"0"'})

    assert first.status_code == 200, first.json
    assert api.get("/v1/desk/settings", as_=AGENT).json["auto_close_days"] == 5
    assert stale.status_code == 412
    assert api.put("/v1/desk/settings", {}, as_=AGENT).status_code == 403


def test_given_whole_days_written_as_n_point_0_then_the_settings_take_them(api: Any) -> None:
    saved = api.put("/v1/desk/settings", {"reopen_window_days": 7.0, "auto_close_days": 2.0})

    assert saved.status_code == 200, saved.json
    assert (saved.json["reopen_window_days"], saved.json["auto_close_days"]) == (7, 2)


def test_given_a_tenant_priority_rule_then_new_tickets_take_its_priority(
    api: Any, ticket: Any
) -> None:
    rule = api.post(
        "/v1/ticket-priority-rules",
        {
            "name": "Printers first",
            "priority": "P0",
            "condition": {"mentions": [{"var": "ticket.text"}, "printer"]},
        },
    )

    made = ticket(subject="Printer jam")

    assert rule.status_code == 201, rule.json
    assert made["priority"] == "P0"
    assert made["priority_reason"] == "rule: Printers first"
    bad = api.post(
        "/v1/ticket-priority-rules",
        {"name": "x", "priority": "P1", "condition": {"==": [{"var": "ticket.nope"}, 1]}},
    )
    assert bad.status_code == 422
    assert api.get("/v1/ticket-priority-rules", as_=AGENT).status_code == 403


def test_given_a_saved_reply_when_rendered_for_a_ticket_then_its_variables_are_filled(
    api: Any, ticket: Any
) -> None:
    made = ticket()
    reply = api.post(
        "/v1/saved-replies",
        {
            "name": "greet",
            "text": "{{customer.name}} 您好，工单 {{ticket.id}} 由 {{agent.name}} 处理",
        },
        as_=AGENT,
        headers={"Idempotency-Key": "r-1"},
    )

    rendered = api.post(
        f"/v1/saved-replies/{reply.json['id']}/render", {"ticket_id": made["ticket_id"]}, as_=AGENT
    )

    assert reply.status_code == 201, reply.json
    assert rendered.json == {
        "text": f"Lin Wei 您好，工单 {made['ticket_id']} 由 ann 处理",
        "missing": [],
    }


def test_given_a_personal_reply_when_another_agent_asks_then_404(api: Any) -> None:
    mine = api.post("/v1/saved-replies", {"name": "mine", "text": "hi"}, as_=AGENT).json

    assert api.get(f"/v1/saved-replies/{mine['id']}", as_=OTHER_AGENT).status_code == 404
    listed = api.get("/v1/saved-replies", as_=OTHER_AGENT).json["items"]
    assert listed == []
    global_by_agent = api.post(
        "/v1/saved-replies", {"name": "g", "text": "hi", "scope": "global"}, as_=AGENT
    )
    assert global_by_agent.status_code == 403


def test_given_a_team_reply_when_changed_with_if_match_then_the_team_sees_the_new_text(
    api: Any,
) -> None:
    made = api.post(
        "/v1/saved-replies", {"name": "t", "text": "v1", "scope": "team"}, as_=AGENT, team="east"
    ).json
    path = f"/v1/saved-replies/{made['id']}"

    changed = api.patch(path, {"text": "v2"}, as_=AGENT, team="east", headers={"If-Match": '"1"'})
    stale = api.patch(path, {"text": "v3"}, as_=AGENT, team="east", headers={"If-Match": '"1"'})

    assert changed.status_code == 200, changed.json
    assert stale.status_code == 412
    assert api.get(path, as_=OTHER_AGENT, team="east").json["text"] == "v2"
    assert api.delete(path, as_=OTHER_AGENT, team="west").status_code == 404
    assert api.delete(path, as_=AGENT, team="east").status_code == 204


def test_given_a_saved_reply_when_a_patch_clears_its_name_or_text_then_it_is_refused_not_500(
    api: Any,
) -> None:
    made = api.post("/v1/saved-replies", {"name": "n", "text": "t"}, as_=AGENT).json
    path = f"/v1/saved-replies/{made['id']}"

    cleared = api.patch(path, {"name": None, "text": None, "language": None}, as_=AGENT)
    language_only = api.patch(path, {"language": None}, as_=AGENT)

    assert cleared.status_code in (400, 422), cleared.json
    assert language_only.status_code == 200, language_only.json
    assert (language_only.json["name"], language_only.json["text"]) == ("n", "t")


def test_given_a_ticket_when_an_attachment_is_asked_for_then_a_presigned_put_under_the_tenant(
    api: Any, ticket: Any
) -> None:
    import boto3
    import requests

    made = ticket()

    upload = api.post(
        f"/v1/tickets/{made['ticket_id']}/attachments",
        {"name": "日志 log.txt", "content_type": "text/plain", "size": 5},
        headers={"Idempotency-Key": "a-1"},
    )

    assert upload.status_code == 201, upload.json
    key = upload.json["key"]
    assert key.startswith(f"tenants/acme/tickets/{made['ticket_id']}/")
    assert "X-Amz-Signature" in upload.json["url"]
    put = requests.put(upload.json["url"], data=b"hello", headers=upload.json["headers"], timeout=5)
    assert put.status_code == 200
    stored = boto3.client("s3", region_name="us-east-1").get_object(
        Bucket="crm-attachments", Key=key
    )
    assert stored["Body"].read() == b"hello"
    assert api.get(f"/v1/tickets/{made['ticket_id']}").json["attachments"][0]["key"] == key
    refused = api.post(
        f"/v1/tickets/{made['ticket_id']}/attachments",
        {"name": "x", "content_type": "text/plain", "size": 5},
        as_=REP_A,
    )
    assert refused.status_code == 403
