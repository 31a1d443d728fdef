"""The Lambda layers: requirements from pyproject, Lambda wheels, idempotent builds."""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.infra.synth import ROOT

# A module runs on one worker (make test uses xdist --dist loadscope).
pytestmark = [pytest.mark.infra]


def layer_builder() -> ModuleType:
    from infra.constructs.layers import layer_builder as load

    return load()


def test_given_pyproject_when_read_then_the_runtime_and_text_layers_share_its_dependencies() -> (
    None
):
    builder = layer_builder()
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    runtime = {builder._distribution_name(line) for line in builder.requirements("runtime")}
    text = {builder._distribution_name(line) for line in builder.requirements("text")}
    expected = {builder._distribution_name(line) for line in declared} - {"chalice"}
    assert runtime | text == expected
    assert not runtime & text
    assert text == builder.TEXT_LIBRARIES


def test_given_a_built_layer_when_built_again_then_nothing_is_rebuilt(
    built_layers: list[Path],
) -> None:
    builder = layer_builder()
    before = {path: path.stat().st_mtime_ns for path in built_layers}
    again = builder.build_all()
    assert {path: path.stat().st_mtime_ns for path in again} == before
    assert all(builder.is_current(name) for name in builder.LAYER_NAMES)


def test_given_the_runtime_layer_when_listed_then_it_has_the_deps_under_python_and_no_chalice(
    built_layers: list[Path],
) -> None:
    with zipfile.ZipFile(layer_builder().layer_zip("runtime")) as zf:
        tops = {name.split("/")[1] for name in zf.namelist() if name.startswith("python/")}
    assert {
        "pydantic",
        "pynamodb",
        "aws_lambda_powertools",
        "phonenumbers",
    } <= tops
    assert not {"jieba", "chinese_calendar", "cryptography"} & tops
    assert "chalice" not in tops
    assert all(name.startswith("python/") for name in zf.namelist())


def test_given_the_analytics_layer_when_listed_then_it_holds_numpy_and_scipy(
    built_layers: list[Path],
) -> None:
    with zipfile.ZipFile(layer_builder().layer_zip("analytics")) as zf:
        tops = {name.split("/")[1] for name in zf.namelist()}
    assert {"numpy", "scipy"} <= tops


def test_given_the_text_layer_when_listed_then_it_holds_the_desks_libraries_without_extras(
    built_layers: list[Path],
) -> None:
    with zipfile.ZipFile(layer_builder().layer_zip("text")) as zf:
        names = zf.namelist()
    tops = {name.split("/")[1] for name in names}
    assert {"jieba", "snowballstemmer", "chinese_calendar", "cryptography"} <= tops
    assert not any(name.startswith("python/jieba/posseg/") for name in names)


@pytest.mark.parametrize("layers", [("runtime", "text"), ("runtime", "analytics")])
def test_given_a_functions_layers_when_unzipped_then_they_fit_lambdas_250_mb(
    built_layers: list[Path], layers: tuple[str, ...]
) -> None:
    unzipped = 0
    for name in layers:
        with zipfile.ZipFile(layer_builder().layer_zip(name)) as zf:
            unzipped += sum(info.file_size for info in zf.infolist())
    assert unzipped < 240 * 1024 * 1024  # leaves room for the function's own package


def test_given_the_runtime_layer_when_listed_then_its_modules_ship_unchecked_bytecode(
    built_layers: list[Path],
) -> None:
    # /opt is read-only in Lambda: without bytecode every cold start compiles the SDK.
    with zipfile.ZipFile(layer_builder().layer_zip("runtime")) as zf:
        names = set(zf.namelist())
        for module in ("botocore/client", "pydantic/main", "pynamodb/models", "boto3/session"):
            pyc = f"python/{module.rsplit('/', 1)[0]}/__pycache__/{module.rsplit('/', 1)[1]}"
            pyc += ".cpython-311.pyc"
            assert pyc in names
            flags = int.from_bytes(zf.read(pyc)[4:8], "little")
            assert flags == 0b01  # hash-based, source not checked: the zip's times are fixed
        assert not any(n.startswith("python/phonenumbers/geodata/__pycache__") for n in names)
