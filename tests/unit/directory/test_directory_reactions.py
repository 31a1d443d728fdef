"""The directory's reaction to a user's change (pure): only going from active to inactive
raises `User Deactivated` and the notice areas owning work follow."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.core import Change
from chalicelib.directory.events import UserDeactivated
from chalicelib.directory.reactions import USER_DEACTIVATED, user_changed

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _user(**changes: Any) -> dict[str, Any]:
    return {
        "pk": "T#acme#USER#bob",
        "sk": "#USER",
        "type": "DirectoryUser",
        "tenant_id": "acme",
        "user_id": "bob",
        "active": True,
        "version": 1,
        **changes,
    }


def _change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> Change:
    name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    return Change("rec-1", name, "1", {"pk": "T#acme#USER#bob", "sk": "#USER"}, old, new, AT)


def test_given_an_active_user_deactivated_then_the_notice_names_whom_the_work_goes_to() -> None:
    gone = _user(active=False, handover_to="carol", deactivation_id="D1", deactivated_by="root")

    reaction = user_changed(_change(_user(), gone))

    (notice,) = reaction.notices
    assert (notice.topic, notice.tenant_id, notice.subject_id, notice.key) == (
        USER_DEACTIVATED, "acme", "bob", "D1",
    )  # fmt: skip
    assert notice.new == {
        "tenant_id": "acme",
        "user_id": "bob",
        "manager_id": "carol",
        "at": AT.isoformat(),
        "deactivation_id": "D1",
        "by": "root",
    }
    (event,) = reaction.events
    assert isinstance(event, UserDeactivated)
    assert (event.user_id, event.handover_to, event.deactivation_id) == ("bob", "carol", "D1")


def test_given_the_same_change_twice_then_the_event_id_is_the_same() -> None:
    gone = _user(active=False, handover_to="carol", deactivation_id="D1")
    first = user_changed(_change(_user(), gone)).events[0]
    again = user_changed(_change(_user(), gone)).events[0]
    assert first.event_id == again.event_id


def test_given_other_changes_then_nothing_is_raised() -> None:
    inactive = _user(active=False)
    for old, new in [
        (None, _user()),  # created
        (_user(), _user(display_name="Bob B")),  # edited
        (inactive, inactive),  # edited while inactive
        (inactive, _user()),  # reactivated
        (_user(), None),  # removed
        (None, inactive),  # created inactive
    ]:
        reaction = user_changed(_change(old, new))
        assert (reaction.events, reaction.notices) == ([], [])
