"""SLA policies, pure: targets per priority and customer tier, the statuses that pause the
resolution clock, and which policy a ticket falls under."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Policy:
    name: str
    priority: str
    first_response_minutes: int
    resolution_minutes: int
    tier: str | None = None  # None: any tier
    pause_statuses: tuple[str, ...] = ("pending_customer",)


@dataclass(frozen=True)
class SlaRules:
    """A tenant's SLA policies and escalation settings."""

    policies: tuple[Policy, ...]
    warning_percent: int = 80
    unresolved_hours: Mapping[str, int] = field(default_factory=lambda: {"P0": 24, "P1": 24})


def default_policies() -> tuple[Policy, ...]:
    """What a tenant gets until it says otherwise: standard targets, and halved ones for the
    diamond and gold tiers (business minutes)."""
    standard = {"P0": (30, 240), "P1": (60, 480), "P2": (240, 1440), "P3": (480, 2400)}
    found = [Policy("standard", p, fr, res) for p, (fr, res) in standard.items()]
    for tier in ("diamond", "gold"):
        found += [
            Policy(f"{tier}", p, fr // 2, res // 2, tier) for p, (fr, res) in standard.items()
        ]
    return tuple(found)


def choose_policy(rules: SlaRules, *, priority: str, tier: str | None, name: str | None) -> Policy:
    """The ticket's named policy for its priority if there is one, else the one for its tier,
    else the one for any tier; the first policy of the priority as a last resort."""
    same = [p for p in rules.policies if p.priority == priority] or list(rules.policies)
    for matches in (
        lambda p: name is not None and p.name == name,
        lambda p: tier is not None and p.tier == tier,
        lambda p: p.tier is None,
    ):
        found = [p for p in same if matches(p)]
        if found:
            return found[0]
    return same[0]
