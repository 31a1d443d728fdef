"""Pure decisions of the approvals area: the facts route rules read, the shipped default routes,
choosing a route, the snapshot hash, who may decide or read, and what a decision does to the
steps. No I/O here; everything is tested with tables of cases.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from ..core import Role
from ..rulelang import Catalogue, FieldSpec, ValueType
from .models import ApproverRole, Step, StepKind

RULE_MANAGERS = (Role.ADMIN,)
SETTINGS_MANAGERS = (Role.ADMIN,)
SELF_APPROVAL_RULE = "no_self_approval"

_N, _S = FieldSpec(ValueType.NUMBER), FieldSpec(ValueType.STRING)
# What an approval rule may read: the facts a subject area hands `request` / `route_for`.
# Kept apart from the customer facts of tag and automation rules (not in the registry's
# catalogue): an approval rule never reads a customer, a tag rule never reads an approval.
FACTS = Catalogue(
    fields={
        "subject_type": _S,
        "amount": _N,  # in the tenant's base currency
        "base_currency": _S,
        "currency": _S,
        "contract_type": _S,
        "stage": _S,
        "from_stage": _S,
        "pipeline_id": _S,
        "term_months": _N,
        "discount_percent": _N,
        "customer_tier": _S,
        "requester_roles": FieldSpec(ValueType.LIST),
    },
    open_maps={"custom": FieldSpec(ValueType.ANY)},
)


UNRULED = Step(kind=StepKind.ROLE, role=ApproverRole.ADMIN)


@dataclass(frozen=True)
class RouteRule:
    """A compiled route rule: when `condition` holds for a subject of `subject_type`, its
    steps join the route at `position`."""

    rule_id: str
    name: str
    subject_type: str
    condition: Any  # rulelang Node
    steps: tuple[Step, ...]
    position: int


# The routes that ship: a tenant's enabled rules for a subject type replace these for it.
DEFAULT_RULES_JSON: tuple[dict[str, Any], ...] = (
    {
        "name": "Contracts need legal",
        "subject_type": "contract",
        "condition": True,
        "steps": [{"kind": "role", "role": "legal"}],
        "position": 10,
    },
    {
        "name": "Contracts over 100,000 need finance",
        "subject_type": "contract",
        "condition": {">": [{"var": "amount"}, 100000]},
        "steps": [{"kind": "role", "role": "finance"}],
        "position": 20,
    },
    {
        "name": "Contracts over 500,000 need management",
        "subject_type": "contract",
        "condition": {">": [{"var": "amount"}, 500000]},
        "steps": [{"kind": "management"}],
        "position": 30,
    },
    {
        "name": "Stage gates need legal",
        "subject_type": "opportunity_stage",
        "condition": True,
        "steps": [{"kind": "role", "role": "legal"}],
        "position": 10,
    },
)


@cache
def default_rules() -> tuple[RouteRule, ...]:
    from ..rulelang import compile_rule

    return tuple(
        RouteRule(
            rule_id=f"default-{index}",
            name=str(rule["name"]),
            subject_type=str(rule["subject_type"]),
            condition=compile_rule(rule["condition"], FACTS),
            steps=tuple(Step.model_validate(s) for s in rule["steps"]),
            position=int(rule["position"]),
        )
        for index, rule in enumerate(DEFAULT_RULES_JSON)
    )


def route_facts(subject_type: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    """The facts a rule sees: the subject's, with its type."""
    return {**facts, "subject_type": subject_type}


def choose_route(
    tenant_rules: Sequence[RouteRule],
    subject_type: str,
    facts: Mapping[str, Any],
    now: datetime,
) -> list[Step]:
    """The ordered steps for a subject: the matching rules' steps by position (then name), a
    step named twice kept once. The tenant's rules for the subject type, else the defaults;
    a subject type nobody wrote a rule for goes to the admins (never approved by omission),
    while rules of its type that all fail to match mean no approval is needed."""
    from ..rulelang import evaluate

    mine = [r for r in tenant_rules if r.subject_type == subject_type]
    candidates = mine or [r for r in default_rules() if r.subject_type == subject_type]
    if not candidates:
        return [UNRULED]
    seen = route_facts(subject_type, facts)
    matched = sorted(
        (r for r in candidates if evaluate(r.condition, seen, now)),
        key=lambda r: (r.position, r.name.casefold(), r.rule_id),
    )
    steps: list[Step] = []
    for rule in matched:
        for step in rule.steps:
            if step not in steps:
                steps.append(step)
    return steps


# --- the snapshot ---------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise ValueError("A snapshot holds only finite numbers.")
        text = format(number.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        return json.dumps(moment.isoformat())
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, Mapping):
        parts = sorted((str(k), _canonical(v)) for k, v in value.items())
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{v}" for k, v in parts) + "}"
    if isinstance(value, set | frozenset):
        return "[" + ",".join(sorted(_canonical(v) for v in value)) + "]"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    raise ValueError(f"A snapshot cannot hold a {type(value).__name__}.")


def canonical_json(snapshot: Mapping[str, Any]) -> str:
    """The snapshot as canonical JSON text: keys sorted, no spaces, numbers in their shortest
    exact decimal form (1.50, Decimal("1.5") and 1.5 agree; 100000 and 1E+5 too)."""
    return _canonical(snapshot)


