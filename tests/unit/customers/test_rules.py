"""Pure decisions of the customers area, tested directly with plain data."""

from __future__ import annotations

import pytest

from chalicelib.core import Forbidden, Principal, Role, ValidationFailed
from chalicelib.customers import rules
from chalicelib.customers.models import CustomFieldDef, IdentityIn


def who(user: str, *roles: Role, team: str | None = None) -> Principal:
    return Principal("acme", user, frozenset(roles), team)


class TestIdentityNormalisation:
    def test_a_chinese_mobile_without_prefix_is_read_in_the_tenant_region(self):
        assert rules.normalise_phone("138 0013 8000", "CN") == "+8613800138000"

    def test_a_number_with_a_plus_ignores_the_tenant_region(self):
        assert rules.normalise_phone("+1 (650) 253-0000", "CN") == "+16502530000"

    def test_a_number_too_short_for_the_region_is_refused_with_the_reason(self):
        with pytest.raises(ValueError, match="not a valid phone number"):
            rules.normalise_phone("12345", "CN")

    def test_letters_are_not_a_phone_number(self):
        with pytest.raises(ValueError, match="not a phone number"):
            rules.normalise_phone("call me", "CN")

    def test_an_email_is_lower_cased_and_trimmed(self):
        assert rules.normalise_email("  Wei.Zhang@Example.COM ") == "wei.zhang@example.com"

    @pytest.mark.parametrize("bad", ["no-at-sign", "a@b", "a b@c.com", "@example.com"])
    def test_malformed_emails_are_refused(self, bad):
        with pytest.raises(ValueError, match="email"):
            rules.normalise_email(bad)

    def test_an_external_id_needs_its_source_system(self):
        with pytest.raises(ValueError, match="source system"):
            rules.normalise_identity(IdentityIn(kind="external", value="C-1"), "CN")

    def test_only_external_ids_carry_a_system(self):
        with pytest.raises(ValueError, match="only external"):
            rules.normalise_identity(
                IdentityIn(kind="wechat_openid", value="o1", system="erp"), "CN"
            )

    def test_the_same_identity_twice_in_one_request_collapses_to_one(self):
        identities = [
            IdentityIn(kind="email", value="A@x.com"),
            IdentityIn(kind="email", value="a@X.com"),
        ]
        assert len(rules.normalise_identities(identities, "CN")) == 1

    def test_every_bad_identity_is_named_by_its_position(self):
        identities = [
            IdentityIn(kind="email", value="ok@x.com"),
            IdentityIn(kind="phone", value="nope"),
        ]
        with pytest.raises(ValidationFailed) as failure:
            rules.normalise_identities(identities, "CN")
        assert failure.value.field == "identities.1.value"


class TestNames:
    def test_company_suffixes_width_and_case_do_not_matter(self):
        assert rules.name_key("ACME Co., Ltd.") == rules.name_key("acme")

    def test_chinese_company_suffix_is_dropped(self):
        assert rules.name_key("华为技术有限公司") == "华为技术"

    def test_a_chinese_name_blocks_on_its_surname_character(self):
        assert rules.name_block(rules.name_key("张伟")) == "张"

    def test_a_latin_name_blocks_on_its_first_two_letters(self):
        assert rules.name_block(rules.name_key("Zhang Wei")) == "zh"

    def test_reordered_names_are_very_similar(self):
        assert rules.name_similarity("Wei Zhang", "Zhang Wei") >= rules.MATCH_THRESHOLD

    def test_different_names_are_not_similar(self):
        assert rules.name_similarity("Zhang Wei", "Zhao Min") < rules.MATCH_THRESHOLD


