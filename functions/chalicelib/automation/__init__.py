"""No-code automation: "if condition then action" rules, fired on change or on exact timers."""

from ..core.collections import keeps_items_in_customer_collections

keeps_items_in_customer_collections(__name__ + ".store")
