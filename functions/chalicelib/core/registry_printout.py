"""The registry as text (`make areas`): what every engine routes where, on one page.

python -m chalicelib.core.registry_printout
"""

from __future__ import annotations

from typing import Any

from .area_registry import CORE_ITEM_TYPES, Area, Registry


def _name(value: Any) -> str:
    if isinstance(value, str):
        return value
    module = getattr(value, "__module__", "")
    return f"{module.rsplit('.', 1)[-1]}:{getattr(value, '__qualname__', repr(value))}"


def _routes(area: Area, registry: Registry) -> list[str]:
    from .http import ROUTE_DOCS

    registry.blueprints()  # importing the Blueprints declares their routes
    prefix = f"{area.package}."
    return [
        f"{method:6} {path}"
        for (path, method), doc in sorted(ROUTE_DOCS.items())
        if doc.models_module.startswith(prefix)
    ]


def _area(area: Area, registry: Registry) -> list[str]:
    lines = [f"{area.name}  ({area.package}, events as {area.source})", f"  {area.summary}"]
    lines.append("  item types:")
    for item_type in area.item_types:
        parts = []
        if item_type.react is not None:
            parts.append(f"reacts with {_name(item_type.react)}")
        if item_type.section is not None:
            section = item_type.section
            parts.append(f"360 '{section.name}' as {_name(section.model)}")
        if not parts and item_type.description:
            parts.append(f"({item_type.description})")
        lines.append(f"    {item_type.name:16} {'; '.join(parts)}".rstrip())
    if area.notices:
        lines.append("  raises notices: " + ", ".join(area.notices))
    if area.follows:
        lines.append("  follows:")
        lines += [
            f"    {f.topic:24} -> {_name(f.handle)}"
            + (f" (reads ahead: {_name(f.prepare)})" if f.prepare is not None else "")
            for f in area.follows
        ]
    if area.events:
        models = [registry._get(area, ref, "events") for ref in area.events]
        lines.append("  events:")
        lines += [f"    {m.DETAIL_TYPE:24} ({m.__name__})" for m in models]
    if area.timers:
        lines.append("  timer kinds:")
        lines += [f"    {t.name:24} -> {_name(t.handle)}" for t in area.timers]
    if area.jobs:
        lines.append("  job kinds:")
        lines += [f"    {j.name:24} -> {_name(j.step)}" for j in area.jobs]
    if area.schedules:
        lines.append("  schedules:")
        lines += [f"    {k.name:24} -> {_name(k.start)}" for k in area.schedules]
    if area.rule_sets:
        lines.append("  rule sets: " + ", ".join(area.rule_sets))
    if area.facts is not None:
        facts = registry._get(area, area.facts).describe()
        lines.append(f"  facts ({len(facts)}):")
        lines += [f"    {fact}" for fact in facts]
    routes = _routes(area, registry)
    if routes:
        lines.append(f"  routes ({len(routes)}):")
        lines += [f"    {r}" for r in routes]
    return lines


def describe(registry: Registry) -> str:
    """Every area in order with what it registers; the core's own item types last."""
    lines = ["Areas, in order: " + ", ".join(a.name for a in registry.areas), ""]
    for area in registry.areas:
        lines += [*_area(area, registry), ""]
    lines.append("core item types: " + ", ".join(sorted(CORE_ITEM_TYPES)))
    return "\n".join(lines) + "\n"


def main() -> int:
    from .area_registry import registry

    print(describe(registry()), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
