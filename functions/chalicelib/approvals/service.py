"""Use cases of the approvals area: the one module other areas import.

The interface sales (stage gates) and contracts (contract approval) call: `route_for`,
`request`, `current`, `void`, `snapshot_hash` (pure, from `rules`), the models `Approval` and
`Step`; they follow the stream notice `approvals.decided` (payload: tenant_id, approval_id,
subject_type, subject_id, status, decided_by, snapshot_hash). The routes' use cases live in
`decisions` (read, decide, withdraw, resubmit, queue, delegates) and `admin` (rules,
settings); they are re-exported here for the API and the rule routes.
"""

from __future__ import annotations

from .admin import (
    create_rule,
    delete_rule,
    get_rule,
    get_settings,
    list_rules,
    patch_rule,
    replace_settings,
)
from .decisions import decide, get_approval, queue, resubmit, set_delegate, withdraw
from .models import Approval, Step
from .rules import snapshot_hash
from .subjects import REPLACED, current, request, route_for, to_approval, void

__all__ = [
    "REPLACED",
    "Approval",
    "Step",
    "create_rule",
    "current",
    "decide",
    "delete_rule",
    "get_approval",
    "get_rule",
    "get_settings",
    "list_rules",
    "patch_rule",
    "queue",
    "replace_settings",
    "request",
    "resubmit",
    "route_for",
    "set_delegate",
    "snapshot_hash",
    "to_approval",
    "void",
    "withdraw",
]
