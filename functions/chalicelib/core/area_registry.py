"""The registry of business areas: what each area owns and how the engines reach it.

Areas register; engines know no area. Each area declares one `Area` in its package's `area.py`:
its routes, the item types it owns with the pure reaction to a change of each and its 360
section, the notices of other areas it follows, its event detail models, its timer kinds, the
facts it adds to the rule language and its rule sets. `chalicelib.areas` lists the areas in
order; the engines (the stream function, the timers, the 360 view, the rule catalogue, the
event catalogue) read that list through `registry()`, never an area by name.

Declarations name code as "module:attribute" inside the area's package (tests may give the
object itself); names are resolved on first use, so importing the list costs the API's cold
start nothing. `python -m chalicelib.core.registry_printout` (make areas) prints the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..rulelang import Catalogue
    from .events import EventDetail

AREAS_MODULE = "chalicelib.areas"
# Item types the core itself keeps in the table (background jobs, local timers, rule-name
# guards, the tenant's rules version, the tenants directory).
CORE_ITEM_TYPES = frozenset({"Job", "LocalTimer", "RuleName", "RulesVersion", "Tenant"})

Ref = Any  # "module:attribute" in the area's package, or the object itself


@dataclass(frozen=True)
class Section:
    """A part of the customer 360 view: the items of one type, latest first where ordered."""

    name: str
    model: Ref  # the response model: a name in the area's `models` module, or the class
    convert: Ref  # (item: Mapping as stored, principal) -> model instance
    description: str = ""


@dataclass(frozen=True)
class ItemType:
    """An item `type` an area stores; the stream routes each change by it."""

    name: str
    react: Ref | None = None  # pure (Change) -> Reaction: events, aggregate steps, notices
    section: Section | None = None
    description: str = ""


@dataclass(frozen=True)
class Follow:
    """Work an area does when another area raises a notice (e.g. re-tag a changed customer)."""

    topic: str
    handle: Ref  # (Notice, now) -> None; may do I/O; raising fails the stream record
    # (notices of a batch, now) -> None: reads ahead, at once, what `handle` will read for
    # them (core.remember_ahead / remember_all), or does their work for the whole batch at once
    # (reports fold every notice's counters in one read and one write per item); optional,
    # called once per batch before any `handle`. What it could not read or do, `handle` does
    # itself, so its work must be idempotent; raising only loses the read-ahead.
    prepare: Ref | None = None


@dataclass(frozen=True)
class TimerKind:
    """Exact timers an area arms; the `kind` in a timer's payload routes it back here."""

    name: str
    handle: Ref  # (Timer, now) -> dict outcome (JSON-safe, for logs and the state machine)
    description: str = ""


@dataclass(frozen=True)
class JobKind:
    """Background work an area runs page by page (core.jobs); `step` does one page."""

    name: str
    step: Ref  # (JobItem, cursor | None, now) -> core.jobs.JobStep; must be idempotent
    description: str = ""
    runner: str = "checker"  # "analytics": steps run on the function with numpy/scipy (AWS)


@dataclass(frozen=True)
class Schedule:
    """Work an area starts on a schedule (EventBridge Scheduler) or on an admin's demand."""

    name: str  # the `job` of the scheduled event and of POST /v1/admin/schedules/{name}/runs
    start: Ref  # (tenant_id, now, *, on_demand: bool, started_by: str) -> job id | None
    description: str = ""


