"""Bodies and shapes of what a tenant sets up for its desk (setup_store.py keeps them): the
desk settings, priority rules (a core rule set) and saved replies (pydantic v2; request bodies
forbid unknown fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from ..core import Line, Schema, Strict, Text, WholeNumber
from .models import ItemId, Language, Priority, ReplyScope
from .patch_fields import Kept, Unset


class DeskSettings(Strict):
    """The tenant's desk settings."""

    reopen_window_days: Annotated[int, Field(ge=0, le=365), WholeNumber] = Field(
        default=7, description="A customer's reply reopens a resolved ticket this long."
    )
    auto_close_days: Annotated[int, Field(ge=1, le=365), WholeNumber] = Field(
        default=3, description="Resolved tickets close after this many days."
    )
    version: Annotated[int, WholeNumber] | None = Field(
        default=None, description="Ignored on PUT (send If-Match)."
    )


# --- priority rules ---------------------------------------------------------------------------


class PriorityRuleCreate(Strict):
    name: Annotated[Line, Field(min_length=1, max_length=100)]
    enabled: bool = True
    condition: Any = Field(
        description="A rule-language condition over ticket.type, ticket.channel, ticket.text, "
        "ticket.fault_code and customer.tier, e.g. {'mentions': [{'var': 'ticket.text'}, "
        "['故障', 'down']]}."
    )
    priority: Priority
    position: Annotated[int, Field(ge=0, le=10000), WholeNumber] = 100


class PriorityRulePatch(Strict):
    name: Annotated[Line, Field(min_length=1, max_length=100)] | None = None
    enabled: bool | None = None
    condition: Any = None
    priority: Priority | None = None
    position: Annotated[int, Field(ge=0, le=10000), WholeNumber] | None = None


class PriorityRule(Schema):
    id: str
    name: str
    enabled: bool
    condition: Any
    priority: Priority
    position: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class PriorityRulePage(Schema):
    items: list[PriorityRule]
    next: str | None = None


# --- saved replies ----------------------------------------------------------------------------


class SavedReplyCreate(Strict):
    name: Annotated[Line, Field(min_length=1, max_length=100)]
    text: Annotated[Text, Field(min_length=1, max_length=5000)]
    scope: ReplyScope = ReplyScope.PERSONAL
    language: Language | None = None


class SavedReplyPatch(Strict):
    """Merge patch; null clears the language, never the name or the text (a reply has both)."""

    name: Annotated[Annotated[Line, Field(min_length=1, max_length=100)] | Unset, Kept] = None
    text: Annotated[Annotated[Text, Field(min_length=1, max_length=5000)] | Unset, Kept] = None
    language: Language | None = None


class SavedReply(Schema):
    id: str
    name: str
    text: str
    scope: ReplyScope
    owner_id: str | None = Field(
        description="The author (personal) or the team (team); None: global."
    )
    language: Language | None = None
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int


class SavedReplyPage(Schema):
    items: list[SavedReply]
    next: str | None = None


class RenderRequest(Strict):
    ticket_id: ItemId


class RenderedReply(Schema):
    text: str
    missing: list[str] = Field(description="Variables that had no value (left empty).")
