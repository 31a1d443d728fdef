"""HTTP routes of ticket assignment: queues, assignment rules, a reassignment by hand, an agent's
availability and the agents' load. Parse, call the service, return."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice.app import Blueprint, Response

from ..core import (
    PathParam,
    QueryParam,
    RuleRoutes,
    create_once,
    expected_version,
    json_response,
    parse_body,
    principal,
    query_params,
    route,
    rule_routes,
    versioned,
)

bp = Blueprint(__name__)
TAG = "desk"
MODELS = "assignment_models"
QUEUES = "/v1/desk/queues"
QUEUE = PathParam("name", "The queue's name.", max_length=40)
TICKET = PathParam("ticket_id", "The ticket's id.", max_length=64)
USER = PathParam("user_id", "The agent's user id.", max_length=128)

rule_routes(
    bp,
    RuleRoutes(
        "/v1/desk/assignment-rules",
        TAG,
        "ticket assignment rule",
        "TicketAssignmentRule",
        unique_names=True,
        on_delete=" (no rules enabled: the shipped defaults apply)",
        service="assignment_rules",
        models=MODELS,
    ),
)


@route(
    bp, QUEUES, "POST", summary="Create a ticket queue", tag=TAG, operation_id="createDeskQueue",
    body=f"{MODELS}:DeskQueueCreate", response=f"{MODELS}:DeskQueue", status=201,
    headers=("Idempotency-Key",), errors=(400, 401, 403, 409, 422),
)  # fmt: skip
def create_desk_queue() -> Response:
    from . import assignment_queues as queues
    from .assignment_models import DeskQueueCreate

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, DeskQueueCreate)
    return create_once(
        request,
        caller,
        "desk-queues.create",
        lambda: queues.create_queue(caller, body),
        location=lambda q: f"{QUEUES}/{q.name}",
    )


@route(
    bp, QUEUES, "GET", summary="The tenant's ticket queues", tag=TAG,
    operation_id="listDeskQueues", response=f"{MODELS}:DeskQueuePage", errors=(400, 401, 403),
)  # fmt: skip
def list_desk_queues() -> Response:
    from . import assignment_queues as queues

    return json_response(queues.list_queues(principal(bp.current_request)))


@route(
    bp, QUEUES + "/{name}", "GET", summary="Get a ticket queue", tag=TAG,
    operation_id="getDeskQueue", response=f"{MODELS}:DeskQueue", path_params=(QUEUE,),
)  # fmt: skip
def get_desk_queue(name: str) -> Response:
    from . import assignment_queues as queues

    return versioned(queues.get_queue(principal(bp.current_request), name))


@route(
    bp, QUEUES + "/{name}", "PATCH", summary="Change a ticket queue", tag=TAG,
    operation_id="updateDeskQueue", body=f"{MODELS}:DeskQueuePatch",
    response=f"{MODELS}:DeskQueue", headers=("If-Match",), path_params=(QUEUE,),
    errors=(400, 401, 403, 404, 412, 422),
)  # fmt: skip
def patch_desk_queue(name: str) -> Response:
    from . import assignment_queues as queues
    from .assignment_models import DeskQueuePatch

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, DeskQueuePatch)
    return versioned(queues.patch_queue(caller, name, body, expected_version(request)))


@route(
    bp, QUEUES + "/{name}", "DELETE",
    summary="Delete a ticket queue (its tickets wait under its name until reassigned)",
    tag=TAG, operation_id="deleteDeskQueue", status=204, headers=("If-Match",),
    path_params=(QUEUE,), errors=(400, 401, 403, 404, 412),
)  # fmt: skip
def delete_desk_queue(name: str) -> Response:
    from . import assignment_queues as queues

    request = bp.current_request
    queues.delete_queue(principal(request), name, expected_version(request))
    return Response(body="", status_code=204)


@route(
    bp, "/v1/tickets/{ticket_id}/assignment", "POST",
    summary="Reassign a ticket: to an agent, or to a queue whose agents the rules pick from",
    tag=TAG, operation_id="reassignTicket", body=f"{MODELS}:TicketAssignmentRequest",
    response=f"{MODELS}:TicketAssignment", path_params=(TICKET,),
    errors=(400, 401, 403, 404, 409, 422),
)  # fmt: skip
def reassign_ticket(ticket_id: str) -> Response:
    from . import assignment_service as service
    from .assignment_models import TicketAssignment, TicketAssignmentRequest

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, TicketAssignmentRequest)
    ticket = service.reassign(caller, ticket_id, body, datetime.now(UTC))
    return json_response(
        TicketAssignment(
            ticket_id=ticket.ticket_id,
            assignee_id=ticket.assignee_id,
            queue=ticket.queue,
            reason=body.reason,
            version=ticket.version,
        )
    )


@route(
    bp, "/v1/desk/agents/{user_id}/availability", "PUT",
    summary="An agent goes unavailable (their open tickets are re-queued) or available",
    tag=TAG, operation_id="setAgentAvailability", body=f"{MODELS}:AgentAvailabilityChange",
    response=f"{MODELS}:AgentAvailability", path_params=(USER,), errors=(400, 401, 403, 404, 422),
)  # fmt: skip
def set_agent_availability(user_id: str) -> Response:
    from . import assignment_service as service
    from .assignment_models import AgentAvailabilityChange

    request = bp.current_request
    caller = principal(request)
    body = parse_body(request, AgentAvailabilityChange)
    return json_response(service.set_availability(caller, user_id, body, datetime.now(UTC)))


@route(
    bp, "/v1/desk/agents/load", "GET",
    summary="The agents' open tickets weighted by priority (supervisors: their queues' agents)",
    tag=TAG, operation_id="listAgentLoads", response=f"{MODELS}:AgentLoadPage",
    query=(QueryParam("queue", "Only the agents of this queue.", max_length=40),),
    errors=(400, 401, 403, 404, 422),
)  # fmt: skip
def list_agent_loads() -> Response:
    from . import assignment_service as service

    request = bp.current_request
    queue = query_params(request).get("queue")
    return json_response(service.agent_loads(principal(request), queue))
