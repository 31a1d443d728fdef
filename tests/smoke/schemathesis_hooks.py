"""schemathesis hooks for the run against the local stack: what only a real client can know.

A schema-valid request that no real client would send is not one the API must take: a cursor
comes only from a previous page (a generated one is forged, and refused), and each new
creation carries a new Idempotency-Key (a key reused with another body is refused).
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    if case.query and "next" in case.query:
        case.query.pop("next")
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
