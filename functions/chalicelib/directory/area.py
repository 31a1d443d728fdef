"""What the directory registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, ItemType, JobKind

AREA = Area(
    name="directory",
    package=__package__ or "chalicelib.directory",
    summary="The tenant's users and teams: managers, skills, languages, regions, shifts.",
    blueprints=("api:bp",),
    item_types=(
        ItemType(
            "DirectoryUser",
            react="reactions:user_changed",
            description="A user: roles, team, manager, skills, languages, region, working hours.",
        ),
        ItemType("DirectoryIndex", description="A user's entry under one role, skill or language."),
        ItemType("Team", description="A team: its name and manager (members name their team)."),
    ),
    notices=("directory.user_deactivated",),
    events=("UserDeactivated",),
    jobs=(
        JobKind(
            "directory.handover",
            "handlers:on_handover_step",
            description="A deactivated user's handover: done when every area that owns work "
            "has finished its own handover job.",
        ),
    ),
)
