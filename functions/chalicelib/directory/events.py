"""Domain events of the directory (source `crm.directory`)."""

from __future__ import annotations

from pydantic import Field

from ..core import EventDetail


class UserDeactivated(EventDetail):
    """A user left (or was suspended): their open work goes to `handover_to`."""

    DETAIL_TYPE = "User Deactivated"

    user_id: str
    handover_to: str | None = Field(
        default=None, description="Whom their open leads, opportunities and tasks go to."
    )
    deactivated_by: str | None = None
    deactivation_id: str = Field(description="Names the handover jobs (GET /v1/jobs/{id}).")
