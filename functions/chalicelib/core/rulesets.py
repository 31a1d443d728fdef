"""The toolkit every tenant rule set is built with (tag rules, automation rules, stage rules,
SLA and assignment rules, loyalty tiers ...): versioned CRUD with If-Match, conditions compiled
on write with errors that point at the bad part, and a short cache of the compiled rules.

An area declares its set once, e.g. in its service:

    RULES = RuleSet("tag rule", partition="TAGRULES", item=store.TagRuleItem,
                    managers=(Role.ADMIN, Role.MARKETING), compile=compiled, unique_names=True)

and its use cases become a few lines each: `RULES.create(principal, item)`, `RULES.change(...)`,
`RULES.enabled(tenant)` for the stream and timers. `rule_routes` (core.http's sibling
`rule_api`) gives the five CRUD routes; `clear_rule_caches()` forgets every set's cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from . import rule_store
from .auth import Principal, Role, require_role
from .errors import CrmError, NotFound, ValidationFailed
from .observability import logger
from .pagination import decode_cursor, encode_cursor
from .rule_store import RuleItem
from .versions import check_version

ItemT = TypeVar("ItemT", bound=RuleItem)
CompiledT = TypeVar("CompiledT")

_ALL_SETS: list[RuleSet[Any, Any]] = []
# tenant -> its rules version as the stream function last read it (see `observe_versions`)
_KNOWN_VERSIONS: dict[str, int] = {}


@dataclass(eq=False)
class RuleSet(Generic[ItemT, CompiledT]):
    """One kind of tenant rule: where it is stored, who manages it, how a stored rule compiles."""

    noun: str  # "tag rule": in messages and problems
    partition: str  # pk suffix: T#<tenant>#<partition>
    item: type[ItemT]
    managers: tuple[Role, ...]
    compile: Callable[[ItemT], CompiledT]  # raises ValueError when a stored rule no longer does
    unique_names: bool = False
    # After a write that changes what the rule matches: the job kind and params that apply the
    # change to the customers the tenant already has, from (the rule before, the rule after:
    # None when created / deleted); None when nothing needs doing.
    backfill_kind: str | None = None
    backfill: (
        Callable[[Mapping[str, Any] | None, ItemT | None], Mapping[str, Any] | None] | None
    ) = None
    cache_seconds: float = 10.0
    # tenant -> (when compiled, rules version then, the compiled rules)
    _cache: dict[str, tuple[float, int | None, list[CompiledT]]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        _ALL_SETS.append(self)

    def _pk(self, tenant_id: str) -> str:
        return rule_store.partition(tenant_id, self.partition)

    def check_can_manage(self, principal: Principal) -> None:
        require_role(principal, *self.managers)

    # --- use cases ---------------------------------------------------------------------------

    def new(self, principal: Principal, **attrs: Any) -> ItemT:
        """An unsaved rule of the caller's tenant with a fresh id, stamped now by the caller."""
        from ulid import ULID

        rule_id = str(ULID())
        moment = datetime.now(UTC)
        return self.item(
            pk=self._pk(principal.tenant_id),
            sk=rule_store.rule_sk(rule_id),
            tenant_id=principal.tenant_id,
            rule_id=rule_id,
            created_at=moment,
            updated_at=moment,
            created_by=principal.user_id,
            author=author_record(principal),
            **attrs,
        )

    def create(self, principal: Principal, item: ItemT) -> ItemT:
        """Save a new rule (its parts already validated and compiled by the area) and start
        its backfill over the customers the tenant already has."""
        self.check_can_manage(principal)
        job = self._backfill_params(None, item)
        if job is not None:
            item.backfill_job_id = _job_id()
        rule_store.create(item, noun=self.noun, unique_name=self.unique_names)
        self.forget(principal.tenant_id)
        self._start_backfill(principal, item.backfill_job_id, job)
        return item

    def _backfill_params(
        self, before: Mapping[str, Any] | None, after: ItemT | None
    ) -> Mapping[str, Any] | None:
        if self.backfill is None or self.backfill_kind is None:
            return None
        return self.backfill(before, after)

    def _start_backfill(
        self, principal: Principal, job_id: str | None, params: Mapping[str, Any] | None
    ) -> None:
        if params is None or job_id is None or self.backfill_kind is None:
            return
        from .jobs import start_job

        start_job(
            principal.tenant_id,
            self.backfill_kind,
            params,
            started_by=principal.user_id,
            job_id=job_id,
        )

    def get(self, principal: Principal, rule_id: str) -> ItemT:
        return rule_store.get(
            self.item, self._pk(principal.tenant_id), rule_id, noun=self.noun, consistent=False
        )

    def find(self, tenant_id: str, rule_id: str) -> ItemT | None:
        """The rule as stored now (consistent read), or None: for timers and the stream."""
        try:
            return rule_store.get(
                self.item, self._pk(tenant_id), rule_id, noun=self.noun, consistent=True
            )
        except NotFound:
            return None

    def page(
        self, principal: Principal, limit: int, cursor: str | None
    ) -> tuple[list[ItemT], str | None]:
        scope = f"{self.partition.lower()}:{principal.tenant_id}"
        found = rule_store.page(
            self.item, self._pk(principal.tenant_id), limit, decode_cursor(cursor, scope)
        )
        return list(found.items), encode_cursor(found.last_key, scope)

    def change(
        self,
        principal: Principal,
        rule_id: str,
        expected: int | None,
        edit: Callable[[ItemT], None],
    ) -> ItemT:
        """Read the rule, check the caller's If-Match, let `edit` change it, save it."""
        self.check_can_manage(principal)
        item = rule_store.get(
            self.item, self._pk(principal.tenant_id), rule_id, noun=self.noun, consistent=True
        )
        check_version(expected, item.version)
        old_name = item.name
        before = dict(item.attribute_values)
        edit(item)
        item.updated_at = datetime.now(UTC)
        item.author = author_record(principal)  # the rule now acts on its editor's authority
        job = self._backfill_params(before, item)
        if job is not None:
            item.backfill_job_id = _job_id()
        rule_store.save(item, old_name, noun=self.noun, unique_name=self.unique_names)
        self.forget(principal.tenant_id)
        self._start_backfill(principal, item.backfill_job_id if job else None, job)
        return item

    def delete(self, principal: Principal, rule_id: str, expected: int | None) -> None:
        self.check_can_manage(principal)
        item = rule_store.get(
            self.item, self._pk(principal.tenant_id), rule_id, noun=self.noun, consistent=True
        )
        check_version(expected, item.version)
        job = self._backfill_params(dict(item.attribute_values), None)
        rule_store.delete(item, noun=self.noun, unique_name=self.unique_names)
        self.forget(principal.tenant_id)
        self._start_backfill(principal, _job_id() if job else None, job)

    def names(self, tenant_id: str) -> set[str]:
        """The casefolded names in use (sets with unique names)."""
        return rule_store.names(self._pk(tenant_id))

    # --- compiled rules for the stream and timers ------------------------------------------------

    def enabled(self, tenant_id: str) -> list[CompiledT]:
        """The tenant's enabled rules, compiled: one Query, then cached per warm function.

        Where the stream function has read the tenant's rules version (once per batch), the
        cache holds until that version moves, so no change is evaluated with stale rules;
        elsewhere it holds for `cache_seconds`.
        """
        known = _KNOWN_VERSIONS.get(tenant_id)
        cached = self._cache.get(tenant_id)
        if cached is not None:
            at, version, rules = cached
            if known is not None and version == known:
                return rules
            if known is None and time.monotonic() - at < self.cache_seconds:
                return rules
        compiled = []
        for item in rule_store.page(self.item, self._pk(tenant_id), None, None).items:
            if not item.enabled:
                continue
            try:
                compiled.append(self.compile(item))
            except (ValueError, CrmError):
                # Stored rules were validated on write; one that no longer compiles (e.g. after
                # a catalogue change) is skipped rather than failing every customer's change.
                logger.warning(
                    f"Skipping a {self.noun} that does not compile", rule_id=item.rule_id
                )
        self._cache[tenant_id] = (time.monotonic(), known, compiled)
        return compiled

    def forget(self, tenant_id: str | None = None) -> None:
        """Drop this process's compiled rules (of one tenant, or all)."""
        if tenant_id is None:
            self._cache.clear()
        else:
            self._cache.pop(tenant_id, None)


