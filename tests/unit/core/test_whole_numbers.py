"""JSON Schema's `integer` holds 3.0 as well as 3 (the document says "integer" for every whole
number field), so every request body that takes a whole number N takes N.0 too, strictly
validated as the API validates bodies (core.validate_json)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from pydantic import TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

import chalicelib
from chalicelib.core import Strict

CANDIDATES = (1, 0, 2, 28, 100)


def _bodies() -> Iterator[type[Strict]]:
    seen: set[type] = set()
    for found in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        if not found.name.rsplit(".", 1)[-1].endswith("models"):
            continue
        for _, cls in inspect.getmembers(importlib.import_module(found.name), inspect.isclass):
            if issubclass(cls, Strict) and cls is not Strict and cls not in seen:
                seen.add(cls)
                yield cls


def _whole_fields() -> list[tuple[str, Any]]:
    """Every field of a body that takes some whole number, with the one it takes."""
    found = []
    for body in _bodies():
        for name, field in body.model_fields.items():
            adapter = _adapter(field)
            taken = next((n for n in CANDIDATES if _takes(adapter, str(n))), None)
            if taken is not None and not _takes(adapter, '"1"'):
                found.append((f"{body.__module__}.{body.__name__}.{name}", (adapter, taken)))
    return found


def _adapter(field: FieldInfo) -> TypeAdapter[Any]:
    if not field.metadata:
        return TypeAdapter(field.annotation)
    return TypeAdapter(Annotated[(field.annotation, *field.metadata)])  # type: ignore[valid-type]


def _takes(adapter: TypeAdapter[Any], raw: str) -> bool:
    try:
        adapter.validate_json(raw, strict=True)
    except ValidationError:
        return False
    return True


WHOLE_FIELDS = _whole_fields()


def test_the_bodies_have_whole_number_fields_to_check() -> None:
    assert len(WHOLE_FIELDS) >= 20


@pytest.mark.parametrize(("where", "field"), WHOLE_FIELDS, ids=[w for w, _ in WHOLE_FIELDS])
def test_given_a_whole_number_field_when_sent_as_n_point_0_then_it_is_taken_as_n(
    where: str, field: tuple[TypeAdapter[Any], int]
) -> None:
    adapter, n = field

    assert adapter.validate_json(f"{n}.0", strict=True) == n
