"""The reports area's stream followers: each notice's deltas folded into the report items once
(`rules.fold` keeps the marks of the notices an item took), a stream batch's notices together.

Before a batch's records are followed, `fold_ahead` folds every notice of a topic at once: one
BatchGetItem for all the items they move (100 keys a call), the notices folded in stream order,
one put per item conditioned on its `_rev`. Each notice whose items were all written (or had it
already) is remembered for the batch (core/batch_cache.py), and its own follower, `fold`, then
does nothing. A notice whose item lost a race or could not be written folds itself, as it would
without the read-ahead; its mark keeps it from counting twice. So a team's day, which every
follow-up of the team moves, is written once per batch, not once per customer, and customers
followed in parallel no longer race for it.

Only notices whose deltas are pure functions of the notice fold ahead: a ticket's figures read
the SLA's state, which the desk's follower of the same record writes before reports' (area
order), so tickets fold one by one, after it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..core import Notice, logger, remember_all, remembered
from . import rules, store
from .rules import Delta

Deltas = Callable[[Notice], list[Delta]]


def _mark(notice: Notice) -> str:
    return rules.mark_of(f"{notice.topic}/{notice.key}")


def _folded_key(notice: Notice) -> tuple[str, str, str]:
    return ("reports.folded", notice.tenant_id, _mark(notice))


def fold(notice: Notice, deltas_of: Deltas) -> None:
    """Fold one notice (a stream follower), unless its batch folded it ahead."""
    if remembered(_folded_key(notice), lambda: False):
        return
    deltas = deltas_of(notice)
    if deltas:
        store.apply(notice.tenant_id, _mark(notice), deltas)


def fold_ahead(notices: Sequence[Notice], deltas_of: Deltas) -> None:
    """Fold a batch's notices of one topic at once (a follower's read-ahead)."""
    entries: list[tuple[Notice, list[Delta]]] = []
    for notice in notices:
        try:
            entries.append((notice, deltas_of(notice)))
        except Exception:  # its own follower works it out again, and fails with its record
            logger.warning("Report deltas not worked out ahead", extra={"key": notice.key})
    written = store.apply_ahead([(n.tenant_id, _mark(n), d) for n, d in entries if d])
    remember_all(
        {
            _folded_key(n): True
            for n, deltas in entries
            if not deltas or (n.tenant_id, _mark(n)) in written
        }
    )
