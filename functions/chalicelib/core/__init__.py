"""Shared plumbing and the engines that know no area.

Areas import these public names from `chalicelib.core`, never its modules (an import contract
in `make test` keeps it so); only the entry points in app.py and the local runners reach into
`core.gateway`, `core.stream` and `core.timers`. Names whose module loads pydantic or pynamodb
are imported on first use, so that importing an area's routes costs the cold start nothing.

| concern                  | names                                                               |
|--------------------------|---------------------------------------------------------------------|
| who calls, what they may | Principal, Role, require_role, can_read_owned, can_write_owned      |
| problems                 | CrmError and its statuses (NotFound, Conflict, ValidationFailed...) |
| settings                 | Settings, get_settings; SettingsCache (a tenant's, a few seconds);  |
|                          | a tenant's settings document's GET/PUT: SettingsRoutes, settings_routes |
| HTTP                     | route, QueryParam, PathParam, principal, parse_body, query_params.. |
| models                   | Schema, Strict, validate, check_version; what the table can hold:   |
|                          | DynamoNumber (NonNegative-, PositiveNumber), WholeNumber, Moment, Day, |
|                          | Line, Text, parse_day                                               |
| the table                | CrmItem, Page, query_page, keys (customer_pk, gsi_pk, ...)          |
| areas                    | Area, ItemType, Section, Follow, TimerKind, Schedule, registry      |
| the stream               | Change, Reaction, AggregateStep, Notice, public_aggregates;         |
|                          | reads a batch shares: remembered, forget, remember_ahead/_all  |
| events                   | EventDetail, publish                                                |
| timers                   | Timer, timer_backend                                                |
| background jobs          | JobKind, JobStep, start_job, job_states; the tenants: remember_... |
| tenant rule sets         | RuleSet, RuleItem, RuleRoutes, rule_routes, compile_condition, ...  |
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .area_registry import (
    Area,
    Follow,
    ItemType,
    JobKind,
    Schedule,
    Section,
    TimerKind,
    registry,
)
from .auth import Principal, Role, can_read_owned, can_write_owned, require_role
from .correlation import current as current_correlation_id
from .errors import (
    BadRequest,
    Conflict,
    CrmError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from .settings import Settings, get_settings
from .settings_cache import SettingsCache, forget_all_settings, stored_settings
from .versions import check_version

if TYPE_CHECKING:
    from .batch_cache import forget, remember_ahead, remember_all, remembered
    from .changes import (
        AggregateStep,
        Change,
        Notice,
        Reaction,
        json_safe,
        parse_time,
        public_aggregates,
    )
    from .events import EventDetail, publish
    from .http import (
        PathParam,
        QueryParam,
        create_once,
        expected_version,
        json_response,
        parse_body,
        principal,
        query_params,
        route,
        versioned,
    )
    from .ids import deterministic_ulid
    from .jobs import JobStep, job_states, start_job
    from .models import (
        Day,
        DynamoNumber,
        Line,
        Moment,
        NonNegativeNumber,
        PositiveNumber,
        Schema,
        Strict,
        Text,
        WholeNumber,
        parse_day,
        validate,
    )
    from .observability import logger, metrics
    from .pagination import decode_cursor, encode_cursor, page_size
    from .rule_api import RuleRoutes, rule_routes
    from .rule_store import RuleItem
    from .rulesets import (
        RuleSet,
        author_of,
        clear_rule_caches,
        compile_condition,
        matching,
        read_version,
        to_rule_json,
    )
    from .settings_api import SettingsRoutes, settings_routes
    from .table import (
        IDENTITY_SK,
        PROFILE_SK,
        SETTINGS_SK,
        TTL_ATTRIBUTE,
        CrmItem,
        DecimalAttribute,
        Page,
        condition_failed,
        customer_pk,
        gsi_pk,
        identity_pk,
        inverted_millis,
        query_page,
        raw_query_page,
        tenant_prefix,
    )
    from .tenants import all_tenants, remember_tenant
    from .timer_backends import Timer, timer_backend

_LAZY = {
    **dict.fromkeys(
        ("AggregateStep", "Change", "Notice", "Reaction", "json_safe", "parse_time"), "changes"
    ),
    "public_aggregates": "changes",
    **dict.fromkeys(("EventDetail", "publish"), "events"),
    "deterministic_ulid": "ids",
    **dict.fromkeys(
        (
            "PathParam",
            "QueryParam",
            "create_once",
            "expected_version",
            "json_response",
            "parse_body",
            "principal",
            "query_params",
            "route",
            "versioned",
        ),
        "http",
    ),
    **dict.fromkeys(
        (
            "Day",
            "DynamoNumber",
            "NonNegativeNumber",
            "PositiveNumber",
            "WholeNumber",
            "Line",
            "Moment",
            "NonNegativeNumber",
            "PositiveNumber",
            "Schema",
            "Strict",
            "Text",
            "parse_day",
            "validate",
        ),
        "models",
    ),
    **dict.fromkeys(("logger", "metrics"), "observability"),
    **dict.fromkeys(("forget", "remember_ahead", "remember_all", "remembered"), "batch_cache"),
    **dict.fromkeys(("JobStep", "job_states", "start_job"), "jobs"),
    **dict.fromkeys(("all_tenants", "remember_tenant"), "tenants"),
    **dict.fromkeys(("decode_cursor", "encode_cursor", "page_size"), "pagination"),
    **dict.fromkeys(("RuleRoutes", "rule_routes"), "rule_api"),
    **dict.fromkeys(("SettingsRoutes", "settings_routes"), "settings_api"),
    "RuleItem": "rule_store",
    **dict.fromkeys(
        (
            "RuleSet",
            "author_of",
            "clear_rule_caches",
            "compile_condition",
            "matching",
            "read_version",
            "to_rule_json",
        ),
        "rulesets",
    ),
    **dict.fromkeys(
        (
            "IDENTITY_SK",
            "PROFILE_SK",
            "SETTINGS_SK",
            "TTL_ATTRIBUTE",
            "CrmItem",
            "DecimalAttribute",
            "Page",
            "condition_failed",
            "customer_pk",
            "gsi_pk",
            "identity_pk",
            "inverted_millis",
            "query_page",
            "raw_query_page",
            "tenant_prefix",
        ),
        "table",
    ),
    **dict.fromkeys(("Timer", "timer_backend"), "timer_backends"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "IDENTITY_SK",
    "PROFILE_SK",
    "SETTINGS_SK",
    "TTL_ATTRIBUTE",
    "AggregateStep",
    "Area",
    "BadRequest",
    "Change",
    "Conflict",
    "CrmError",
    "CrmItem",
    "Day",
    "DecimalAttribute",
    "DynamoNumber",
    "EventDetail",
    "Follow",
    "Forbidden",
    "ItemType",
    "JobKind",
    "JobStep",
    "Line",
    "Moment",
    "NonNegativeNumber",
    "NotFound",
    "Notice",
    "Page",
    "PathParam",
    "PositiveNumber",
    "PreconditionFailed",
    "Principal",
    "QueryParam",
    "Reaction",
    "Role",
    "RuleItem",
    "RuleRoutes",
    "RuleSet",
    "Schedule",
    "Schema",
    "Section",
    "Settings",
    "SettingsCache",
    "SettingsRoutes",
    "Strict",
    "Text",
    "Timer",
    "TimerKind",
    "TooManyRequests",
    "Unauthorized",
    "ValidationFailed",
    "WholeNumber",
    "all_tenants",
    "author_of",
    "can_read_owned",
    "can_write_owned",
    "check_version",
    "clear_rule_caches",
    "compile_condition",
    "condition_failed",
    "create_once",
    "current_correlation_id",
    "customer_pk",
    "decode_cursor",
    "deterministic_ulid",
    "encode_cursor",
    "expected_version",
    "forget",
    "forget_all_settings",
    "get_settings",
    "gsi_pk",
    "identity_pk",
    "inverted_millis",
    "job_states",
    "json_response",
    "json_safe",
    "logger",
    "matching",
    "metrics",
    "page_size",
    "parse_body",
    "parse_day",
    "parse_time",
    "principal",
    "public_aggregates",
    "publish",
    "query_page",
    "query_params",
    "raw_query_page",
    "read_version",
    "registry",
    "remember_ahead",
    "remember_all",
    "remember_tenant",
    "remembered",
    "require_role",
    "route",
    "rule_routes",
    "settings_routes",
    "start_job",
    "stored_settings",
    "tenant_prefix",
    "timer_backend",
    "to_rule_json",
    "validate",
    "versioned",
]
