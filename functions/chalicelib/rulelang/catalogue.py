"""The fields a rule may read: a declared catalogue, so a typo is an error, not a silent false."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class ValueType(StrEnum):
    NUMBER = "number"
    STRING = "string"
    BOOL = "bool"
    DATETIME = "datetime"
    LIST = "list"
    ANY = "any"


@dataclass(frozen=True)
class FieldSpec:
    type: ValueType
    choices: frozenset[str] | None = None


_OPEN_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Catalogue:
    """Known paths (`tier`, `aggregates.order_total`) and open maps (`custom_fields.<key>`)."""

    fields: Mapping[str, FieldSpec]
    open_maps: Mapping[str, FieldSpec] = field(default_factory=dict)

    def lookup(self, path: str) -> FieldSpec | None:
        spec = self.fields.get(path)
        if spec is not None:
            return spec
        head, dot, key = path.partition(".")
        if dot and head in self.open_maps and _OPEN_KEY.match(key):
            return self.open_maps[head]
        return None

    def describe(self) -> list[str]:
        """Every path a rule may use, for error messages and documentation."""
        return sorted([*self.fields, *(f"{name}.<key>" for name in self.open_maps)])
