"""The rule-set toolkit under tag rules and automation rules: compiled rules are cached per set,
forgotten in one call, and a stored rule that no longer compiles is skipped, not fatal."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.automation.service import RULES as AUTOMATION_RULES
from chalicelib.core import clear_rule_caches
from chalicelib.core.rule_store import partition, rule_sk
from chalicelib.tagging.service import RULES as TAG_RULES
from chalicelib.tagging.store import TagRuleItem

TAG_RULE = {"name": "vip", "category": "value", "condition": {"==": [{"var": "tier"}, "gold"]}}
AUTOMATION_RULE = {
    "name": "Welcome",
    "trigger": {"type": "change", "on": ["created"]},
    "actions": [{"type": "add_tag", "tag": "new"}],
}


def test_given_rules_of_both_sets_cached_when_caches_are_cleared_then_each_set_reads_again(
    api: Any,
) -> None:
    api.post("/v1/tag-rules", TAG_RULE)
    api.post("/v1/automation-rules", AUTOMATION_RULE)
    assert [r.tag for r in TAG_RULES.enabled("acme")] == ["vip"]
    assert [r.name for r in AUTOMATION_RULES.enabled("acme")] == ["Welcome"]

    clear_rule_caches()

    assert TAG_RULES._cache == {}
    assert AUTOMATION_RULES._cache == {}


def test_given_a_rule_changed_through_the_api_then_the_processs_cache_forgets_it_at_once(
    api: Any,
) -> None:
    rule = api.post("/v1/tag-rules", TAG_RULE).json
    assert len(TAG_RULES.enabled("acme")) == 1

    api.patch(f"/v1/tag-rules/{rule['id']}", {"enabled": False})

    assert TAG_RULES.enabled("acme") == []


def test_given_a_stored_rule_that_no_longer_compiles_then_the_others_still_run(api: Any) -> None:
    api.post("/v1/tag-rules", TAG_RULE)
    stale = TagRuleItem(
        pk=partition("acme", "TAGRULES"),
        sk=rule_sk("r-stale"),
        tenant_id="acme",
        rule_id="r-stale",
        name="stale",
        enabled=True,
        category="risk",
        condition_json=json.dumps({">": [{"var": "aggregates.retired_fact"}, 1]}),
        weight=10,
        created_at=TagRuleItem.created_at.deserialize("2026-01-01T00:00:00.000000+0000"),
        updated_at=TagRuleItem.updated_at.deserialize("2026-01-01T00:00:00.000000+0000"),
        created_by="admin",
    )
    stale.save()
    clear_rule_caches()

    assert [r.tag for r in TAG_RULES.enabled("acme")] == ["vip"]


def test_given_a_rename_from_a_stale_read_then_412_and_nothing_moves(api: Any) -> None:
    rule = api.post("/v1/tag-rules", TAG_RULE).json
    api.patch(f"/v1/tag-rules/{rule['id']}", {"weight": 70})

    stale = api.patch(
        f"/v1/tag-rules/{rule['id']}", {"name": "renamed"}, headers={"If-Match": '"1"'}
    )

    assert stale.status_code == 412
    assert api.get(f"/v1/tag-rules/{rule['id']}").json["name"] == "vip"
    assert api.post("/v1/tag-rules", {**TAG_RULE, "name": "renamed"}).status_code == 201


def test_given_a_rename_to_a_taken_name_then_409(api: Any) -> None:
    rule = api.post("/v1/tag-rules", TAG_RULE).json
    api.post("/v1/tag-rules", {**TAG_RULE, "name": "taken"})

    response = api.patch(f"/v1/tag-rules/{rule['id']}", {"name": "TAKEN"})

    assert response.status_code == 409
    assert response.json["field"] == "name"


def test_given_rule_writes_of_any_set_then_each_moves_the_tenants_rules_version(api: Any) -> None:
    from chalicelib.core.rule_store import rules_version

    rule = api.post("/v1/tag-rules", TAG_RULE).json
    api.post("/v1/automation-rules", AUTOMATION_RULE)
    api.patch(f"/v1/tag-rules/{rule['id']}", {"weight": 60})
    api.delete(f"/v1/tag-rules/{rule['id']}")

    assert rules_version("acme") == 4
    assert rules_version("globex") == 0
