"""The Chalice app: the areas' Blueprints and the entry points of the engines. No logic here.

Routes come from the areas list (`chalicelib.areas`); the stream and timers functions are
engines that route each change or timer to the area that owns it (`chalicelib.core.area_registry`).
"""

from __future__ import annotations

from typing import Any

from chalice.app import Chalice

from chalicelib.core import gateway, job_api, registry

app = Chalice(app_name="crm", configure_logs=False)
for blueprint in registry().blueprints():
    app.register_blueprint(blueprint)
app.register_blueprint(job_api.bp)  # the jobs engine's own routes: progress of background work
gateway.install(app)


@app.lambda_function(name="stream")
def stream(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """DynamoDB stream batch: each area's reaction, aggregates, events (partial failures)."""
    from chalicelib.core.stream import handle_stream_batch

    return handle_stream_batch(event, context)


@app.lambda_function(name="timers")
def timers(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Step Functions task after a Wait-until-deadline: the area that armed the timer acts."""
    from chalicelib.core.timers import handle_timer

    return handle_timer(event, context)


@app.lambda_function(name="nightly")
def nightly(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The analytics function (numpy/scipy layer): EventBridge Scheduler's hourly `{"job": ...}`
    offers every tenant to the schedule's area; a timer document is a heavy job step that the
    timers state machine sent here (`runner: analytics`)."""
    if "job" in event:
        from chalicelib.core.schedules import handle_schedule

        return handle_schedule(event, context)
    from chalicelib.core.timers import handle_timer

    return handle_timer(event, context)
