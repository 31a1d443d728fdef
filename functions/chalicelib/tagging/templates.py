"""Built-in starter tag rules per industry, which a tenant enables with one call.

Thresholds are starting points a tenant edits afterwards (PATCH the rule): retail in CNY of
consumer spend, B2B software in CNY of contract value.
"""

from __future__ import annotations

from typing import Any

from .models import IndustryTemplate, TagCategory, TagRuleCreate

PRICE_WORDS = [
    "价格",
    "价钱",
    "多少钱",
    "优惠",
    "折扣",
    "price",
    "discount",
    "cheaper",
    "expensive",
]


def _days_since(field: str, op: str, days: int) -> dict[str, Any]:
    return {op: [{"days_since": {"var": field}}, days]}


def _rule(
    name: str, category: TagCategory, weight: int, condition: dict[str, Any], description: str
) -> TagRuleCreate:
    return TagRuleCreate(
        name=name, category=category, weight=weight, condition=condition, description=description
    )


def _price_sensitive() -> TagRuleCreate:
    return _rule(
        "price-sensitive",
        TagCategory.BEHAVIOUR,
        40,
        {"mentions": [{"var": "aggregates.recent_texts"}, PRICE_WORDS]},
        "Recent messages talk about price or discounts (价格).",
    )


def _retail() -> list[TagRuleCreate]:
    return [
        _rule(
            "high value",
            TagCategory.VALUE,
            90,
            {">": [{"var": "aggregates.order_total_12m"}, 10000]},
            "Spent more than 10,000 in the last 12 months.",
        ),
        _rule(
            "frequent buyer",
            TagCategory.BEHAVIOUR,
            60,
            {">=": [{"var": "aggregates.order_count"}, 5]},
            "Five orders or more.",
        ),
        _price_sensitive(),
        _rule(
            "at risk",
            TagCategory.RISK,
            80,
            {
                "all": [
                    {">=": [{"var": "aggregates.order_count"}, 1]},
                    _days_since("aggregates.last_order_at", ">", 90),
                ]
            },
            "Has bought before, but not in the last 90 days.",
        ),
        _rule(
            "new customer",
            TagCategory.ATTRIBUTE,
            30,
            _days_since("created_at", "<=", 30),
            "Became a customer in the last 30 days.",
        ),
    ]


def _b2b_software() -> list[TagRuleCreate]:
    return [
        _rule(
            "high value",
            TagCategory.VALUE,
            90,
            {">": [{"var": "aggregates.order_total_12m"}, 100000]},
            "Contracts worth more than 100,000 in the last 12 months.",
        ),
        _price_sensitive(),
        _rule(
            "at risk",
            TagCategory.RISK,
            85,
            # Open tickets join this rule when the service desk keeps that aggregate.
            _days_since("aggregates.last_interaction_at", ">", 60),
            "No contact for 60 days.",
        ),
        _rule(
            "engaged",
            TagCategory.BEHAVIOUR,
            50,
            {
                "all": [
                    {">=": [{"var": "aggregates.interaction_count"}, 10]},
                    _days_since("aggregates.last_interaction_at", "<=", 14),
                ]
            },
            "Ten interactions or more, the latest within two weeks.",
        ),
        _rule(
            "decision maker reachable",
            TagCategory.ATTRIBUTE,
            20,
            {"all": [{"==": [{"var": "type"}, "company"]}, {"var": "consent.phone_calls"}]},
            "A company that agreed to phone calls.",
        ),
    ]


def starter_rules(template: IndustryTemplate) -> list[TagRuleCreate]:
    """The template's rules, fresh each call."""
    return _retail() if template == IndustryTemplate.RETAIL else _b2b_software()
