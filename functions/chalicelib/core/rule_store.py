"""DynamoDB access of tenant rule sets (tag rules, automation rules, and those to come).

| pattern                          | index | key condition                                     |
|----------------------------------|-------|---------------------------------------------------|
| a rule by id                     | table | pk=T#t#<SET>, sk=RULE#<rule id>                   |
| a tenant's rules of one set      | table | pk=T#t#<SET>, sk begins_with RULE# (one Query)    |
| rule-name guard (unique names)   | table | pk=T#t#<SET>, sk=NAME#<casefolded name>           |

| the tenant's rules version        | table | pk=T#t, sk=#RULESVERSION (GetItem; BatchGet)      |

<SET> is the rule set's partition name (TAGRULES, AUTORULES, ...). Each set stores its rules as
its own subclass of `RuleItem` (its own `type`), with the attributes only it has.

Every rule write also adds 1 to the tenant's rules version, in the same transaction: the stream
function reads that version (consistently) once per batch, so a change committed after a rule's
write returned is always evaluated with that rule, however recently this process compiled
the tenant's rules.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from .errors import Conflict, NotFound, PreconditionFailed
from .table import CrmItem, Page, query_page

RULE_PREFIX = "RULE#"
NAME_PREFIX = "NAME#"
RULES_VERSION_SK = "#RULESVERSION"
CONDITION_FAILED = "ConditionalCheckFailed"


class RuleItem(CrmItem):
    """What every stored rule has; each rule set subclasses it with its `type` and parts."""

    rule_id = UnicodeAttribute()
    name = UnicodeAttribute()
    enabled = BooleanAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    # Whose authority the rule acts on: the user who last wrote it (user_id, roles, team_id).
    author = MapAttribute[str, Any](null=True)
    backfill_job_id = UnicodeAttribute(null=True)  # the job applying its last write to all
    version = VersionAttribute()


class RulesVersionItem(CrmItem, discriminator="RulesVersion"):
    """How many rule writes a tenant has had (any rule set): the stream's cue to recompile."""

    rules_version = NumberAttribute(default=0)


def rules_version_key(tenant_id: str) -> tuple[str, str]:
    return f"T#{tenant_id}", RULES_VERSION_SK


class RuleNameItem(CrmItem, discriminator="RuleName"):
    """Holds a rule name in a set whose names are unique (created with the rule, atomically)."""

    rule_id = UnicodeAttribute()


ItemT = TypeVar("ItemT", bound=RuleItem)


def partition(tenant_id: str, rule_set: str) -> str:
    return f"T#{tenant_id}#{rule_set}"


def rule_sk(rule_id: str) -> str:
    return f"{RULE_PREFIX}{rule_id}"


def _guard(item: RuleItem, name: str) -> RuleNameItem:
    return RuleNameItem(
        pk=item.pk, sk=f"{NAME_PREFIX}{name.casefold()}", tenant_id=item.tenant_id,
        rule_id=item.rule_id,
    )  # fmt: skip


def _cancelled_at(error: TransactWriteError) -> set[int]:
    """Positions of the items whose condition failed. pynamodb submits a transaction's items
    grouped: condition checks, then deletes, then puts, then updates (not in call order)."""
    reasons = error.cancellation_reasons or []
    return {i for i, r in enumerate(reasons) if r is not None and r.code == CONDITION_FAILED}


def _name_taken(noun: str, name: str) -> Conflict:
    return Conflict(f"A {noun} named {name!r} exists already.", field="name")


def _stale(noun: str) -> PreconditionFailed:
    return PreconditionFailed(f"The {noun} changed meanwhile; fetch it again.", field="If-Match")


def _transaction() -> TransactWrite:
    return TransactWrite(connection=CrmItem._get_connection().connection)


def _bump(tx: TransactWrite, tenant_id: str) -> None:
    pk, sk = rules_version_key(tenant_id)
    tx.update(
        RulesVersionItem(pk=pk, sk=sk),
        actions=[
            RulesVersionItem.rules_version.add(1),
            RulesVersionItem.item_type.set(RulesVersionItem),
            RulesVersionItem.tenant_id.set(tenant_id),
        ],
    )


def create(item: RuleItem, *, noun: str, unique_name: bool) -> None:
    """The rule (and its name guard) in one transaction with the tenant's rules version: a
    taken name is 409, never overwritten."""
    try:
        with _transaction() as tx:
            tx.save(item, condition=type(item).pk.does_not_exist())
            _bump(tx, item.tenant_id)
            if unique_name:
                tx.save(_guard(item, item.name), condition=RuleNameItem.pk.does_not_exist())
    except TransactWriteError as exc:
        if 1 in _cancelled_at(exc):  # puts: the rule, its guard
            raise _name_taken(noun, item.name) from None
        raise


def get(item_class: type[ItemT], pk: str, rule_id: str, *, noun: str, consistent: bool) -> ItemT:
    try:
        return item_class.get(pk, rule_sk(rule_id), consistent_read=consistent)
    except item_class.DoesNotExist:
        raise NotFound(f"No {noun} {rule_id}.", field="id") from None


def page(
    item_class: type[RuleItem], pk: str, limit: int | None, start_key: dict[str, Any] | None
) -> Page:
    """One Query over a tenant's rules of a set (a page of `limit`, or all pages when None)."""
    return query_page(
        item_class.query,
        pk,
        item_class.sk.startswith(RULE_PREFIX),
        limit=limit,
        start_key=start_key,
    )


def names(pk: str) -> set[str]:
    """The casefolded names a set's rules use (one Query over the guards)."""
    return {
        guard.sk.removeprefix(NAME_PREFIX)
        for guard in RuleNameItem.query(pk, RuleNameItem.sk.startswith(NAME_PREFIX))
    }


def save(item: RuleItem, old_name: str, *, noun: str, unique_name: bool) -> None:
    """Write a changed rule (version-checked) with the tenant's rules version; a rename moves
    the name guard atomically."""
    renamed = unique_name and item.name.casefold() != old_name.casefold()
    try:
        with _transaction() as tx:
            tx.save(item)  # the version attribute makes a concurrent change fail
            _bump(tx, item.tenant_id)
            if renamed:
                tx.delete(_guard(item, old_name))
                tx.save(_guard(item, item.name), condition=RuleNameItem.pk.does_not_exist())
    except TransactWriteError as exc:
        # deletes: the old guard (when renamed); puts: the rule, the new guard
        rule_at = 1 if renamed else 0
        cancelled = _cancelled_at(exc)
        if rule_at in cancelled:
            raise _stale(noun) from None
        if renamed and 2 in cancelled:
            raise _name_taken(noun, item.name) from None
        raise


def delete(item: RuleItem, *, noun: str, unique_name: bool) -> None:
    """Delete a rule (conditioned on the version read) with the tenant's rules version."""
    try:
        with _transaction() as tx:
            tx.delete(item, condition=type(item).version == item.version)
            _bump(tx, item.tenant_id)
            if unique_name:
                tx.delete(_guard(item, item.name))
    except TransactWriteError as exc:
        if 0 in _cancelled_at(exc):
            raise _stale(noun) from None
        raise


def rules_version(tenant_id: str) -> int:
    """The tenant's rules version as of now (consistent read; 0 before any rule write)."""
    try:
        found = RulesVersionItem.get(*rules_version_key(tenant_id), consistent_read=True)
    except RulesVersionItem.DoesNotExist:
        return 0
    return int(found.rules_version or 0)