def snapshot_hash(snapshot: Mapping[str, Any]) -> str:
    """SHA-256 of the snapshot's canonical JSON, in hex: what an approval binds to."""
    return hashlib.sha256(canonical_json(snapshot).encode()).hexdigest()


# --- steps and decisions --------------------------------------------------------------------


def queue_key(step: Mapping[str, Any]) -> tuple[str, str]:
    """The queue a pending step shows in: ("USER", id) or ("ROLE", role)."""
    if step.get("user_id"):
        return "USER", str(step["user_id"])
    return "ROLE", str(step.get("role") or Role.ADMIN.value)


@dataclass(frozen=True)
class Standing:
    """Someone a user stands in for now: their id and the approver roles they hold."""

    user_id: str
    roles: frozenset[str]


def step_approvers(step: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """(the users who may decide the step by name, the roles whose holders may): its approver,
    and whom it escalated to."""
    users = {str(u) for u in (step.get("user_id"), step.get("escalated_to")) if u}
    roles = {str(r) for r in (step.get("escalated_role"),) if r}
    if not step.get("user_id"):
        roles.add(str(step.get("role") or Role.ADMIN.value))
    return users, roles


def deciding_as(
    step: Mapping[str, Any], user_id: str, roles: Iterable[str], standing_in: Sequence[Standing]
) -> tuple[bool, str | None]:
    """Whether the user may decide the step, and on whose behalf (None: in their own name).
    Their own standing comes first; then those they stand in for, in order."""
    users, step_roles = step_approvers(step)
    if user_id in users or step_roles & set(roles):
        return True, None
    for other in standing_in:
        if other.user_id in users or step_roles & other.roles:
            return True, other.user_id
    return False, None


def escalation_of(step: Mapping[str, Any], manager_id: str | None) -> tuple[str, str]:
    """Whom a step waiting too long escalates to: its named approver's manager; a role step's
    (or one whose approver has no manager) to the tenant's admins."""
    if step.get("user_id") and manager_id:
        return "USER", manager_id
    return "ROLE", Role.ADMIN.value


def own_request(approval: Mapping[str, Any], user_id: str, on_behalf_of: str | None) -> bool:
    """Nobody approves their own request: neither its requester nor the subject's owner, nor
    anyone standing in for them."""
    own = {str(approval.get("requested_by") or ""), str(approval.get("subject_owner_id") or "")}
    own.discard("")
    return user_id in own or (on_behalf_of is not None and on_behalf_of in own)


def next_pending(steps: Sequence[Mapping[str, Any]]) -> int | None:
    for step in steps:
        if step.get("status") in ("pending", "waiting"):
            return int(step["index"])
    return None


def apply_decision(
    steps: Sequence[Mapping[str, Any]],
    index: int,
    *,
    approve: bool,
    by: str,
    on_behalf_of: str | None,
    comment: str | None,
    at: datetime,
) -> tuple[list[dict[str, Any]], str, int | None]:
    """The steps after a decision on step `index`, the approval's status and its next step."""
    result = [dict(s) for s in steps]
    decided = result[index]
    decided.update(
        status="approved" if approve else "rejected",
        decided_by=by,
        on_behalf_of=on_behalf_of,
        decided_at=at.isoformat(),
        comment=comment,
    )
    if not approve:
        close_open(result)
        return result, "rejected", None
    following = index + 1
    if following < len(result):
        result[following].update(status="pending", started_at=at.isoformat())
        return result, "pending", following
    return result, "approved", None


def close_open(steps: list[dict[str, Any]]) -> None:
    """The approval ended: its undecided steps are closed."""
    for step in steps:
        if step.get("status") in ("pending", "waiting"):
            step["status"] = "closed"


def initial_steps(route: Sequence[Step], at: datetime) -> list[dict[str, Any]]:
    """A new request's steps: the first pending, the rest waiting (resolved when reached)."""
    return [
        {
            "index": index,
            "kind": step.kind.value,
            "role": step.role.value if step.role else None,
            "user_id": step.user_id,
            "status": "pending" if index == 0 else "waiting",
            "started_at": at.isoformat() if index == 0 else None,
        }
        for index, step in enumerate(route)
    ]


def may_read(
    approval: Mapping[str, Any],
    user_id: str,
    roles: Iterable[str],
    standing_in: Sequence[Standing],
    reads_subject: bool,
) -> bool:
    """Who may see an approval: admins, its requester, those who may read its subject, the
    approvers of its steps and those standing in for them."""
    held = set(roles)
    if Role.ADMIN.value in held or reads_subject or approval.get("requested_by") == user_id:
        return True
    for step in approval.get("steps") or []:
        if deciding_as(step, user_id, held, standing_in)[0]:
            return True
        if step.get("decided_by") == user_id:
            return True
    return False


def is_standing_in(start: datetime | None, end: datetime | None, now: datetime) -> bool:
    return start is not None and end is not None and start <= now < end


def timer_name(tenant_id: str, approval_id: str, step: int, stage: str) -> str:
    """Deterministic Step Functions execution name (<= 80 chars): arming twice starts one."""
    digest = hashlib.sha256(tenant_id.encode()).hexdigest()[:12]
    return f"approval-{digest}-{approval_id[-26:]}-{step}-{stage}"
