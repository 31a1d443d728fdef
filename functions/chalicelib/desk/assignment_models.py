"""Bodies and responses of ticket assignment: queues, assignment rules, a reassignment, an
agent's availability and load (pydantic v2, unknown fields forbidden)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from ..core import Line, Schema, Strict, Text, WholeNumber

# A queue's name is also a key part (Q#<name>) and a rule's target: a slug.
QueueName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@:-]{1,128}$")]
TeamId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@:-]{1,64}$")]
Skill = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.+-]{0,39}$")]
RuleName = Annotated[Line, Field(min_length=1, max_length=100)]
Description = Annotated[Text, Field(max_length=500)]
Reason = Annotated[Line, Field(min_length=1, max_length=500)]
Order = Annotated[int, Field(ge=0, le=10_000), WholeNumber]
Condition = Annotated[
    Any,
    Field(
        description="A rule-language expression over the ticket (ticket.type, ticket.priority, "
        "ticket.channel, ticket.language) and its customer (tier, owner_id, "
        'aggregates.value_tier, ...), e.g. {"==": [{"var": "ticket.type"}, "fault"]}; '
        "absent: always."
    ),
]


def _unique(values: list[str]) -> list[str]:
    return sorted(set(values))


Skills = Annotated[list[Skill], Field(max_length=20), AfterValidator(_unique)]

# --- queues -----------------------------------------------------------------------------------


class DeskQueueCreate(Strict):
    """A queue of the tenant: its agents are the active service agents of `team_id` who hold
    every skill in `skills`; `supervisor_id` watches it (load, reassignment)."""

    name: QueueName
    team_id: TeamId | None = None
    supervisor_id: UserId | None = None
    skills: Skills = Field(default_factory=list)
    description: Description | None = None


class DeskQueuePatch(Strict):
    """Fields to change (null clears team_id, supervisor_id or description)."""

    team_id: TeamId | None = None
    supervisor_id: UserId | None = None
    skills: Skills | None = None
    description: Description | None = None


class DeskQueue(Schema):
    name: str
    team_id: str | None = None
    supervisor_id: str | None = None
    skills: list[str] = Field(default_factory=list)
    description: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class DeskQueuePage(Schema):
    items: list[DeskQueue]
    next: str | None = None


# --- assignment rules -----------------------------------------------------------------------


class TicketAssignmentRuleCreate(Strict):
    """For each part (queue, skill, level, adviser) the first matching rule by `order` that
    names it decides; a tenant without rules gets the shipped defaults."""

    name: RuleName
    order: Order = 100
    condition: Condition = None
    queue: QueueName | None = None
    skill: Skill | None = Field(default=None, description="A directory skill the agent needs.")
    level: Skill | None = Field(
        default=None, description='A level the agent needs, kept as a directory skill ("senior").'
    )
    adviser: bool | None = Field(
        default=None, description="The customer's dedicated adviser (its owner) first, on shift."
    )
    enabled: bool = True
    description: Description | None = None

    @model_validator(mode="after")
    def _names_a_part(self) -> TicketAssignmentRuleCreate:
        if all(getattr(self, p) is None for p in ("queue", "skill", "level", "adviser")):
            raise ValueError("name at least one of queue, skill, level, adviser")
        return self


class TicketAssignmentRulePatch(Strict):
    name: RuleName | None = None
    order: Order | None = None
    condition: Condition = None
    queue: QueueName | None = None
    skill: Skill | None = None
    level: Skill | None = None
    adviser: bool | None = None
    enabled: bool | None = None
    description: Description | None = None


class TicketAssignmentRule(Schema):
    id: str
    name: str
    order: int
    condition: Any = None
    queue: str | None = None
    skill: str | None = None
    level: str | None = None
    adviser: bool | None = None
    enabled: bool
    description: str | None = None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class TicketAssignmentRulePage(Schema):
    items: list[TicketAssignmentRule]
    next: str | None = None


# --- a reassignment ---------------------------------------------------------------------------


class TicketAssignmentRequest(Strict):
    """To an agent (in `queue`, else the ticket's), or to a queue whose agents the rules'
    choice picks from (it waits there when nobody fits)."""

    assignee_id: UserId | None = None
    queue: QueueName | None = None
    reason: Reason

    @model_validator(mode="after")
    def _somewhere(self) -> TicketAssignmentRequest:
        if self.assignee_id is None and self.queue is None:
            raise ValueError("give assignee_id, queue or both")
        return self


class TicketAssignment(Schema):
    ticket_id: str
    assignee_id: str | None = None
    queue: str | None = None
    reason: str
    version: int | None = None


# --- agents -----------------------------------------------------------------------------------


class AgentAvailabilityChange(Strict):
    available: bool
    reason: Reason | None = None


class AgentAvailability(Schema):
    user_id: str
    available: bool
    since: datetime | None = None
    reason: str | None = None
    by: str | None = None
    requeue_job_id: str | None = Field(
        default=None,
        description="Going unavailable: the job re-queuing their open tickets (GET /v1/jobs/{id}).",
    )


class AgentLoad(Schema):
    user_id: str
    load: int = Field(description="Open tickets weighted by priority (P0=4, P1=3, P2=2, P3=1).")
    open_tickets: int
    available: bool


class AgentLoadPage(Schema):
    items: list[AgentLoad]
    next: str | None = None
