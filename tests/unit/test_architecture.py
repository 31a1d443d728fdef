"""The house rules the `areas` import contract enforces (tests/import_contract.py), decided on
small import graphs; and the engines name no area, not even in a string."""

from __future__ import annotations

from pathlib import Path

from chalicelib.core import registry
from tests.import_contract import Edge, area_packages, violations

CORE = Path(__file__).resolve().parents[2] / "functions" / "chalicelib" / "core"
AREAS = ["chalicelib.customers", "chalicelib.tagging", "chalicelib.automation"]


def test_given_an_area_using_an_earlier_areas_service_then_the_rules_hold() -> None:
    edges = [
        Edge("chalicelib.tagging.service", "chalicelib.customers.service"),
        Edge("chalicelib.automation.models", "chalicelib.tagging.models"),
        Edge("chalicelib.automation.actions", "chalicelib.customers.children_service"),
        Edge("chalicelib.tagging.reactions", "chalicelib.core"),
    ]

    assert violations(edges, AREAS) == []


def test_given_an_area_importing_one_listed_after_it_then_it_is_a_violation() -> None:
    [found] = violations([Edge("chalicelib.customers.rules", "chalicelib.tagging.service")], AREAS)

    assert found.startswith("an area imports one listed after it")


def test_given_an_area_reaching_into_anothers_store_then_it_is_a_violation() -> None:
    [found] = violations([Edge("chalicelib.automation.actions", "chalicelib.tagging.store")], AREAS)

    assert found.startswith("an area reaches past another's services")


def test_given_an_engine_importing_an_area_then_it_is_a_violation() -> None:
    [found] = violations([Edge("chalicelib.core.stream", "chalicelib.customers.reactions")], AREAS)

    assert found.startswith("an engine imports an area")


def test_given_an_area_importing_a_core_module_then_it_is_a_violation() -> None:
    [found] = violations([Edge("chalicelib.tagging.store", "chalicelib.core.table")], AREAS)

    assert found.startswith("an area imports a core module")


def test_given_a_new_area_listed_then_the_contract_holds_it_without_a_config_change() -> None:
    # The contract reads the list itself: a fourth area is checked as soon as it is listed.
    areas = [*AREAS, "chalicelib.sales"]
    edge = Edge("chalicelib.sales.service", "chalicelib.automation.store")

    assert violations([edge], areas) != []
    assert area_packages("chalicelib.areas") == [a.package for a in registry().areas]


def test_given_the_engines_then_no_core_module_names_an_area() -> None:
    named = [
        f"{path.name}: {area.package}"
        for path in sorted(CORE.glob("*.py"))
        for area in registry().areas
        if area.package in path.read_text("utf-8")
    ]

    assert named == []


def test_given_cores_public_names_then_each_resolves_to_what_it_names() -> None:
    import chalicelib.core as core

    missing = [name for name in core.__all__ if getattr(core, name, None) is None]

    assert missing == []
    assert set(core._LAZY) <= set(core.__all__)
