"""The FAQ-gap report: questions that found no confident article, grouped into clusters by
their key terms (rules.gap_terms) and counted as they come (one item per cluster, a GSI sorted
by count), so the report is one Query, never a scan of tickets."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ..core import Forbidden, Principal
from . import gap_store, rules, search
from .models import Gap, GapList
from .tokens import terms


def record_unanswered(
    tenant_id: str, text: str, language: str, ticket_id: str | None, now: datetime | None = None
) -> str | None:
    """Count a question no article answered in its gap cluster (a ticket counts once); the
    cluster's key, or None when the text has no terms or the ticket was counted already."""
    key_terms = rules.gap_terms(terms(text))
    if not key_terms:
        return None
    at = now or datetime.now(UTC)
    if ticket_id is not None and not gap_store.count_ticket_once(tenant_id, ticket_id, at):
        return None
    key = rules.gap_key(key_terms)
    language = language if language in ("zh", "en") else "en"
    gap_store.add_to_gap(tenant_id, key, key_terms, language, text[:500], ticket_id, at)
    return key


def report(principal: Principal, limit: int) -> GapList:
    """The most asked questions still without a confident article (checked against today's
    index, so a cluster an article now answers drops out of the report)."""
    if not rules.is_writer(principal):
        raise Forbidden("Only admins and service agents see the knowledge gaps.")
    found = []
    for item in gap_store.top_gaps(principal.tenant_id, limit * 2):
        answered = search.search(principal.tenant_id, item.example, language=item.language, limit=1)
        if answered and answered[0].confident:
            continue
        found.append(
            Gap(
                key=" ".join(json.loads(item.terms_json)),
                terms=json.loads(item.terms_json),
                count=item.asked,
                language=item.language,
                example=item.example,
                last_ticket_id=item.last_ticket_id,
                first_at=item.first_at,
                last_at=item.last_at,
            )
        )
    return GapList(items=found[:limit])
