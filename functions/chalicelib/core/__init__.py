"""Shared plumbing: settings, errors, auth, the table, HTTP helpers, pagination, observability.

Areas import these public names from `chalicelib.core`, never from the private modules,
except for the Chalice wiring in `gateway` which only app.py uses.
"""

from .auth import Principal, Role, can_read_owned, can_write_owned, require_role
from .errors import (
    BadRequest,
    Conflict,
    CrmError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from .settings import Settings, get_settings

__all__ = [
    "BadRequest",
    "Conflict",
    "CrmError",
    "Forbidden",
    "NotFound",
    "PreconditionFailed",
    "Principal",
    "Role",
    "Settings",
    "TooManyRequests",
    "Unauthorized",
    "ValidationFailed",
    "can_read_owned",
    "can_write_owned",
    "get_settings",
    "require_role",
]
