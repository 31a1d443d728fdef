"""The service desk's use cases, in one place for the API and for the desk's other parts
(channels, SLA, assignment, knowledge, surveys), which import only this module:

- tickets (`tickets`): get_ticket, read_ticket, create_ticket, list_tickets, patch_ticket,
  set_assignment, open_tickets_of, resolve_by_customer, back_to_agent, change_status;
- threads (`thread`): add_message, read_thread, tell_customer;
- a channel's message (`intake`): receive;
- splits and merges (`merging`): split, merge;
- settings (`desk_settings`) and priority rules (`priorities`, the routes of core.rule_routes).
"""

from __future__ import annotations

from .desk_settings import get_settings, replace_settings, settings_of
from .intake import receive
from .merging import merge, split
from .priorities import create_rule, delete_rule, get_rule, list_rules, patch_rule
from .store import ticket_pk
from .thread import add_message, read_thread, tell_customer
from .tickets import (
    back_to_agent,
    change_status,
    create_ticket,
    get_ticket,
    list_tickets,
    open_tickets_of,
    patch_ticket,
    read_ticket,
    resolve_by_customer,
    set_assignment,
    system_principal,
)

__all__ = [
    "add_message",
    "back_to_agent",
    "change_status",
    "create_rule",
    "create_ticket",
    "delete_rule",
    "get_rule",
    "get_settings",
    "get_ticket",
    "list_rules",
    "list_tickets",
    "merge",
    "open_tickets_of",
    "patch_rule",
    "patch_ticket",
    "read_thread",
    "read_ticket",
    "receive",
    "replace_settings",
    "resolve_by_customer",
    "set_assignment",
    "settings_of",
    "split",
    "system_principal",
    "tell_customer",
    "ticket_pk",
]
