"""Who may read which service figures (pure decisions, no I/O).

The desk's managers read every figure of the tenant: admins, viewers (read-only), and service
agents who manage a team in the directory (supervisors; the service asks the directory). An
agent reads only their own figures (grouped by agent, their own row): asking for another
agent's figures answers 404 (as for a record they may not see), asking for a grouping of the
whole desk or for the backlog answers 403. Finance and marketing read satisfaction scores
(KPIs, no text); other roles read no service figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import Forbidden, NotFound, Principal, Role

MANAGERS = frozenset({Role.ADMIN, Role.VIEWER})
SCORE_READERS = frozenset({Role.FINANCE, Role.MARKETING})


@dataclass(frozen=True)
class ServiceScope:
    """Whose figures: the whole desk (agent None) or one agent's; `desk_wide` says whether the
    caller reads the desk's own figures too (types, keywords)."""

    agent: str | None
    desk_wide: bool


def is_manager(principal: Principal, supervisor: bool) -> bool:
    return bool(principal.roles & MANAGERS) or (
        supervisor and Role.SERVICE_AGENT in principal.roles
    )


def service_scope(
    principal: Principal, supervisor: bool, group_by: str, agent: str | None
) -> ServiceScope:
    """The scope of GET /v1/reports/service (raises Forbidden / NotFound)."""
    if is_manager(principal, supervisor):
        if agent and group_by != "agent":
            raise Forbidden("One agent's figures are grouped by agent.", field="agent")
        return ServiceScope(agent, desk_wide=agent is None)
    if Role.SERVICE_AGENT not in principal.roles:
        raise Forbidden("Service reports need a service, viewer or admin role.")
    if group_by != "agent":
        raise Forbidden("Agents read their own figures: group_by=agent.", field="group_by")
    if agent and agent != principal.user_id:
        raise NotFound("No figures of that agent for you.", field="agent")
    return ServiceScope(principal.user_id, desk_wide=False)


def backlog_reader(principal: Principal, supervisor: bool) -> None:
    if not is_manager(principal, supervisor):
        raise Forbidden("The desk's backlog is for its managers (admins, supervisors, viewers).")


def satisfaction_scope(principal: Principal, supervisor: bool, agent: str | None) -> ServiceScope:
    """The scope of GET /v1/reports/service/satisfaction (scores only: no comment is shown)."""
    if is_manager(principal, supervisor) or principal.roles & SCORE_READERS:
        return ServiceScope(agent, desk_wide=agent is None)
    if Role.SERVICE_AGENT not in principal.roles:
        raise Forbidden("Satisfaction reports need a service, finance, marketing or admin role.")
    if agent and agent != principal.user_id:
        raise NotFound("No figures of that agent for you.", field="agent")
    return ServiceScope(principal.user_id, desk_wide=False)
