"""DynamoDB access of tenant rule sets (tag rules, automation rules, and those to come).

| pattern                          | index | key condition                                     |
|----------------------------------|-------|---------------------------------------------------|
| a rule by id                     | table | pk=T#t#<SET>, sk=RULE#<rule id>                   |
| a tenant's rules of one set      | table | pk=T#t#<SET>, sk begins_with RULE# (one Query)    |
| rule-name guard (unique names)   | table | pk=T#t#<SET>, sk=NAME#<casefolded name>           |

<SET> is the rule set's partition name (TAGRULES, AUTORULES, ...). Each set stores its rules as
its own subclass of `RuleItem` (its own `type`), with the attributes only it has.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from pynamodb.attributes import (
    BooleanAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from .errors import Conflict, NotFound, PreconditionFailed
from .table import CrmItem, Page, query_page

RULE_PREFIX = "RULE#"
NAME_PREFIX = "NAME#"
CONDITION_FAILED = "ConditionalCheckFailed"


class RuleItem(CrmItem):
    """What every stored rule has; each rule set subclasses it with its `type` and parts."""

    rule_id = UnicodeAttribute()
    name = UnicodeAttribute()
    enabled = BooleanAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    version = VersionAttribute()


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
    reasons = error.cancellation_reasons or []
    return {i for i, r in enumerate(reasons) if r is not None and r.code == CONDITION_FAILED}


def _name_taken(noun: str, name: str) -> Conflict:
    return Conflict(f"A {noun} named {name!r} exists already.", field="name")


def _stale(noun: str) -> PreconditionFailed:
    return PreconditionFailed(f"The {noun} changed meanwhile; fetch it again.", field="If-Match")


def _transaction() -> TransactWrite:
    return TransactWrite(connection=CrmItem._get_connection().connection)


@contextmanager
def _version_checked(noun: str) -> Iterator[None]:
    """A lost version race on a single-item write becomes 412."""
    try:
        yield
    except (PutError, DeleteError) as exc:
        if exc.cause_response_code == f"{CONDITION_FAILED}Exception":
            raise _stale(noun) from None
        raise


def create(item: RuleItem, *, noun: str, unique_name: bool) -> None:
    """The rule (and its name guard) in one transaction: a taken name is 409, never overwritten.

    Without a guard to write, a plain conditional put (a one-item transaction costs double).
    """
    if not unique_name:
        item.save(condition=type(item).pk.does_not_exist())
        return
    try:
        with _transaction() as tx:
            tx.save(item, condition=type(item).pk.does_not_exist())
            tx.save(_guard(item, item.name), condition=RuleNameItem.pk.does_not_exist())
    except TransactWriteError as exc:
        if 1 in _cancelled_at(exc):
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
    """Write a changed rule (version-checked); a rename moves the name guard atomically."""
    renamed = unique_name and item.name.casefold() != old_name.casefold()
    if not renamed:
        with _version_checked(noun):
            item.save()  # the version attribute makes a concurrent change fail
        return
    try:
        with _transaction() as tx:
            tx.save(item)
            tx.delete(_guard(item, old_name))
            tx.save(_guard(item, item.name), condition=RuleNameItem.pk.does_not_exist())
    except TransactWriteError as exc:
        cancelled = _cancelled_at(exc)
        if 0 in cancelled:
            raise _stale(noun) from None
        if 2 in cancelled:
            raise _name_taken(noun, item.name) from None
        raise


def delete(item: RuleItem, *, noun: str, unique_name: bool) -> None:
    if not unique_name:
        with _version_checked(noun):
            item.delete()  # conditioned on the version read
        return
    try:
        with _transaction() as tx:
            tx.delete(item, condition=type(item).version == item.version)
            tx.delete(_guard(item, item.name))
    except TransactWriteError as exc:
        if 0 in _cancelled_at(exc):
            raise _stale(noun) from None
        raise
