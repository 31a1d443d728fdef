"""What the surveys area registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, Follow, ItemType, Section

AREA = Area(
    name="surveys",
    package=__package__ or "chalicelib.surveys",
    summary="A satisfaction survey (CSAT, NPS, comment) per resolved ticket, sent through the "
    "ticket's channel and answered once through a signed, expiring link without login.",
    blueprints=("api:bp",),
    item_types=(
        ItemType(
            "Survey",
            react="reactions:survey_changed",
            description="A resolution's survey: sent once, answered once.",
        ),
        ItemType(
            "SurveySummary",
            section=Section(
                "surveys",
                "CustomerSurveys",
                "service:summary_view",
                description="The customer's latest CSAT and NPS and their averages.",
            ),
            description="A customer's survey answers: counts, sums and the latest answer.",
        ),
    ),
    notices=("surveys.answered",),
    follows=(Follow("desk.ticket_changed", "handlers:on_ticket_changed"),),
    events=("SurveySent", "SurveyAnswered"),
)
