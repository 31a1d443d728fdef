"""Dynamic tags: user-defined tag rules, re-evaluated as a customer's data changes."""

from ..core.collections import keeps_items_in_customer_collections

keeps_items_in_customer_collections(__name__ + ".store")
