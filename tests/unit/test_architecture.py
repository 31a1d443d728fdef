"""The house rules that import contracts cannot see on their own: every module of an area is
either part of its public face (services, models, events) or fenced in by its boundary
contract, and the engines name no area, not even in a string."""

from __future__ import annotations

import pkgutil
import tomllib
from importlib import import_module
from pathlib import Path

import pytest

from chalicelib.core import registry

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "functions" / "chalicelib" / "core"
PUBLIC = ("service", "models", "events")


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _modules(package: str) -> set[str]:
    path = import_module(package).__path__
    return {f"{package}.{m.name}" for m in pkgutil.iter_modules(path)}


@pytest.mark.parametrize("area", registry().areas, ids=lambda a: a.name)
def test_given_an_area_then_each_of_its_modules_is_public_or_fenced_in(area) -> None:
    contract = _contracts()[f"{area.name}-boundary"]
    fenced = set(contract["forbidden_modules"])  # type: ignore[call-overload]
    modules = _modules(area.package)

    public = {m for m in modules if m.rsplit(".", 1)[1].endswith(PUBLIC)}
    assert modules - public == fenced, "update this area's boundary contract in pyproject.toml"


@pytest.mark.parametrize("area", registry().areas, ids=lambda a: a.name)
def test_given_an_area_then_every_other_area_is_held_to_its_boundary(area) -> None:
    contract = _contracts()[f"{area.name}-boundary"]
    others = {a.package for a in registry().areas} - {area.package}

    assert set(contract["source_modules"]) == others  # type: ignore[call-overload]


def test_given_the_layers_contract_then_it_lists_the_areas_in_the_registrys_order() -> None:
    layers = _contracts()["layers"]["layers"]
    areas = [a.package for a in registry().areas]

    assert layers[1:-2] == list(reversed(areas))  # type: ignore[index]


def test_given_the_engines_then_no_core_module_names_an_area() -> None:
    named = [
        f"{path.name}: {area.package}"
        for path in sorted(CORE.glob("*.py"))
        for area in registry().areas
        if area.package in path.read_text("utf-8")
    ]

    assert named == []
