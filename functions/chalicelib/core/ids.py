"""Ids a replay makes again: a ULID whose time is a given moment and whose randomness comes from
a key, so a retried step writes the same item (and a condition on its key stops the second)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from ulid import ULID


def deterministic_ulid(key: str, moment: datetime) -> str:
    """A ULID whose time is `moment` and whose randomness is derived from `key` (replays match)."""
    millis = int(moment.timestamp() * 1000).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + hashlib.sha256(key.encode()).digest()[:10]))
