"""DynamoDB access of the desk's SLA: a ticket's SLA state (its own item in the ticket's item
collection, beside the ticket), and the tenant's SLA policies and business calendar.

| pattern                                  | index | key condition                               |
|------------------------------------------|-------|---------------------------------------------|
| a ticket's SLA state                     | table | pk=T#t#TICKET#<id>, sk=#SLA                 |
| a ticket with its SLA state (ticket view)| gsi1  | gsi1pk=T#t#TICKET#<id> (sk TICKET, TICKET#SLA) |
| open tickets' SLA states (recompute job) | gsi2  | gsi2pk=T#t#SLAOPEN, gsi2sk=<ticket id>      |
| the tenant's SLA policies                | table | pk=T#t, sk=#DESKSLA                         |
| the tenant's desk calendar               | table | pk=T#t, sk=#DESKCALENDAR                    |

The state sits beside its ticket on gsi1 (the ticket's own key there, sorted after it), so the
ticket view reads both in one Query; the desk's by-id lookup (limit 1) still finds the ticket.
An SLA state stays in the open index while its ticket is unresolved (so a calendar or policy
change re-arms only those, by pages, without a scan), and leaves it on resolution. States are
written with their version: two writers (a stream record and a timer) never both win.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import PutError

from ..core import CrmItem, Page, PreconditionFailed, gsi_pk, query_page
from . import sla_codec
from .sla import SlaState

SLA_SK = "#SLA"
POLICIES_SK = "#DESKSLA"
CALENDAR_SK = "#DESKCALENDAR"


SLA_GSI1SK = "TICKET#SLA"  # after the ticket's own "TICKET"


def ticket_pk(tenant_id: str, ticket_id: str) -> str:
    """The ticket's item collection, and its key on gsi1 (desk's key scheme)."""
    return gsi_pk(tenant_id, "TICKET", ticket_id)


def _open_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#SLAOPEN"


class TicketSlaItem(CrmItem, discriminator="TicketSla"):
    ticket_id = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)
    state_json = UnicodeAttribute()
    version = VersionAttribute()

    @property
    def state(self) -> SlaState:
        return sla_codec.loads(self.state_json)


class DeskSlaSettingsItem(CrmItem, discriminator="DeskSlaSettings"):
    settings_json = UnicodeAttribute()
    version = VersionAttribute()


def get_state(tenant_id: str, ticket_id: str, *, consistent: bool = True) -> TicketSlaItem | None:
    try:
        return TicketSlaItem.get(
            ticket_pk(tenant_id, ticket_id), SLA_SK, consistent_read=consistent
        )
    except TicketSlaItem.DoesNotExist:
        return None


def save_state(tenant_id: str, item: TicketSlaItem | None, state: SlaState) -> bool:
    """Write the state over `item` as read (None: a new one); False when someone wrote first."""
    item = item or TicketSlaItem(
        pk=ticket_pk(tenant_id, state.ticket_id),
        sk=SLA_SK,
        tenant_id=tenant_id,
        ticket_id=state.ticket_id,
    )
    item.customer_id = state.customer_id or None
    item.state_json = sla_codec.dumps(state)
    item.gsi1pk, item.gsi1sk = ticket_pk(tenant_id, state.ticket_id), SLA_GSI1SK
    item.gsi2pk = _open_pk(tenant_id) if state.open else None
    item.gsi2sk = state.ticket_id if state.open else None
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def open_states(tenant_id: str, limit: int, start_key: dict[str, Any] | None) -> Page:
    """One page of the SLA states of the tenant's unresolved tickets."""
    return query_page(
        TicketSlaItem.by_gsi2.query, _open_pk(tenant_id), limit=limit, start_key=start_key
    )


def with_ticket(tenant_id: str, ticket_id: str) -> list[CrmItem]:
    """The ticket's item and its SLA state, as gsi1 holds them (one Query, eventually
    consistent); the caller tells them apart by type."""
    return list(CrmItem.by_gsi1.query(ticket_pk(tenant_id, ticket_id), limit=2))


# --- settings --------------------------------------------------------------------------------


def get_settings(tenant_id: str, which: str) -> DeskSlaSettingsItem | None:
    try:
        return DeskSlaSettingsItem.get(f"T#{tenant_id}", which)
    except DeskSlaSettingsItem.DoesNotExist:
        return None


def save_settings(
    tenant_id: str, which: str, item: DeskSlaSettingsItem | None, data: dict[str, Any]
) -> int:
    """Write policies or calendar (version-checked); the new version."""
    item = item or DeskSlaSettingsItem(pk=f"T#{tenant_id}", sk=which, tenant_id=tenant_id)
    item.settings_json = json.dumps(data, ensure_ascii=False)
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise PreconditionFailed(
                "The settings changed meanwhile; fetch them again.", field="If-Match"
            ) from None
        raise
    return int(item.version)
