"""Which areas keep items in a customer's item collection (pure bookkeeping, no I/O).

Kept apart from `table` so that an area can register at import time without loading pynamodb
(the API function's cold start imports every area's package).
"""

from __future__ import annotations

from importlib import import_module

# Areas that keep items in a customer's collection (tags, tasks) register their store module
# here, by name: pynamodb can only load an item whose class is imported, and routes import
# their area's code lazily, so the 360 Query loads them first.
_COLLECTION_ITEM_MODULES: list[str] = []


def keeps_items_in_customer_collections(module: str) -> None:
    """Called by an area's package: its `module` defines items stored under customer_pk."""
    if module not in _COLLECTION_ITEM_MODULES:
        _COLLECTION_ITEM_MODULES.append(module)


def load_collection_item_types() -> None:
    for module in _COLLECTION_ITEM_MODULES:
        import_module(module)
