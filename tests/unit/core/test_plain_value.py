"""The table's fast attribute reader answers exactly what boto3's TypeDeserializer does."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core.table import plain_value

# Numbers DynamoDB holds (38 significant digits at most; the API refuses longer ones).
numbers = st.decimals(
    allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12
) | (st.integers(-(10**15), 10**15).map(Decimal))
scalars = st.none() | st.booleans() | st.text(max_size=8) | numbers | st.binary(max_size=4)
sets = (
    st.frozensets(st.text(min_size=1, max_size=4), min_size=1, max_size=3).map(set)
    | st.frozensets(st.integers(-99, 99).map(Decimal), min_size=1, max_size=3).map(set)
    | st.frozensets(st.binary(min_size=1, max_size=3), min_size=1, max_size=3).map(set)
)
values = st.recursive(
    scalars | sets,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_given_any_stored_value_then_it_reads_as_boto3_reads_it(value: Any) -> None:
    stored = TypeSerializer().serialize(value)

    expected = TypeDeserializer().deserialize(stored)
    read = plain_value(stored)

    assert read == expected
    assert type(read) is type(expected)


def test_given_binary_then_it_is_boto3s_binary() -> None:
    assert plain_value({"B": b"\x01"}) == Binary(b"\x01")
