"""Pure decisions of the knowledge area: who reads and writes articles, which status moves are
allowed, when a match is confident, how unanswered questions group into gaps.

Who may do what (decided here, checked by the service on every call):
- Writers (admin, service_agent) create and edit drafts and read every status.
- Publishers publish and archive, and edit articles that are not drafts: admins, and the service
  agents a tenant's admin names as reviewers in the knowledge settings. A reviewer list rather
  than a new token role: the tenant decides per person without a change of Cognito groups, and
  a reviewer is always also a writer (a rule never lets anyone do what they could not do).
- Readers of published articles: every role that serves customers (admin, service_agent,
  sales_manager, sales_rep, viewer) and a customer's own contact (self-service). Finance,
  legal and marketing serve no customer questions: 403. A reader who may not see a draft or an
  archived article gets 404, as if it did not exist.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from ..core import Principal, Role

WRITERS = (Role.ADMIN, Role.SERVICE_AGENT)
CUSTOMER_CONTACT = "customer_contact"  # desk's role: a customer's own person
READERS = frozenset(
    {"admin", "service_agent", "sales_manager", "sales_rep", "viewer", CUSTOMER_CONTACT}
)
DRAFT, PUBLISHED, ARCHIVED = "draft", "published", "archived"
MOVES = {PUBLISHED: frozenset({DRAFT, ARCHIVED}), ARCHIVED: frozenset({DRAFT, PUBLISHED})}

# A tenant's published articles live in one compact index (see store): its limit.
MAX_PUBLISHED = 2000

# Confidence of the best match (tuned on the evaluation set shipped with the tests):
# - an absolute floor: it holds at least CONFIDENT_COVERAGE of the question's terms,
#   idf-weighted (bm25.coverage), and at least CONFIDENT_TERMS of them. A floor on raw BM25
#   scores would not do: they grow with the corpus (idf) and the question's length, so one
#   floor cannot fit a tenant of 3 articles and one of 2,000. One shared word is never enough.
# - a margin: its score is at least CONFIDENT_MARGIN times the second best's.
CONFIDENT_COVERAGE = 0.5
CONFIDENT_TERMS = 2
CONFIDENT_MARGIN = 1.3

SNIPPET_CHARS = 160
GAP_TERMS = 4  # a gap cluster is keyed by at most this many of its question's terms


def role_names(principal: Principal) -> set[str]:
    return {str(role.value) if hasattr(role, "value") else str(role) for role in principal.roles}


def is_reader(principal: Principal) -> bool:
    return bool(role_names(principal) & READERS)


def is_writer(principal: Principal) -> bool:
    return principal.has(*WRITERS)


def is_publisher(principal: Principal, reviewers: Iterable[str]) -> bool:
    if principal.has(Role.ADMIN):
        return True
    return principal.has(Role.SERVICE_AGENT) and principal.user_id in set(reviewers)


def can_see(principal: Principal, status: str) -> bool:
    """Published articles: every reader; drafts and archived ones: writers only."""
    return is_writer(principal) if status != PUBLISHED else is_reader(principal)


def may_move(current: str, target: str) -> bool:
    """Publish a draft or an archived article; archive a draft or a published one."""
    return current in MOVES.get(target, frozenset())


def needs_publisher_to_edit(status: str) -> bool:
    """A draft is any writer's to edit; what customers read (or did) only a publisher's."""
    return status != DRAFT


def confident(scores: Sequence[float], coverage: float, matched: int) -> bool:
    """Whether the best of these scores (best first) is a clear, strong match, when it holds
    `coverage` (idf-weighted share) and `matched` (count) of the question's distinct terms."""
    if not scores or scores[0] <= 0:
        return False
    if coverage < CONFIDENT_COVERAGE or matched < CONFIDENT_TERMS:
        return False
    return len(scores) < 2 or scores[0] >= CONFIDENT_MARGIN * scores[1]


def snippet(body: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of an article's body on one line, cut at a word where it can be."""
    line = " ".join(body.split())
    if len(line) <= limit:
        return line
    cut = line[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut) + "…"


def gap_terms(terms: Sequence[str], limit: int = GAP_TERMS) -> list[str]:
    """The key terms of an unanswered question: its distinct terms, longest (most specific)
    first, at most `limit`, then sorted, so word order and filler do not split a cluster."""
    distinct = sorted(set(terms), key=lambda t: (-len(t), t))
    return sorted(distinct[:limit])


def gap_key(terms: Sequence[str]) -> str:
    """A short, stable id of a gap cluster (its key terms hashed)."""
    return hashlib.blake2b(" ".join(terms).encode(), digest_size=10).hexdigest()


def ticket_article_body(question: str, answer: str, language: str) -> str:
    """A draft article's body from a resolved ticket's question and the answer that solved it."""
    if language == "zh":
        return f"问题：\n{question.strip()}\n\n解答：\n{answer.strip()}"
    return f"Question:\n{question.strip()}\n\nAnswer:\n{answer.strip()}"
