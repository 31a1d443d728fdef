"""Optimistic locking: records users edit carry a version; a change names the one it read."""

from __future__ import annotations

from .errors import PreconditionFailed


def check_version(expected: int | None, current: int) -> None:
    """412 when the client read another version than the stored one (None: no condition)."""
    if expected is not None and expected != current:
        raise PreconditionFailed(
            f"The record is at version {current}, not {expected}; fetch it again.",
            field="If-Match",
            current_version=current,
        )
