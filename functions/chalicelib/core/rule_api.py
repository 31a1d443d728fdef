"""The five CRUD routes of a tenant rule set, declared once for every set.

    rule_routes(bp, RuleRoutes("/v1/tag-rules", "tag rules", "tag rule", "TagRule"))

registers POST/GET on the collection and GET/PATCH/DELETE on an item. Bodies and responses are
the area's models `<Model>Create`, `<Model>Patch`, `<Model>` and `<Model>Page`; the views call
the area's `service` module: create_rule, list_rules, get_rule, patch_rule, delete_rule. An area
that keeps several sets names other modules of its package (`service=`, `models=`).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from chalice.app import Blueprint, Response

from .http import (
    QueryParam,
    area_of,
    create_once,
    expected_version,
    json_response,
    named_view,
    parse_body,
    principal,
    query_params,
    route,
    versioned,
)
from .pagination import page_size

PAGING = (
    QueryParam("limit", "Page size (1-100, default 25).", minimum=1, maximum=100),
    QueryParam("next", "Cursor from the previous page.", max_length=2048),
)


@dataclass(frozen=True)
class RuleRoutes:
    path: str  # "/v1/tag-rules"
    tag: str  # OpenAPI tag: the area's name
    noun: str  # "tag rule"
    model: str  # "TagRule": TagRuleCreate, TagRulePatch, TagRule, TagRulePage
    unique_names: bool = False  # creating and renaming may answer 409
    on_delete: str = ""  # what deleting means, for the summary
    service: str = "service"  # the area's module with the use cases
    models: str = "models"  # the area's module with the bodies and responses

    @property
    def article(self) -> str:
        return "an" if self.noun[0] in "aeiou" else "a"

    @property
    def slug(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def view_name(self, verb: str, plural: bool = False) -> str:
        return f"{verb}_{self.noun.replace(' ', '_')}{'s' if plural else ''}"


def rule_routes(bp: Blueprint, spec: RuleRoutes) -> None:
    """Register the set's CRUD routes on the area's Blueprint."""
    area = area_of(bp)
    item = spec.path + "/{rule_id}"
    conflict = (409,) if spec.unique_names else ()

    def service() -> Any:
        return import_module(f"{area}.{spec.service}")

    def models() -> Any:
        return import_module(f"{area}.{spec.models}")

    def create() -> Response:
        request = bp.current_request
        caller = principal(request)
        body = parse_body(request, getattr(models(), f"{spec.model}Create"))
        return create_once(
            request,
            caller,
            f"{spec.slug}.create",
            lambda: service().create_rule(caller, body),
            location=lambda rule: f"{spec.path}/{rule.id}",
        )

    def listing() -> Response:
        request = bp.current_request
        params = query_params(request)
        page = service().list_rules(
            principal(request), page_size(params.get("limit")), params.get("next")
        )
        return json_response(page)

    def get(rule_id: str) -> Response:
        return versioned(service().get_rule(principal(bp.current_request), rule_id))

    def patch(rule_id: str) -> Response:
        request = bp.current_request
        caller = principal(request)
        body = parse_body(request, getattr(models(), f"{spec.model}Patch"))
        return versioned(service().patch_rule(caller, rule_id, body, expected_version(request)))

    def delete(rule_id: str) -> Response:
        request = bp.current_request
        service().delete_rule(principal(request), rule_id, expected_version(request))
        return Response(body="", status_code=204)

    a, noun = spec.article, spec.noun
    named_in = "" if spec.models == "models" else f"{spec.models}:"
    route(
        bp, spec.path, "POST", summary=f"Create {a} {noun}", tag=spec.tag,
        operation_id=f"create{spec.model}",
        body=f"{named_in}{spec.model}Create", response=f"{named_in}{spec.model}", status=201,
        headers=("Idempotency-Key",), errors=(400, 401, 403, *conflict, 422),
    )(named_view(create, spec.view_name("create")))  # fmt: skip
    route(
        bp, spec.path, "GET", summary=f"List the tenant's {noun}s", tag=spec.tag,
        operation_id=f"list{spec.model}s",
        response=f"{named_in}{spec.model}Page", query=PAGING,
    )(named_view(listing, spec.view_name("list", plural=True)))  # fmt: skip
    route(
        bp, item, "GET", summary=f"Get {a} {noun}", tag=spec.tag, response=f"{named_in}{spec.model}",
        operation_id=f"get{spec.model}",
    )(named_view(get, spec.view_name("get")))  # fmt: skip
    route(
        bp, item, "PATCH", summary=f"Change {a} {noun}", tag=spec.tag,
        operation_id=f"update{spec.model}",
        body=f"{named_in}{spec.model}Patch", response=f"{named_in}{spec.model}", headers=("If-Match",),
        errors=(400, 401, 403, 404, *conflict, 412, 422),
    )(named_view(patch, spec.view_name("patch")))  # fmt: skip
    route(
        bp, item, "DELETE", summary=f"Delete {a} {noun}{spec.on_delete}", tag=spec.tag,
        operation_id=f"delete{spec.model}",
        status=204, headers=("If-Match",), errors=(400, 401, 403, 404, 412),
    )(named_view(delete, spec.view_name("delete")))  # fmt: skip
