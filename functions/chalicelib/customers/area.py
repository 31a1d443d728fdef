"""What the customers area registers (see core.area_registry); names resolve on first use."""

from __future__ import annotations

from ..core import Area, ItemType, Section

AREA = Area(
    name="customers",
    package=__package__ or "chalicelib.customers",
    summary="Customers, their identities, contacts, interactions and orders; the 360 view.",
    blueprints=("api:bp", "settings_api:bp"),
    item_types=(
        ItemType(
            "Customer",
            react="reactions:profile_changed",
            description="The profile (the 360 view's `profile`); raises customers.changed.",
        ),
        ItemType("IdentityGuard", description="Holds an identity for one customer."),
        ItemType(
            "Contact",
            section=Section("contacts", "Contact", "children_service:contact_view"),
        ),
        ItemType(
            "Interaction",
            react="reactions:interaction_changed",
            section=Section(
                "interactions",
                "Interaction",
                "children_service:interaction_view",
                description="Latest first.",
            ),
        ),
        ItemType(
            "Order",
            react="reactions:order_changed",
            section=Section(
                "orders", "Order", "children_service:order_view", description="Latest first."
            ),
        ),
        ItemType("TenantSettings", description="Phone region and custom fields of a tenant."),
    ),
    notices=("customers.changed",),
    events=(
        "CustomerCreated",
        "CustomerUpdated",
        "CustomerDeleted",
        "CustomerMerged",
        "InteractionLogged",
        "OrderPlaced",
    ),
    facts="profile:FACTS",
)
