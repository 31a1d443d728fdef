"""The Chalice app: an index of Blueprints and the non-HTTP entry points. No logic here."""

from __future__ import annotations

from typing import Any

from chalice.app import Chalice

from chalicelib.automation.api import bp as automation_api
from chalicelib.core import gateway
from chalicelib.customers.api import bp as customers_api
from chalicelib.customers.settings_api import bp as tenant_settings_api
from chalicelib.tagging.api import bp as tagging_api

app = Chalice(app_name="crm", configure_logs=False)
app.register_blueprint(customers_api)
app.register_blueprint(tenant_settings_api)
app.register_blueprint(tagging_api)
app.register_blueprint(automation_api)
gateway.install(app)


@app.lambda_function(name="stream")
def stream(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """DynamoDB stream batch: tags, automation, domain events, aggregates (partial failures)."""
    from chalicelib.pipeline.handlers import handle_stream_batch

    return handle_stream_batch(event, context)


@app.lambda_function(name="timers")
def timers(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Step Functions task after a Wait-until-deadline: check and act (follow-ups, SLAs)."""
    from chalicelib.automation.handlers import handle_timer

    return handle_timer(event, context)
