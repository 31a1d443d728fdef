"""The registry of areas: declarations that clash are refused, and every declaration of the real
areas resolves to what the engines call."""

from __future__ import annotations

import pkgutil
from importlib import import_module
from typing import Any

import pytest
from pydantic import BaseModel

import chalicelib
from chalicelib.core import Area, Follow, ItemType, Schedule, Section, TimerKind, registry
from chalicelib.core.area_registry import CORE_ITEM_TYPES, Registry, RegistryError, use
from chalicelib.core.events import EventDetail
from chalicelib.core.registry_printout import describe
from chalicelib.rulelang import Catalogue, FieldSpec, ValueType


def _area(name: str, **declared: Any) -> Area:
    return Area(name=name, package=f"tests.{name}", summary=f"the {name} area", **declared)


def test_given_two_areas_owning_one_item_type_then_the_registry_refuses_them() -> None:
    with pytest.raises(RegistryError, match="item type 'Stamp'"):
        Registry(
            [
                _area("a", item_types=(ItemType("Stamp"),)),
                _area("b", item_types=(ItemType("Stamp"),)),
            ]
        )


def test_given_an_area_claiming_a_core_item_type_then_the_registry_refuses_it() -> None:
    with pytest.raises(RegistryError, match="LocalTimer"):
        Registry([_area("a", item_types=(ItemType("LocalTimer"),))])


def test_given_a_follower_of_a_topic_nobody_raises_then_the_registry_refuses_it() -> None:
    follower = _area("a", follows=(Follow("customers.chnaged", lambda notice, now: None),))

    with pytest.raises(RegistryError, match=r"customers\.chnaged"):
        Registry([follower])


def test_given_two_areas_with_one_timer_kind_or_section_then_the_registry_refuses_them() -> None:
    timer = TimerKind("x.remind", lambda timer, now: {})
    with pytest.raises(RegistryError, match="timer kind"):
        Registry([_area("a", timers=(timer,)), _area("b", timers=(timer,))])
    section = Section("stamps", BaseModel, lambda item, who: None)
    with pytest.raises(RegistryError, match="360 section"):
        Registry(
            [
                _area("a", item_types=(ItemType("A", section=section),)),
                _area("b", item_types=(ItemType("B", section=section),)),
            ]
        )


def test_given_two_areas_declaring_one_schedule_then_the_registry_refuses_them() -> None:
    nightly = Schedule("nightly", lambda *a, **k: None)
    with pytest.raises(RegistryError, match="schedule 'nightly'"):
        Registry([_area("a", schedules=(nightly,)), _area("b", schedules=(nightly,))])


def test_given_an_unknown_schedule_then_the_registry_has_no_start_for_it() -> None:
    assert Registry([_area("a")]).schedule("nightly") is None


def test_given_an_event_model_with_another_areas_source_then_collecting_it_fails() -> None:
    class Borrowed(EventDetail):
        SOURCE = "crm.customers"
        DETAIL_TYPE = "Borrowed"

    with pytest.raises(RegistryError, match=r"crm\.sample"):
        Registry([_area("sample", events=(Borrowed,))]).event_models()


def test_given_two_areas_adding_one_fact_then_the_catalogue_refuses_them() -> None:
    facts = Catalogue(fields={"aggregates.stamps": FieldSpec(ValueType.NUMBER)})

    with pytest.raises(RegistryError, match=r"aggregates\.stamps"):
        _ = Registry([_area("a", facts=facts), _area("b", facts=facts)]).catalogue


def test_given_another_set_of_areas_when_used_then_the_engines_see_it_until_the_block_ends() -> (
    None
):
    sample = Registry([_area("sample")])

    with use(sample):
        assert registry() is sample
    assert registry() is not sample


def test_given_the_real_areas_then_every_reaction_follower_and_timer_handler_is_callable() -> None:
    areas = registry()
    for area in areas.areas:
        for item_type in area.item_types:
            if item_type.react is not None:
                assert callable(areas.reaction(item_type.name)), item_type.name
        for follow in area.follows:
            assert all(callable(handle) for _, handle in areas.followers(follow.topic))
            assert all(callable(prepare) for _, prepare in areas.preparers(follow.topic))
        for timer in area.timers:
            assert callable(areas.timer_handler(timer.name)), timer.name
        for job in area.jobs:
            assert callable(areas.job_handler(job.name)), job.name
        for schedule in area.schedules:
            assert callable(areas.schedule(schedule.name)), schedule.name


def test_given_the_real_areas_then_every_360_section_has_a_model_and_a_converter() -> None:
    areas = registry()
    for item_type, section in areas.sections():
        model = areas.section_model(item_type)
        assert issubclass(model, BaseModel), section.name
        found = areas.section_of(item_type)
        assert found is not None, section.name
        assert callable(found[1]), section.name


def test_given_the_real_areas_then_each_event_model_is_published_under_its_area() -> None:
    models = registry().event_models()

    assert models
    assert all(f"crm.{m.__module__.split('.')[1]}" == m.SOURCE for m in models)


def _item_classes() -> dict[str, type]:
    """Every stored item class in chalicelib (its `type` discriminator -> class)."""
    for module in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        if module.name.endswith(("store", "stores")) or ".store" in module.name:
            import_module(module.name)
    from chalicelib.core.table import CrmItem

    found = {}
    for model in CrmItem.item_type.get_registered_subclasses(CrmItem):
        if model.__module__.startswith("chalicelib."):
            found[str(CrmItem.item_type.get_discriminator(model))] = model
    return found


def test_given_every_stored_item_class_then_exactly_one_area_or_the_core_owns_its_type() -> None:
    declared = [t.name for area in registry().areas for t in area.item_types]

    assert sorted(_item_classes()) == sorted([*declared, *CORE_ITEM_TYPES])


def test_given_the_registry_when_printed_then_every_area_and_what_it_declares_is_listed() -> None:
    text = describe(registry())

    for area in registry().areas:
        assert f"{area.name}  ({area.package}" in text
        for item_type in area.item_types:
            assert item_type.name in text
        for timer in area.timers:
            assert timer.name in text
    assert "customers.changed" in text
    assert "GET    /v1/customers/{customer_id}/360" in text
