"""The tagging area's reaction to a change of a tag item (pure): Tagged or Untagged events."""

from __future__ import annotations

from ..core import Change, Reaction
from . import events

TAG_PREFIX = "TAG#"


def tag_changed(change: Change) -> Reaction:
    """A tag set or dropped is news for marketing; a re-evaluated tag that stays is not."""
    image = change.image
    tag = str(image.get("tag") or str(change.keys["sk"]).removeprefix(TAG_PREFIX))
    rule_id = image.get("rule_id")
    category = image.get("category")
    if change.event_name == "INSERT":
        version = image.get("rule_version")
        tagged = events.CustomerTagged(
            **change.event_fields(events.CustomerTagged.DETAIL_TYPE),
            customer_id=change.customer_id,
            tag=tag,
            category=category,
            rule_id=rule_id,
            rule_version=None if version is None else int(version),
        )
        return Reaction(events=[tagged])
    if change.event_name == "REMOVE":
        untagged = events.CustomerUntagged(
            **change.event_fields(events.CustomerUntagged.DETAIL_TYPE),
            customer_id=change.customer_id,
            tag=tag,
            category=category,
            rule_id=rule_id,
        )
        return Reaction(events=[untagged])
    return Reaction()
