"""The pydantic bases every area's models derive from, and validation that names the bad field.

`Schema` for what we answer, `Strict` for what clients send (unknown fields refused). Both defer
building their validators to first use, so importing a models module costs the API's cold
start almost nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import ValidationFailed

ModelT = TypeVar("ModelT", bound=BaseModel)


class Schema(BaseModel):
    """Responses and stored shapes: validators are built on first use, not at import."""

    model_config = ConfigDict(defer_build=True)


class Strict(Schema):
    """Request bodies: unknown fields are refused, strings stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


def validate(model: type[ModelT], data: Any, prefix: str = "") -> ModelT:
    """`data` as `model`, or 422 naming each bad field (prefixed, e.g. `body.`)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc, prefix) from None


def validation_failed(exc: ValidationError, prefix: str = "") -> ValidationFailed:
    errors = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in err["loc"]) or "body"
        errors.append({"field": f"{prefix}{loc}", "reason": err["msg"], "code": err["type"]})
    first = errors[0]
    return ValidationFailed(
        f"{first['field']}: {first['reason']}", field=first["field"], errors=errors
    )