@dataclass(frozen=True)
class Area:
    """One business area's declaration. `name` is also the event source suffix: crm.<name>."""

    name: str
    package: str
    summary: str
    blueprints: tuple[Ref, ...] = ()
    item_types: tuple[ItemType, ...] = ()
    notices: tuple[str, ...] = ()  # topics its reactions raise, for other areas to follow
    follows: tuple[Follow, ...] = ()
    events: tuple[Ref, ...] = ()  # detail models: names in the area's `events` module
    timers: tuple[TimerKind, ...] = ()
    jobs: tuple[JobKind, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    facts: Ref | None = None  # -> rulelang.Catalogue: the facts the area adds to rules
    rule_sets: tuple[str, ...] = ()  # the tenant rule sets it keeps, for the printout

    @property
    def source(self) -> str:
        return f"crm.{self.name}"

    def resolve(self, ref: Ref, module: str = "") -> Any:
        """A declared reference as the object it names (`module` for bare attribute names)."""
        if not isinstance(ref, str):
            return ref
        module_name, colon, attribute = ref.rpartition(":")
        if not colon:
            module_name, attribute = module, ref
        return getattr(import_module(f"{self.package}.{module_name}"), attribute)


class RegistryError(ValueError):
    """Two areas claim the same thing, or a declaration does not resolve."""


@dataclass
class Registry:
    """The areas in order, with the lookups the engines need (resolved lazily, then cached)."""

    areas: Sequence[Area]
    _resolved: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._check_unique("area", [a.name for a in self.areas])
        types = [t.name for a in self.areas for t in a.item_types]
        self._check_unique("item type", types + sorted(CORE_ITEM_TYPES))
        self._check_unique("timer kind", [k.name for a in self.areas for k in a.timers])
        self._check_unique("job kind", [k.name for a in self.areas for k in a.jobs])
        self._check_unique("schedule", [k.name for a in self.areas for k in a.schedules])
        sections = [t.section.name for a in self.areas for t in a.item_types if t.section]
        self._check_unique("360 section", sections)
        raised = {topic for a in self.areas for topic in a.notices}
        for area in self.areas:
            for follow in area.follows:
                if follow.topic not in raised:
                    raise RegistryError(
                        f"Area {area.name!r} follows {follow.topic!r}, which no area raises."
                    )

    @staticmethod
    def _check_unique(what: str, names: list[str]) -> None:
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise RegistryError(f"Two declarations of the {what} {name!r}.")
            seen.add(name)

    def _get(self, area: Area, ref: Ref, module: str = "") -> Any:
        key = (area.name, ref if isinstance(ref, str) else f"<{id(ref)}>")
        if key not in self._resolved:
            self._resolved[key] = area.resolve(ref, module)
        return self._resolved[key]

    # --- the stream function ------------------------------------------------------------------

    @cached_property
    def _by_item_type(self) -> dict[str, tuple[Area, ItemType]]:
        return {t.name: (a, t) for a in self.areas for t in a.item_types}

    def owner(self, item_type: str) -> Area | None:
        found = self._by_item_type.get(item_type)
        return found[0] if found else None

    def reaction(self, item_type: str) -> Callable[..., Any] | None:
        """The pure reaction to a change of `item_type` (None when nobody reacts)."""
        found = self._by_item_type.get(item_type)
        if found is None or found[1].react is None:
            return None
        area, declared = found
        reaction: Callable[..., Any] = self._get(area, declared.react)
        return reaction

    def preparers(self, topic: str) -> list[tuple[Area, Callable[..., Any]]]:
        """The read-aheads of a notice topic's followers that declare one, in area order."""
        return [
            (area, self._get(area, follow.prepare))
            for area in self.areas
            for follow in area.follows
            if follow.topic == topic and follow.prepare is not None
        ]

    def followers(self, topic: str) -> list[tuple[Area, Callable[..., Any]]]:
        """Who follows a notice topic, in area order."""
        return [
            (area, self._get(area, follow.handle))
            for area in self.areas
            for follow in area.follows
            if follow.topic == topic
        ]

    # --- timers ---------------------------------------------------------------------------------

    def timer_handler(self, kind: str) -> Callable[..., Any] | None:
        for area in self.areas:
            for timer in area.timers:
                if timer.name == kind:
                    handler: Callable[..., Any] = self._get(area, timer.handle)
                    return handler
        return None

    def job_handler(self, kind: str) -> Callable[..., Any] | None:
        for area in self.areas:
            for job in area.jobs:
                if job.name == kind:
                    handler: Callable[..., Any] = self._get(area, job.step)
                    return handler
        return None

    def job_runner(self, kind: str) -> str:
        """The function a job kind's steps run on in AWS ("checker" unless it says otherwise)."""
        for area in self.areas:
            for job in area.jobs:
                if job.name == kind:
                    return job.runner
        return "checker"

    def schedule(self, name: str) -> Callable[..., Any] | None:
        for area in self.areas:
            for schedule in area.schedules:
                if schedule.name == name:
                    start: Callable[..., Any] = self._get(area, schedule.start)
                    return start
        return None

    def schedule_names(self) -> list[str]:
        return [s.name for a in self.areas for s in a.schedules]

    # --- the 360 view -----------------------------------------------------------------------------

    def sections(self) -> list[tuple[str, Section]]:
        """(item type, section) of every area, in area order."""
        return [(t.name, t.section) for a in self.areas for t in a.item_types if t.section]

    def section_of(self, item_type: str) -> tuple[Section, Callable[..., Any]] | None:
        """The section an item type shows in, with its converter."""
        found = self._by_item_type.get(item_type)
        if found is None or found[1].section is None:
            return None
        area, declared = found
        section = declared.section
        assert section is not None
        return section, self._get(area, section.convert, "service")

    def section_model(self, item_type: str) -> Any:
        area, declared = self._by_item_type[item_type]
        assert declared.section is not None
        return self._get(area, declared.section.model, "models")

    # --- routes, events, facts ---------------------------------------------------------------------

    def blueprints(self) -> list[Any]:
        return [self._get(area, ref) for area in self.areas for ref in area.blueprints]

    def event_models(self) -> list[type[EventDetail]]:
        """Every area's event detail models, in area order (the event catalogue)."""
        models = [self._get(a, ref, "events") for a in self.areas for ref in a.events]
        self._check_unique("event detail-type", [m.DETAIL_TYPE for m in models])
        for area in self.areas:
            for ref in area.events:
                model = self._get(area, ref, "events")
                if area.source != model.SOURCE:
                    raise RegistryError(
                        f"{model.__name__} says source {model.SOURCE!r}; area {area.name!r} "
                        f"publishes as {area.source!r} (define it in the area's package)."
                    )
        return models

    @cached_property
    def catalogue(self) -> Catalogue:
        """The rule language's catalogue: the facts every area contributes, merged."""
        from ..rulelang import Catalogue

        fields: dict[str, Any] = {}
        open_maps: dict[str, Any] = {}
        for area in self.areas:
            if area.facts is None:
                continue
            part: Catalogue = self._get(area, area.facts)
            for name in [*part.fields, *part.open_maps]:
                if name in fields or name in open_maps:
                    raise RegistryError(f"Two areas declare the fact {name!r}.")
            fields.update(part.fields)
            open_maps.update(part.open_maps)
        return Catalogue(fields=fields, open_maps=open_maps)

    def facts_by_area(self) -> list[tuple[Area, list[str]]]:
        found = []
        for area in self.areas:
            if area.facts is not None:
                found.append((area, self._get(area, area.facts).describe()))
        return found


_current: list[Registry] = []


def registry() -> Registry:
    """The registry of this process: the areas of `chalicelib.areas`, loaded on first use."""
    if not _current:
        _current.append(Registry(import_module(AREAS_MODULE).AREAS))
    return _current[-1]


@contextmanager
def use(areas: Registry | Sequence[Area]) -> Iterator[Registry]:
    """Run with another set of areas (tests: a sample area, recording followers)."""
    chosen = areas if isinstance(areas, Registry) else Registry(list(areas))
    _current.append(chosen)
    try:
        yield chosen
    finally:
        _current.remove(chosen)
