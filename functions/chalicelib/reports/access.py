"""Who may read which figures (pure decisions, no I/O).

A rep sees only their own figures; a sales manager their team's (the token's `team_id`) and
their own; admins, finance and viewers the whole tenant's. Other roles read no sales figures.
Asking for figures one may not see answers 404 (as for a record); asking for a kind of figure
one's role never reads (a rep asking for a team) answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import Forbidden, NotFound, Principal, Role
from .rules import ALL

TENANT_WIDE = frozenset({Role.ADMIN, Role.FINANCE, Role.VIEWER})
READERS = TENANT_WIDE | {Role.SALES_MANAGER, Role.SALES_REP}


@dataclass(frozen=True)
class Scope:
    """Whose figures: the whole tenant (ALL), one owner (O#<id>) or one team (TM#<id>).

    `team_checked_against`: the team the stored figures must belong to (a manager reading
    one of their reps); None when the scope itself settles it."""

    key: str
    owner_id: str | None = None
    team_id: str | None = None
    team_checked_against: str | None = None


def _check_reader(principal: Principal) -> None:
    if not principal.roles & READERS:
        raise Forbidden("Sales reports need a sales, finance, viewer or admin role.")


def figures_scope(principal: Principal, owner: str | None, team: str | None) -> Scope:
    """The scope a funnel request may read (raises Forbidden / NotFound)."""
    _check_reader(principal)
    if owner and team:
        raise Forbidden("Ask for an owner or a team, not both.", field="owner")
    if principal.roles & TENANT_WIDE:
        if owner:
            return Scope(f"O#{owner}", owner_id=owner)
        return Scope(f"TM#{team}", team_id=team) if team else Scope(ALL)
    if Role.SALES_MANAGER in principal.roles:
        if team or not owner:
            chosen = team or principal.team_id
            if chosen is None:
                raise Forbidden("Your token names no team; ask for your own figures.", field="team")
            if chosen != principal.team_id:
                raise NotFound("No figures of that team for you.", field="team")
            return Scope(f"TM#{chosen}", team_id=chosen)
        if owner == principal.user_id:
            return Scope(f"O#{owner}", owner_id=owner)
        if principal.team_id is None:
            raise NotFound("No figures of that owner for you.", field="owner")
        return Scope(f"O#{owner}", owner_id=owner, team_checked_against=principal.team_id)
    # a rep
    if team:
        raise Forbidden("A sales rep reads their own figures, not a team's.", field="team")
    if owner and owner != principal.user_id:
        raise NotFound("No figures of that owner for you.", field="owner")
    return Scope(f"O#{principal.user_id}", owner_id=principal.user_id)


def attainment_team(principal: Principal, team: str | None) -> tuple[str | None, str | None]:
    """(team filter, single owner) an attainment request may read."""
    _check_reader(principal)
    if principal.roles & TENANT_WIDE:
        return team, None
    if Role.SALES_MANAGER in principal.roles:
        chosen = team or principal.team_id
        if chosen is None:
            raise Forbidden("Your token names no team.", field="team")
        if chosen != principal.team_id:
            raise NotFound("No figures of that team for you.", field="team")
        return chosen, None
    if team:
        raise Forbidden("A sales rep reads their own figures, not a team's.", field="team")
    return None, principal.user_id


def daily_team(principal: Principal, team: str) -> None:
    """Whether the principal may read a team's daily report (raises when not)."""
    _check_reader(principal)
    if principal.roles & TENANT_WIDE:
        return
    if Role.SALES_MANAGER not in principal.roles:
        raise Forbidden("The daily sales report is for managers, finance, viewers and admins.")
    if team != principal.team_id:
        raise NotFound("No daily report of that team for you.", field="team")
