"""The pydantic bases every area's models derive from, and validation that names the bad field.

`Schema` for what we answer, `Strict` for what clients send (unknown fields refused). Both defer
building their validators to first use, so importing a models module costs the API's cold
start almost nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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


class Job(Schema):
    """A background job (e.g. a new rule applied to the customers it already matches)."""

    id: str
    kind: str
    status: str = Field(description="running, done or failed.")
    params: dict[str, Any] = Field(default_factory=dict)
    steps: int = Field(description="Pages done so far.")
    processed: int = Field(description="Records handled so far.")
    started_by: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    error: str | None = None


class JobPage(Schema):
    items: list[Job]
    next: str | None = None
