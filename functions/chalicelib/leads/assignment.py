"""Who gets a new lead (pure): the tenant's assignment rules over the lead's region and
industry, then the chosen team's active reps by load (fewest open leads) or round robin.

The service does the I/O in two moves: `target_of` says which team's reps (and whose open-lead
counts) it must read, `choose` picks among them with the team's round-robin position. A rule
matches when every value it names equals the lead's (case and spaces ignored); the first
matching rule wins; no match falls back to the default team, round robin unless told
otherwise. A fixed rep who is not among the active candidates is skipped for their team.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LOAD, ROUND_ROBIN = "load", "round_robin"


@dataclass(frozen=True)
class Rule:
    name: str
    region: str | None = None
    industry: str | None = None
    team_id: str | None = None
    owner_id: str | None = None
    strategy: str = LOAD


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...] = ()
    default_team_id: str | None = None
    default_strategy: str = ROUND_ROBIN

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Rules:
        """From the stored (or API) shape."""
        return cls(
            rules=tuple(
                Rule(
                    name=str(r["name"]),
                    region=r.get("region"),
                    industry=r.get("industry"),
                    team_id=r.get("team_id"),
                    owner_id=r.get("owner_id"),
                    strategy=str(r.get("strategy") or LOAD),
                )
                for r in data.get("rules") or ()
            ),
            default_team_id=data.get("default_team_id"),
            default_strategy=str(data.get("default_strategy") or ROUND_ROBIN),
        )


@dataclass(frozen=True)
class Candidate:
    """An active rep of the team, with the open leads they hold in it."""

    user_id: str
    open_leads: int = 0


@dataclass(frozen=True)
class Target:
    """Where a lead goes before anyone is picked: a rule (or the default) names these."""

    team_id: str | None
    owner_id: str | None
    strategy: str
    rule: str | None  # the matching rule's name; None: the default


@dataclass(frozen=True)
class Choice:
    owner_id: str | None  # None: the team's pool (nobody to give it to)
    team_id: str | None
    reason: str
    uses_turn: bool  # the team's round-robin position moves on


def _same(a: str | None, b: str | None) -> bool:
    return (
        a is not None
        and b is not None
        and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
    )


def matches(rule: Rule, region: str | None, industry: str | None) -> bool:
    if rule.region is None and rule.industry is None:
        return False
    if rule.region is not None and not _same(rule.region, region):
        return False
    return rule.industry is None or _same(rule.industry, industry)


def target_of(lead: Mapping[str, Any], rules: Rules) -> Target:
    """The first rule matching the lead's region and industry, else the default team."""
    for rule in rules.rules:
        if matches(rule, lead.get("region"), lead.get("industry")):
            return Target(rule.team_id, rule.owner_id, rule.strategy, rule.name)
    return Target(rules.default_team_id, None, rules.default_strategy, None)


def _where(target: Target) -> str:
    return f"rule {target.rule!r}" if target.rule else "the default assignment"


def choose(
    lead: Mapping[str, Any],
    rules: Rules,
    candidates: Sequence[Candidate],
    position: int,
) -> Choice:
    """The lead's owner and team: `candidates` are the target team's active reps with their
    open-lead counts, `position` the team's round-robin position (any whole number)."""
    target = target_of(lead, rules)
    where = _where(target)
    ordered = sorted(candidates, key=lambda c: c.user_id)
    if target.owner_id is not None:
        if target.team_id is None or any(c.user_id == target.owner_id for c in ordered):
            return Choice(target.owner_id, target.team_id, f"{where}: fixed rep", False)
        where += f" (rep {target.owner_id} not available)"
    if not ordered:
        return Choice(None, target.team_id, f"{where}: nobody available, team pool", False)
    if target.strategy == LOAD:
        fewest = min(c.open_leads for c in ordered)
        tied = [c for c in ordered if c.open_leads == fewest]
        picked = tied[position % len(tied)]
        reason = f"{where}: fewest open leads ({fewest})"
        if len(tied) > 1:
            reason += f", turn {position % len(tied) + 1} of {len(tied)} tied"
        return Choice(picked.user_id, target.team_id, reason, len(tied) > 1)
    picked = ordered[position % len(ordered)]
    reason = f"{where}: round robin, turn {position % len(ordered) + 1} of {len(ordered)}"
    return Choice(picked.user_id, target.team_id, reason, True)
