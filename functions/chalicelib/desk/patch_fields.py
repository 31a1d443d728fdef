"""Patch fields a record always has: a merge patch may leave them out or change them, never
send them as null (the JSON Schema says so; a null is refused as invalid, not stored)."""

from __future__ import annotations

from typing import Any

from pydantic import BeforeValidator
from pydantic.json_schema import SkipJsonSchema


def _kept(value: Any) -> Any:
    if value is None:
        raise ValueError("it may be changed, not cleared")
    return value


# `Annotated[X | Unset, Kept] = None`: left out is None; null is refused; the schema has no null.
Unset = SkipJsonSchema[None]
Kept = BeforeValidator(_kept)
