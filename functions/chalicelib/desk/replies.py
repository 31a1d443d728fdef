"""Saved replies: texts agents reuse, scoped global (admins write them), team or personal,
with variables filled from the ticket, its customer and the agent ({{customer.name}},
{{ticket.id}}, {{agent.name}} ...). Each caller sees the global ones, its team's and its own."""

from __future__ import annotations

from ..core import (
    Forbidden,
    NotFound,
    Principal,
    check_version,
    decode_cursor,
    encode_cursor,
    require_role,
)
from ..customers import service as customers
from ..directory import service as directory
from . import rules, setup_store, store
from .setup_models import (
    RenderedReply,
    RenderRequest,
    SavedReply,
    SavedReplyCreate,
    SavedReplyPage,
    SavedReplyPatch,
)
from .tickets import visible_item


def to_reply(item: setup_store.SavedReplyItem) -> SavedReply:
    return SavedReply(
        id=item.reply_id,
        name=item.name,
        text=item.text,
        scope=item.scope,
        owner_id=item.owner_id,
        language=item.language,
        created_by=item.created_by,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version),
    )


def _visible(principal: Principal, reply_id: str) -> setup_store.SavedReplyItem:
    require_role(principal, *rules.AGENTS)
    item = setup_store.get_reply(principal.tenant_id, reply_id)
    if item is None or not rules.reply_visible(principal, item.scope, item.owner_id):
        raise NotFound(f"No saved reply {reply_id}.", field="reply_id")
    return item


def create_reply(principal: Principal, body: SavedReplyCreate) -> SavedReply:
    from ulid import ULID

    require_role(principal, *rules.AGENTS)
    owner = rules.reply_owner(principal, body.scope.value)
    now = store.now()
    item = setup_store.new_reply(
        principal.tenant_id,
        str(ULID()),
        name=body.name,
        text=body.text,
        scope=body.scope.value,
        owner_id=owner,
        language=body.language.value if body.language else None,
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    setup_store.save_reply(item)
    return to_reply(item)


def list_replies(principal: Principal, limit: int, cursor: str | None) -> SavedReplyPage:
    """The replies the caller may use, by name (one Query of the tenant's replies)."""
    require_role(principal, *rules.AGENTS)
    key = f"{principal.tenant_id}|{principal.user_id}|replies"
    start = int((decode_cursor(cursor, key) or {}).get("at", 0))
    usable = sorted(
        (
            r
            for r in setup_store.replies(principal.tenant_id)
            if rules.reply_visible(principal, r.scope, r.owner_id)
        ),
        key=lambda r: (r.name.casefold(), r.reply_id),
    )
    page = usable[start : start + limit]
    more = start + limit < len(usable)
    return SavedReplyPage(
        items=[to_reply(r) for r in page],
        next=encode_cursor({"at": start + limit}, key) if more else None,
    )


def get_reply(principal: Principal, reply_id: str) -> SavedReply:
    return to_reply(_visible(principal, reply_id))


def _editable(
    principal: Principal, reply_id: str, expected: int | None
) -> setup_store.SavedReplyItem:
    item = _visible(principal, reply_id)
    if not rules.can_edit_reply(principal, item.scope, item.owner_id):
        raise Forbidden("Only admins change global replies; team replies need that team.")
    check_version(expected, int(item.version))
    return item


def patch_reply(
    principal: Principal, reply_id: str, patch: SavedReplyPatch, expected: int | None
) -> SavedReply:
    item = _editable(principal, reply_id, expected)
    changes = patch.model_dump(exclude_unset=True, mode="json")
    for name in ("name", "text", "language"):
        if name in changes:
            setattr(item, name, changes[name])
    item.updated_at = store.now()
    setup_store.save_reply(item)
    return to_reply(item)


def delete_reply(principal: Principal, reply_id: str, expected: int | None) -> None:
    setup_store.delete_reply(_editable(principal, reply_id, expected))


def render_reply(principal: Principal, reply_id: str, body: RenderRequest) -> RenderedReply:
    """The reply's text for a ticket the caller may read, its variables filled."""
    reply = _visible(principal, reply_id)
    ticket = visible_item(principal, body.ticket_id)
    found = customers.visible_customers(principal, [ticket.customer_id])
    customer = found.get(ticket.customer_id)
    agent = directory.get_user(principal.tenant_id, principal.user_id)
    values = {
        "customer": {"name": customer.name, "id": ticket.customer_id} if customer else {},
        "ticket": {
            "id": ticket.ticket_id,
            "subject": ticket.subject,
            "priority": ticket.priority,
            "status": ticket.status,
        },
        "agent": {
            "name": agent.display_name if agent is not None else principal.user_id,
            "id": principal.user_id,
        },
    }
    text, missing = rules.render(reply.text, values)
    return RenderedReply(text=text, missing=missing)
