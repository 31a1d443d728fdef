"""GET a customer answers without pydantic (profile_view): its JSON is exactly what the
`Customer` model would dump, for any profile the table can hold."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core import Principal, Role
from chalicelib.customers import profile_view, vocabulary
from chalicelib.customers.models import Consent
from chalicelib.customers.service import customer_view
from chalicelib.customers.store import CustomerItem, new_customer_item

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
keys = st.from_regex(r"^[a-z][a-z0-9_]{0,11}$", fullmatch=True)
# pynamodb writes Python numbers; the stream's Decimals read back as the same numbers.
numbers = st.floats(allow_nan=False, allow_infinity=False, width=32)
values = st.none() | st.booleans() | text | numbers | st.integers(-(10**12), 10**12)
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
identities = st.fixed_dictionaries(
    {"kind": st.sampled_from(["phone", "email", "external"]), "value": text},
    optional={"system": st.none() | keys, "verified": st.booleans()},
)


def choice(enum: Any) -> st.SearchStrategy[str]:
    return st.sampled_from([member.value for member in enum])


profiles = st.fixed_dictionaries(
    {
        "customer_type": choice(vocabulary.CustomerType),
        "name": text.filter(bool),
        "owner_id": keys,
        "lifecycle_stage": choice(vocabulary.LifecycleStage),
        "tier": choice(vocabulary.Tier),
        "source": choice(vocabulary.SourceChannel),
        "consent": st.dictionaries(st.sampled_from(vocabulary.CONSENTS), st.booleans()),
        "custom_fields": st.dictionaries(keys, values, max_size=4),
        "identities": st.lists(identities, max_size=3),
        "aggregates": st.dictionaries(
            keys | st.sampled_from(["_applied", "_order_months", "rev"]),
            values | st.lists(values, max_size=3),
            max_size=5,
        ),
        "created_at": moments,
        "updated_at": moments,
        "created_by": keys,
    },
    optional={"team_id": keys},
)


ADMIN = Principal(tenant_id="acme", user_id="ann", roles=frozenset({Role.ADMIN}))
FINANCE = Principal(tenant_id="acme", user_id="fay", roles=frozenset({Role.FINANCE}))
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def stored(attrs: dict[str, Any]) -> CustomerItem:
    """The item as a GetItem hands it back: serialised to DynamoDB's shape and read again."""
    item = new_customer_item("acme", "c1", **attrs)
    item.version = 3
    return CustomerItem.from_raw_data(item.serialize())


@settings(max_examples=150, deadline=None)
@given(profiles, st.sampled_from([ADMIN, FINANCE]))
def test_given_any_stored_profile_then_get_answers_what_the_model_would(
    attrs: dict[str, Any], caller: Principal
) -> None:
    values = stored(attrs).attribute_values

    with patch("chalicelib.customers.store.now", return_value=NOW):
        fast = profile_view.customer_json(values, caller)
        modelled = customer_view(values, caller).model_dump(mode="json")

    assert fast == modelled


def test_given_microseconds_and_bookkeeping_then_times_and_aggregates_match() -> None:
    moment = datetime(2026, 3, 1, 8, 30, 0, 120000, tzinfo=UTC)
    attrs = {
        "customer_type": "person",
        "name": "王芳",
        "owner_id": "alice",
        "lifecycle_stage": "lead",
        "tier": "gold",
        "source": "web",
        "aggregates": {"order_total": 199.5, "order_count": 2, "_applied": ["x"]},
        "created_at": moment,
        "updated_at": moment,
        "created_by": "alice",
    }

    body = profile_view.customer_json(stored(attrs).attribute_values, ADMIN)

    assert body["created_at"] == "2026-03-01T08:30:00.120000Z"
    assert body["aggregates"] == {
        "order_total": "199.50",
        "order_count": 2,
        "order_total_12m": "0.00",
    }
    assert body["version"] == 3


def test_given_the_consent_model_then_its_fields_are_the_declared_consents() -> None:
    assert tuple(Consent.model_fields) == vocabulary.CONSENTS


def test_given_finance_when_a_customer_is_read_then_conversation_aggregates_stay_hidden() -> None:
    attrs = {
        "customer_type": "person",
        "name": "王芳",
        "owner_id": "alice",
        "lifecycle_stage": "lead",
        "tier": "gold",
        "source": "web",
        "aggregates": {"interaction_count": 1, "recent_texts": ["我想退货"]},
        "created_at": NOW,
        "updated_at": NOW,
        "created_by": "alice",
    }

    body = profile_view.customer_json(stored(attrs).attribute_values, FINANCE)

    assert "recent_texts" not in body["aggregates"]
    assert body["aggregates"]["interaction_count"] == 1
