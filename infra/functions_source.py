"""Reading the Chalice project in functions/ from the CDK process without either side leaking.

Two modules are called `app`: the CDK entry point at the repository root and the Chalice app in
functions/. `chalice package` (run in-process by `chalice.cdk.Chalice`) imports `app` from
functions/, and also writes the stage's environment variables into `os.environ`. Inside
`functions_on_path` functions/ comes first on sys.path, a foreign `app` module is set aside, and
afterwards the environment, sys.path and every `app`/`chalicelib` module imported meanwhile are
restored, so neither a test session nor the CDK app sees the other's state.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.settings import BUILD_DIR

_PROJECT_MODULES = ("app", "chalicelib")
# `chalice.cdk` writes its packages under <cwd>/chalice.out; we point cwd at build/ (git-ignored)
# and prune what earlier synths left behind, so the folder does not grow without bound.
CHALICE_WORK_DIR = BUILD_DIR / "chalice"
_STALE_AFTER_SECONDS = 3600


def _is_project_module(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in _PROJECT_MODULES)


def _is_from(module: ModuleType, directory: Path) -> bool:
    location = getattr(module, "__file__", None)
    return bool(location) and Path(str(location)).resolve().parent == directory.resolve()


@contextmanager
def functions_on_path(functions_dir: Path, region: str | None = None) -> Iterator[None]:
    """Import from functions/ inside the block; restore env, sys.path and modules after."""
    saved_env = dict(os.environ)
    saved_path = list(sys.path)
    before = set(sys.modules)
    set_aside: dict[str, ModuleType] = {}
    current_app = sys.modules.get("app")
    if current_app is not None and not _is_from(current_app, functions_dir):
        set_aside["app"] = sys.modules.pop("app")
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
