"""Reading the Chalice project in functions/ from the CDK process without either side leaking.

Two modules are called `app`: the CDK entry point at the repository root and the Chalice app in
functions/. `chalice package` (run in-process by `chalice.cdk.Chalice`) imports `app` from
functions/, and also writes the stage's environment variables into `os.environ`. Inside
`functions_on_path` functions/ comes first on sys.path, project modules from anywhere else are
set aside, and afterwards the environment, sys.path and every `app`/`chalicelib` module imported
meanwhile are restored, so neither a test session nor the CDK app sees the other's state.
`staged_functions` gives chalice a clean, compiled copy of the project to package.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from infra.settings import BUILD_DIR

_PROJECT_MODULES = ("app", "chalicelib")
# `chalice.cdk` writes its packages under <cwd>/chalice.out; we point cwd at build/ (git-ignored)
# and prune what earlier synths left behind, so the folder does not grow without bound.
CHALICE_WORK_DIR = BUILD_DIR / "chalice"
_STALE_AFTER_SECONDS = 3600


def _is_project_module(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in _PROJECT_MODULES)


def _is_under(module: ModuleType, directory: Path) -> bool:
    location = getattr(module, "__file__", None)
    return bool(location) and Path(str(location)).resolve().is_relative_to(directory.resolve())


@contextmanager
def functions_on_path(functions_dir: Path, region: str | None = None) -> Iterator[None]:
    """Import from functions/ inside the block; restore env, sys.path and modules after."""
    saved_env = dict(os.environ)
    saved_path = list(sys.path)
    # Project modules loaded from elsewhere (the CDK app.py, or functions/ itself when this
    # packages a staged copy) are set aside, so the block imports a fresh, consistent set.
    set_aside: dict[str, ModuleType] = {
        name: module
        for name, module in list(sys.modules.items())
        if _is_project_module(name) and not _is_under(module, functions_dir)
    }
    for name in set_aside:
        del sys.modules[name]
    before = set(sys.modules)
    sys.path.insert(0, str(functions_dir))
    if region:
        os.environ["AWS_DEFAULT_REGION"] = region
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        sys.path[:] = saved_path
        for name in set(sys.modules) - before:
            if _is_project_module(name):
                del sys.modules[name]
        sys.modules.update(set_aside)


@contextmanager
def chalice_work_dir() -> Iterator[Path]:
    """Run `chalice.cdk.Chalice` with build/chalice as cwd (its chalice.out lands there)."""
    CHALICE_WORK_DIR.mkdir(parents=True, exist_ok=True)
    out = CHALICE_WORK_DIR / "chalice.out"
    if out.is_dir():
        cutoff = time.time() - _STALE_AFTER_SECONDS
        for entry in out.iterdir():
            if entry.stat().st_mtime < cutoff:
                if entry.is_dir():
                    _remove_tree(entry)
                else:
                    entry.unlink(missing_ok=True)
    previous = os.getcwd()
    os.chdir(CHALICE_WORK_DIR)
    try:
        yield CHALICE_WORK_DIR
    finally:
        os.chdir(previous)


STAGED_DIR = BUILD_DIR / "functions"
_SKIPPED_DIRS = frozenset({"__pycache__", "deployments", "deployed"})


def _source_files(functions_dir: Path) -> list[Path]:
    return sorted(
        path
        for path in functions_dir.rglob("*")
        if path.is_file()
        and not _SKIPPED_DIRS & set(path.relative_to(functions_dir).parts)
        and path.suffix != ".pyc"
    )


def staged_functions(functions_dir: Path) -> Path:
    """A clean copy of the Chalice project, compiled once, for `chalice package` to zip.

    `chalice package` zips every file under chalicelib/, bytecode included: packaging the
    working tree would ship whatever __pycache__ this machine wrote (and trip over files that
    a concurrent Python process is writing there). The copy holds the sources plus bytecode
    compiled here with unchecked-hash invalidation, so Lambda imports it without compiling or
    checking timestamps (a faster cold start; /var/task is read-only, so nothing compiled at
    run time would be kept). Keyed on a hash of the sources: a second synth reuses it.

    `chalice package` adds app.py and chalice's runtime (`chalice/app.py`, 2,000 lines: about
    25 ms to compile at every cold start) without their bytecode, and copies `vendor/` to the
    package's root as is; so their bytecode goes there, compiled from the very files chalice
    adds.
    """
    import compileall
    import hashlib
    import importlib.util
    import py_compile
    import shutil

    files = _source_files(functions_dir)
    runtime = _chalice_runtime()
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(functions_dir)).encode())
        digest.update(path.read_bytes())
    for source, name in runtime:
        digest.update(name.encode())
        digest.update(source.read_bytes())
    target = STAGED_DIR / digest.hexdigest()[:16]
    if (target / ".complete").exists():
        return target
    scratch = STAGED_DIR / f".{target.name}.{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    for path in files:
        destination = scratch / path.relative_to(functions_dir)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
    compileall.compile_dir(
        str(scratch),
        quiet=1,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    for source, name in [*runtime, (scratch / "app.py", "app.py")]:
        py_compile.compile(
            str(source),
            cfile=str(scratch / "vendor" / importlib.util.cache_from_source(name)),
            dfile=name,
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    (scratch / ".complete").touch()
    try:
        scratch.rename(target)
    except OSError:  # another synth staged the same sources first
        shutil.rmtree(scratch, ignore_errors=True)
    _prune_staged(keep=target)
    return target


def _chalice_runtime() -> list[tuple[Path, str]]:
    """The files `chalice package` adds from the installed chalice, with their package paths."""
    import inspect

    import chalice
    from chalice import app

    return [
        (Path(inspect.getfile(app)), "chalice/app.py"),
        (Path(inspect.getfile(chalice)), "chalice/__init__.py"),
    ]


def _prune_staged(keep: Path) -> None:
    cutoff = time.time() - _STALE_AFTER_SECONDS
    for entry in STAGED_DIR.iterdir():
        try:
            stale = entry != keep and entry.stat().st_mtime < cutoff
        except FileNotFoundError:  # another synth's scratch copy, renamed or removed meanwhile
            continue
        if stale:
            _remove_tree(entry)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def load_table_schema(functions_dir: Path) -> dict[str, Any]:
    """The table's keys and GSIs as declared by the pynamodb model (CreateTable shape)."""
    with functions_on_path(functions_dir):
        from chalicelib.core.table import TTL_ATTRIBUTE, table_schema

        schema = table_schema()
        schema["TimeToLiveAttribute"] = TTL_ATTRIBUTE
        return schema


class ProblemTypes(NamedTuple):
    """The app's problem vocabulary (chalicelib.core.errors), as plain data."""

    prefix: str
    by_status: dict[int, tuple[str, str]]
    client_error: tuple[str, str]
    server_error: tuple[str, str]


def load_problem_types(functions_dir: Path) -> ProblemTypes:
    """The (slug, title) of every error status, read from the app's errors module."""
    with functions_on_path(functions_dir):
        from chalicelib.core import errors

        return ProblemTypes(
            prefix=errors.PROBLEM_TYPE_PREFIX,
            by_status=dict(errors.PROBLEM_TYPES),
            client_error=errors.CLIENT_ERROR,
            server_error=errors.SERVER_ERROR,
        )
