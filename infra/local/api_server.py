"""The local API: the Chalice app behind werkzeug's threaded WSGI server, as `make run` serves it.

`chalice local` listens with a backlog of 5 on a plain `http.server`: 25 clients at once get
connection resets, and some hang until they time out. Here the same Chalice app and the same
local gateway (`chalice.local.LocalGateway`: routing, the Lambda event, the app's response)
sit behind werkzeug's server, a thread per connection and a listen backlog of 128, with
werkzeug's reloader restarting it when a source file changes (CRM_API_AUTORELOAD=0 turns it
off). It also serves what only a developer needs: an interactive API reference at /docs
(Swagger UI's files from the pinned `swagger-ui-py` package, nothing from a CDN) reading the
app's own /openapi.json.

    python -m infra.local.api_server --host 127.0.0.1 --port 8000 [--autoreload]
"""

from __future__ import annotations

import argparse
import base64
import logging
import os
import sys
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from .config import FUNCTIONS_DIR

STAGE = "local"
DOCS_PATH = "/docs"
STATIC_PATH = "/docs/static"
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>CRM backend API reference</title>
  <link rel="stylesheet" href="{static}/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="{static}/swagger-ui-bundle.js"></script>
  <script>
    // Authorize with a token from `make run`'s banner or `make token`.
    window.ui = SwaggerUIBundle({{url: "/openapi.json", dom_id: "#reference",
                                 persistAuthorization: true, tryItOutEnabled: true}});
  </script>
</body>
</html>
"""

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def swagger_ui_static() -> Path:
    """Swagger UI's files as the `swagger-ui-py` package ships them."""
    import swagger_ui

    return Path(swagger_ui.__file__).resolve().parent / "static"


def load_app(project_dir: Path = FUNCTIONS_DIR, stage: str = STAGE) -> tuple[Any, Any]:
    """The Chalice app and its stage config, loaded as `chalice local` loads them."""
    from chalice.cli.factory import CLIFactory
    from chalice.deploy.validate import validate_routes
    from chalice.local import CustomLocalChalice, LocalChalice

    config = CLIFactory(str(project_dir)).create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    validate_routes(app.routes)
    # As chalice.local.create_local_server does: current_request becomes per thread.
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    return app, config


def _request_target(environ: dict[str, Any]) -> str:
    """The path and query as the client sent them (still percent-encoded, as routes expect)."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if raw:
        return str(raw)
    path = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/:@!$&'()*+,;=-._~%")
    query = environ.get("QUERY_STRING")
    return f"{path}?{query}" if query else path


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").title(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").title()] = str(environ[key])
    return headers


def gateway_app(app: Any, config: Any) -> WsgiApp:
    """A WSGI app that hands each request to Chalice's local gateway, as `chalice local` does."""
    from chalice.local import LocalGateway, LocalGatewayException

    gateway = LocalGateway(app, config)

    def serve(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else None
        try:
            answer = gateway.handle_request(
                method=environ["REQUEST_METHOD"],
                path=_request_target(environ),
                headers=_headers(environ),
                body=body,
            )
            status, headers, payload = _from_lambda(answer)
        except LocalGatewayException as error:
            status, headers, payload = error.CODE, dict(error.headers), error.body
        data = payload if isinstance(payload, bytes) else (payload or "").encode("utf-8")
        pairs = [("Content-Type", str(headers.pop("Content-Type", "application/json")))]
        for name, value in headers.items():
            for one in value if isinstance(value, list) else [value]:
                pairs.append((name, str(one)))
        pairs.append(("Content-Length", str(len(data))))
        start_response(f"{status} {HTTPStatus(status).phrase}", pairs)
        return [data]

    return serve


def _from_lambda(answer: dict[str, Any]) -> tuple[int, dict[str, Any], str | bytes | None]:
    headers: dict[str, Any] = dict(answer.get("headers") or {})
    headers.update(answer.get("multiValueHeaders") or {})
    body = answer.get("body")
    if answer.get("isBase64Encoded") and body is not None:
        body = base64.b64decode(body)
    return int(answer["statusCode"]), headers, body


def with_docs(api: WsgiApp) -> WsgiApp:
    """The API plus the interactive reference at /docs and Swagger UI's files under it."""
    from werkzeug.middleware.shared_data import SharedDataMiddleware

    page = DOCS_PAGE.format(static=STATIC_PATH).encode("utf-8")

    def serve(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in (DOCS_PATH, DOCS_PATH + "/"):
            headers = [("Content-Type", "text/html; charset=utf-8")]
            start_response("200 OK", [*headers, ("Content-Length", str(len(page)))])
            return [page]
        return api(environ, start_response)

    return cast(WsgiApp, SharedDataMiddleware(serve, {STATIC_PATH: str(swagger_ui_static())}))


def make_wsgi_app(project_dir: Path = FUNCTIONS_DIR, stage: str = STAGE) -> WsgiApp:
    app, config = load_app(project_dir, stage)
    return with_docs(gateway_app(app, config))


def _plain_log_handler() -> Any:
    from werkzeug.serving import WSGIRequestHandler

    class PlainLog(WSGIRequestHandler):
        """One plain line per request: werkzeug colours it with ANSI escapes, which end up in
        .local/logs/api.log."""

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            self.log("info", '"%s" %s %s', self.requestline, getattr(code, "value", code), size)

    return PlainLog


def _never_called(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    raise RuntimeError("the reloader's watcher serves no request")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default=STAGE)
    parser.add_argument("--autoreload", action="store_true")
    args = parser.parse_args(argv)
    from werkzeug.serving import run_simple

    # The app logs to stdout, as in Lambda (and as `chalice local` does).
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    # With the reloader, this first process only watches over the serving child it restarts
    # (werkzeug's design): loading the app here too would only cost time.
    watcher_only = args.autoreload and os.environ.get("WERKZEUG_RUN_MAIN") != "true"
    run_simple(
        args.host,
        args.port,
        _never_called if watcher_only else make_wsgi_app(stage=args.stage),
        threaded=True,
        use_reloader=args.autoreload,
        reloader_type="stat",
        request_handler=_plain_log_handler(),
        extra_files=[str(FUNCTIONS_DIR / ".chalice" / "config.json")],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