def _job_id() -> str:
    from ulid import ULID

    return str(ULID())  # time-ordered: a tenant's jobs list newest first


def clear_rule_caches() -> None:
    """Forget the compiled rules of every rule set (tests, after writing rules directly)."""
    for rule_set in _ALL_SETS:
        rule_set.forget()
    _KNOWN_VERSIONS.clear()


def observe_versions(versions: Mapping[str, int]) -> None:
    """The tenants' rules versions as read now (consistently): compiled rules of an older
    version are not used again. The stream function calls this once per batch."""
    _KNOWN_VERSIONS.update(versions)


def read_version(tenant_id: str) -> None:
    """Read one tenant's rules version now (a GetItem): for work outside the stream (jobs)."""
    observe_versions({tenant_id: rule_store.rules_version(tenant_id)})


def author_record(principal: Principal) -> dict[str, Any]:
    """Who a rule acts for, as stored on it."""
    return {
        "user_id": principal.user_id,
        "roles": sorted(role.value for role in principal.roles),
        "team_id": principal.team_id,
    }


def author_of(item: RuleItem) -> Principal | None:
    """The principal a stored rule acts for (None for rules written before authors were kept)."""
    record = item.author.as_dict() if hasattr(item.author, "as_dict") else item.author
    if not record:
        return None
    roles = frozenset(Role(r) for r in record.get("roles") or [] if r in Role._value2member_map_)
    return Principal(item.tenant_id, str(record["user_id"]), roles, record.get("team_id"))


def compile_condition(data: Any, root: str = "condition", catalogue: Any = None) -> Any:
    """A rule-language condition compiled against what rules may read (by default every area's
    facts, from the registry), or 422 naming the bad part (e.g. `condition.all[1].in[0]`)."""
    from ..rulelang import RuleError, compile_rule
    from .area_registry import registry

    try:
        return compile_rule(data, catalogue or registry().catalogue, root=root)
    except RuleError as err:
        raise ValidationFailed(
            f"{err.path}: {err.reason}.",
            field=err.path,
            errors=[{"field": err.path, "reason": err.reason, "code": err.code}],
        ) from None


def to_rule_json(condition: Any) -> str:
    """A compiled condition as the canonical JSON text rule sets store."""
    import json

    from ..rulelang import to_json

    return json.dumps(to_json(condition), ensure_ascii=False)


def matching(
    condition: Any, candidates: Iterable[tuple[str, Mapping[str, Any]]], now: datetime
) -> list[str]:
    """Dry run: the ids of the candidates (id, facts) the condition holds for; writes nothing."""
    from ..rulelang import evaluate

    return [key for key, facts in candidates if evaluate(condition, facts, now)]
