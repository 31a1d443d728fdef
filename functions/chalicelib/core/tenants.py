"""The tenants the CRM has: remembered when a tenant's first customer is created, listed by the
scheduled jobs that run per tenant (nightly customer value).

| pattern              | index | key condition                               |
|----------------------|-------|---------------------------------------------|
| a tenant's mark      | table | pk=T#t, sk=#TENANT                          |
| every tenant         | gsi3  | gsi3pk=TENANTS (only the scheduler reads it) |

The TENANTS partition of gsi3 is one of the two keys without a tenant prefix (with the local
timers' due partition): only scheduled jobs read it, never a request.
"""

from __future__ import annotations

from collections.abc import Iterator

from pynamodb.exceptions import PutError

from .table import CrmItem

TENANT_SK = "#TENANT"
DIRECTORY = "TENANTS"
_remembered: set[str] = set()


class TenantItem(CrmItem, discriminator="Tenant"):
    pass


def remember_tenant(tenant_id: str) -> None:
    """Mark the tenant as one the scheduled jobs visit (once per tenant and warm process)."""
    if tenant_id in _remembered:
        return
    item = TenantItem(
        pk=f"T#{tenant_id}", sk=TENANT_SK, tenant_id=tenant_id, gsi3pk=DIRECTORY, gsi3sk=tenant_id
    )
    try:
        item.save(condition=TenantItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
    _remembered.add(tenant_id)


def all_tenants() -> Iterator[str]:
    """Every tenant remembered, in id order (a paged Query on gsi3)."""
    for item in TenantItem.by_gsi3.query(DIRECTORY):
        yield item.tenant_id


def forget_tenants() -> None:
    """Drop this process's memory of tenants already marked (tests)."""
    _remembered.clear()