class TestPermissions:
    def test_a_rep_creating_for_someone_else_is_refused(self):
        with pytest.raises(Forbidden):
            rules.owner_for_new_customer(who("alice", Role.SALES_REP, team="east"), "bob", None)

    def test_a_rep_owns_what_they_create_in_their_team(self):
        caller = who("alice", Role.SALES_REP, team="east")
        assert rules.owner_for_new_customer(caller, None, None) == ("alice", "east")

    def test_a_manager_assigns_within_their_team_only(self):
        caller = who("carol", Role.SALES_MANAGER, team="east")
        assert rules.owner_for_new_customer(caller, "bob", None) == ("bob", "east")
        with pytest.raises(Forbidden):
            rules.owner_for_new_customer(caller, "bob", "west")

    def test_a_viewer_may_not_create_customers(self):
        with pytest.raises(Forbidden):
            rules.owner_for_new_customer(who("v", Role.VIEWER), None, None)

    def test_a_rep_may_not_reassign(self):
        with pytest.raises(Forbidden):
            rules.check_reassignment(who("alice", Role.SALES_REP), "bob", None)

    def test_finance_never_sees_interaction_text(self):
        assert rules.hides_interaction_text(who("dave", Role.FINANCE))
        assert not rules.hides_interaction_text(who("amy", Role.SERVICE_AGENT))

    def test_legal_reads_customers_tenant_wide_but_never_interaction_text(self):
        lawyer = who("lena", Role.LEGAL)
        assert rules.hides_interaction_text(lawyer)
        assert rules.list_scope(lawyer, {"owner": "bob"}).only_owner is None

    def test_a_rep_listing_another_reps_customers_is_refused(self):
        with pytest.raises(Forbidden):
            rules.list_scope(who("alice", Role.SALES_REP), {"owner": "bob"})

    def test_a_rep_listing_by_stage_only_sees_their_own(self):
        scope = rules.list_scope(who("alice", Role.SALES_REP), {"stage": "lead"})
        assert (scope.facet, scope.value, scope.only_owner) == ("STAGE", "lead", "alice")

    def test_listing_with_no_filter_lists_the_callers_customers(self):
        scope = rules.list_scope(who("alice", Role.ADMIN), {})
        assert (scope.facet, scope.value) == ("OWNER", "alice")

    def test_two_filters_at_once_are_refused(self):
        with pytest.raises(ValidationFailed):
            rules.list_scope(who("alice", Role.ADMIN), {"owner": "a", "tier": "gold"})

    def test_service_agents_log_interactions_on_any_customer_but_not_orders(self):
        agent = who("amy", Role.SERVICE_AGENT)
        rules.check_can_log(agent, "bob", "east", rules.ACTIVITY_ROLES)
        with pytest.raises(Forbidden):
            rules.check_can_log(agent, "bob", "east", rules.ORDER_ROLES)


class TestCustomFields:
    DEFS = (
        CustomFieldDef(name="industry", type="enum", options=["retail", "saas"], required=True),
        CustomFieldDef(name="employees", type="integer"),
        CustomFieldDef(name="founded", type="date"),
    )

    def test_valid_values_pass_and_dates_are_normalised(self):
        values = {"industry": "retail", "employees": 12, "founded": "2001-02-03"}
        assert (
            rules.validate_custom_fields(self.DEFS, values, partial=False)["founded"]
            == "2001-02-03"
        )

    def test_an_unknown_field_is_named(self):
        with pytest.raises(ValidationFailed) as failure:
            rules.validate_custom_fields(self.DEFS, {"industry": "retail", "x": 1}, partial=False)
        assert failure.value.field == "custom_fields.x"

    def test_a_wrong_type_is_named_with_the_expected_type(self):
        with pytest.raises(ValidationFailed, match="expects a integer"):
            rules.validate_custom_fields(
                self.DEFS, {"industry": "retail", "employees": "many"}, partial=False
            )

    def test_a_value_outside_the_enum_lists_the_options(self):
        with pytest.raises(ValidationFailed, match="retail, saas"):
            rules.validate_custom_fields(self.DEFS, {"industry": "mining"}, partial=False)

    def test_a_missing_required_field_is_refused_on_create(self):
        with pytest.raises(ValidationFailed) as failure:
            rules.validate_custom_fields(self.DEFS, {}, partial=False)
        assert failure.value.field == "custom_fields.industry"

    def test_a_patch_may_clear_an_optional_field_with_null(self):
        current = {"industry": "saas", "employees": 3}
        result = rules.validate_custom_fields(
            self.DEFS, {"employees": None}, partial=True, current=current
        )
        assert result == {"industry": "saas"}
