"""The reports area's reaction to its own items (pure): a team's daily report, written once,
is published as `Daily Sales Report`; the aggregates it keeps raise nothing."""

from __future__ import annotations

import json

from ..core import Change, Reaction
from . import events


def daily_report_changed(change: Change) -> Reaction:
    new = change.new
    if change.event_name != "INSERT" or new is None:
        return Reaction()
    figures = json.loads(str(new["figures_json"]))
    detail = events.DailySalesReport(
        **change.event_fields(events.DailySalesReport.DETAIL_TYPE),
        team_id=str(new["team_id"]),
        day=str(new["day"]),
        time_zone=str(new["time_zone"]),
        currency=str(new["currency"]),
        **figures,
    )
    return Reaction(events=[detail])
