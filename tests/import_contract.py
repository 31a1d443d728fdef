"""An import contract that reads the areas list, so a new area is held to the house rules the
moment it is listed in `chalicelib.areas`, with no contract to edit:

- areas depend downward: an area imports only areas listed before it;
- an area reaches another only through its public face: modules named `*service`, `models`
  or `events` (its store, rules, reactions, handlers and routes stay its own);
- the engines (`chalicelib.core`) and the rule language know no area;
- areas import core's public names (`chalicelib.core`), never its modules.

lint-imports runs it (`make lint`), configured in pyproject.toml as type `areas`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

PUBLIC_SUFFIXES = ("service", "models", "events")
ENGINES = ("chalicelib.core", "chalicelib.rulelang")


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    line: int = 0


def _package(module: str, packages: Sequence[str]) -> str | None:
    for package in packages:
        if module == package or module.startswith(package + "."):
            return package
    return None


def violations(edges: Iterable[Edge], areas: Sequence[str], core: str = ENGINES[0]) -> list[str]:
    """What breaks the house rules, one line each (pure: the import graph's edges in)."""
    found = []
    for edge in edges:
        source = _package(edge.importer, areas)
        target = _package(edge.imported, areas)
        where = f"{edge.importer} -> {edge.imported} (l.{edge.line})"
        if source is None and target is not None and _package(edge.importer, ENGINES):
            found.append(f"an engine imports an area: {where}")
        if source is None:
            continue
        if target is not None and target != source:
            if areas.index(target) > areas.index(source):
                found.append(f"an area imports one listed after it: {where}")
            elif not edge.imported.rsplit(".", 1)[-1].endswith(PUBLIC_SUFFIXES):
                found.append(f"an area reaches past another's services: {where}")
        if edge.imported.startswith(core + "."):
            found.append(f"an area imports a core module, not chalicelib.core: {where}")
    return found


def area_packages(areas_module: str) -> list[str]:
    return [area.package for area in import_module(areas_module).AREAS]


def graph_edges(graph: Any, packages: Sequence[str]) -> list[Edge]:
    """Direct imports out of the areas and the engines (grimp's graph)."""
    edges = []
    for importer in sorted(graph.modules):
        if _package(importer, [*packages, *ENGINES]) is None:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            details = graph.get_import_details(importer=importer, imported=imported)
            line = details[0]["line_number"] if details else 0
            edges.append(Edge(importer, imported, line))
    return edges


try:
    from importlinter import Contract, ContractCheck, fields, output
except ImportError:  # the pure rules above are usable (and tested) without import-linter
    pass
else:

    class AreaContract(Contract):
        """The house rules for the areas listed in `areas_module` (see the module's docstring)."""

        type_name = "areas"
        areas_module = fields.StringField()

        def check(self, graph: Any, verbose: bool) -> ContractCheck:
            packages = area_packages(str(self.areas_module))
            broken = violations(graph_edges(graph, packages), packages)
            return ContractCheck(kept=not broken, metadata={"violations": broken})

        def render_broken_contract(self, check: ContractCheck) -> None:
            for line in check.metadata["violations"]:
                output.print_error(line, bold=False)
                output.new_line()
