"""Use case of finding likely duplicates: exact identity matches and similar names."""

from __future__ import annotations

from ..core import Principal
from . import rules, store
from .models import MatchCandidate, MatchRequest, MatchResult
from .service import identity_keys, to_customer
from .settings_service import tenant_settings

MATCH_CANDIDATES = 50


def match_customers(principal: Principal, body: MatchRequest) -> MatchResult:
    """Likely duplicates: exact identity matches (100) and fuzzy name matches in the name block."""
    region = tenant_settings(principal.tenant_id).default_phone_region
    identities = rules.normalise_identities(body.identities, region)
    scores: dict[str, tuple[float, list[str]]] = {}
    owners = (
        store.identity_owners(principal.tenant_id, identity_keys(identities)) if identities else {}
    )
    for identity, customer_id in owners.items():
        reasons = scores.get(customer_id, (100.0, []))[1]
        reasons.append(f"same {identity.kind}")
        scores[customer_id] = (100.0, reasons)
    candidates: dict[str, store.CustomerItem] = {}
    if body.name:
        key = rules.name_key(body.name)
        for item in store.name_candidates(
            principal.tenant_id, rules.name_block(key), MATCH_CANDIDATES
        ):
            similarity = rules.name_similarity(body.name, item.name)
            if similarity >= rules.MATCH_THRESHOLD:
                candidates[item.customer_id] = item
                best, reasons = scores.get(item.customer_id, (0.0, []))
                scores[item.customer_id] = (
                    max(best, similarity),
                    [*reasons, f"name {similarity:.0f}% similar"],
                )
    missing = [cid for cid in scores if cid not in candidates]
    for item in store.customers_by_ids(principal.tenant_id, missing) if missing else []:
        candidates[item.customer_id] = item
    result = [
        MatchCandidate(
            customer=to_customer(item, principal), score=scores[cid][0], reasons=scores[cid][1]
        )
        for cid, item in candidates.items()
        if rules.can_see(principal, item.owner_id, item.team_id)
    ]
    result.sort(key=lambda c: c.score, reverse=True)
    return MatchResult(candidates=result)
