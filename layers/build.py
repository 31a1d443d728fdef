"""Build the Lambda layers with pip and the Lambda platform tags (no Docker), idempotently.

Layers:
- `runtime`: the `[project] dependencies` of pyproject.toml (read from there, never typed twice),
  attached to every function, except the service desk's text and channel libraries:
- `text`: those libraries (`TEXT_LIBRARIES`: Chinese segmentation, stemming, the holiday
  calendar, WeChat/WeCom's AES), also pinned in pyproject's dependencies, for every function
  but the nightly one, which gets instead
- `analytics`: numpy/scipy from `layers/analytics-requirements.txt`, for the nightly jobs only.
  runtime + analytics and runtime + text each stay under Lambda's 250 MB unzipped.

Each layer lands in `build/layers/<name>/python/` (git-ignored) and is zipped reproducibly into
`build/layers/<name>.zip`, which is what CDK ships. A stamp file keyed on a hash of the
requirements and the pip options makes a second run a no-op, so `make test` can call this
before every run; only a changed requirement reaches the network. Synth itself never builds.

Usage: python layers/build.py [runtime|analytics ...] [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / "build" / "layers"
LAYER_NAMES = ("runtime", "text", "analytics")
# The versions the tests ran: a layer's dependencies of dependencies (botocore under boto3, ...)
# are held to them too.
LOCK = ROOT / "requirements.lock"

# The service desk's libraries: the API, stream and timers functions import them (search, SLA
# calendars, channel webhooks), the nightly jobs never do, and runtime + analytics + these would
# not fit Lambda's 250 MB.
TEXT_LIBRARIES = frozenset({"jieba", "snowballstemmer", "chinese-calendar", "cryptography"})

PIP_PLATFORM_ARGS = (
    "--platform",
    "manylinux2014_x86_64",
    "--only-binary=:all:",
    "--python-version",
    "3.11",
    "--implementation",
    "cp",
)
UV_PLATFORM_ARGS = (
    "--python-platform",
    "x86_64-manylinux2014",
    "--only-binary=:all:",
    "--python-version",
    "3.11",
)

# Left out of the runtime layer: `chalice` is needed only for its runtime module `chalice/app.py`,
# which `chalice package` already puts into every function's deployment zip; the rest of the
# distribution (CLI, click, inquirer, pyyaml, ...) is deploy-time tooling.
#
# boto3/botocore stay IN the layer on purpose: the functions then run the SDK version the tests
# ran, not whatever the managed runtime ships that week. The layer copy shadows the runtime's
# one (/opt/python precedes it on sys.path), so one copy is ever imported, and the API's own
# deployment zip carries none (checked by bench/package_size.py).
EXCLUDED_FROM_RUNTIME = frozenset({"chalice"})

# Pure-Python packages published only as a source distribution (jieba: no wheel on PyPI). pip
# takes an sdist under platform tags only with --no-deps, so they go in a second call: a wheel
# is built from the sdist here (pure Python: the same on Lambda) and nothing else is pulled in
# (they depend on nothing; a new entry must too, or list its dependencies in pyproject).
SOURCE_ONLY = frozenset({"jieba"})

# Lambda's python3.11 runtime runs on Amazon Linux 2 (glibc 2.26), so only manylinux2014 wheels
# load there: pyproject pins releases that ship them (rapidfuzz 3.13.0, not 3.14), so the layer
# and the tests run the same versions.

# scipy's own test suites (`scipy/**/tests`, ~20 MB) are never imported at run time; dropping
# them keeps runtime + analytics well under Lambda's 250 MB. numpy's stay: numpy.testing
# imports numpy._core.tests, and scipy imports numpy.testing.
# jieba's part-of-speech tagger, keyword extraction and paddle model (~30 MB) are never
# imported by its word segmentation, the only part we use: left out, jieba adds ~9 MB.
STRIPPED = {
    "runtime": (),
    "text": (("jieba", "posseg"), ("jieba", "analyse"), ("jieba", "lac_small")),
    "analytics": (("scipy", "tests"),),
}

# Bump when the build recipe changes so every stamp goes stale.
RECIPE_VERSION = "6"

# The runtime layer ships bytecode: /opt is read-only in Lambda, so a layer without it makes
# every cold start compile boto3, botocore, pydantic and powertools from source (measured by
# bench/cold_start.py: about 450 ms of the floor alone). Unchecked-hash pycs: the zip's fixed
# timestamps would invalidate timestamp-based ones, and a layer version never changes.
# phonenumbers' geocoding, carrier and time-zone data (40+ MB of source) are never imported
# by us; compiling them would only eat into Lambda's 250 MB. The analytics layer stays as is:
# numpy and scipy are mostly extension modules, and the nightly jobs are not latency-bound.
COMPILED = {
    "runtime": r"phonenumbers[/\\](geodata|carrierdata|tzdata)[/\\]",
    "text": r"jieba[/\\](posseg|analyse|lac_small)[/\\]",
    "analytics": None,
}

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# What an installer leaves beside the packages (uv's lock of the target), never imported.
_INSTALLER_LEFTOVERS = frozenset({".lock"})


def _distribution_name(requirement: str) -> str:
    for separator in ("==", ">=", "<=", "~=", "!=", ">", "<", "[", ";", " "):
        requirement = requirement.split(separator, 1)[0]
    return requirement.strip().lower().replace("_", "-")


def requirements(name: str) -> list[str]:
    """The pinned requirement lines of one layer."""
    if name in ("runtime", "text"):
        project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        lines: list[str] = project["project"]["dependencies"]
        wanted = (
            (lambda n: n in TEXT_LIBRARIES)
            if name == "text"
            else (lambda n: n not in TEXT_LIBRARIES | EXCLUDED_FROM_RUNTIME)
        )
        return sorted(line for line in lines if wanted(_distribution_name(line)))
    if name == "analytics":
        text = (ROOT / "layers" / "analytics-requirements.txt").read_text(encoding="utf-8")
        return sorted(
            stripped
            for stripped in (line.split("#", 1)[0].strip() for line in text.splitlines())
            if stripped
        )
    raise ValueError(f"unknown layer {name!r}; known: {', '.join(LAYER_NAMES)}")


def fingerprint(name: str) -> str:
    """Hash of everything that decides a layer's content."""
    payload = json.dumps(
        {
            "recipe": RECIPE_VERSION,
            "pip": PIP_PLATFORM_ARGS,
            "requirements": requirements(name),
            "lock": LOCK.read_text(encoding="utf-8"),
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def layer_dir(name: str) -> Path:
    return BUILD_DIR / name


def layer_zip(name: str) -> Path:
    """The zip CDK ships for a layer (python/... at its root)."""
    return BUILD_DIR / f"{name}.zip"


def _stamp(name: str) -> Path:
    return BUILD_DIR / f"{name}.stamp"


def is_current(name: str) -> bool:
    """Whether the layer's zip exists and was built from the current requirements."""
    stamp = _stamp(name)
    return (
        layer_zip(name).is_file()
        and stamp.is_file()
        and stamp.read_text(encoding="utf-8").strip() == fingerprint(name)
    )


def _is_stripped(parts: tuple[str, ...], stripped: tuple[tuple[str, str], ...]) -> bool:
    """Whether a path (parts under the layer root) is inside a stripped folder of a package."""
    return any(
        len(parts) > 2 and parts[1] == package and folder in parts[2:-1]
        for package, folder in stripped
    )


def _zip_reproducibly(source: Path, target: Path, stripped: tuple[tuple[str, str], ...]) -> None:
    """Zip with sorted names and fixed timestamps, so unchanged content keeps its asset hash."""
    partial = target.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(source.rglob("*")):
            parts = path.relative_to(source).parts
            if path.is_dir() or parts[-1] in _INSTALLER_LEFTOVERS or _is_stripped(parts, stripped):
                continue
            info = zipfile.ZipInfo(str(path.relative_to(source)), date_time=_FIXED_ZIP_TIME)
            info.external_attr = (0o755 if path.stat().st_mode & 0o111 else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    partial.replace(target)


def _compile(site: Path, skip: str) -> None:
    """Bytecode next to every module of the layer, except those matching `skip`."""
    import compileall
    import py_compile
    import re

    ok = compileall.compile_dir(
        str(site),
        quiet=2,
        rx=re.compile(skip),
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        workers=0,
    )
    if not ok:
        raise RuntimeError(f"compiling {site} failed")


def _install(site: Path, lines: list[str], *, wheels_only: bool) -> None:
    """Install into `site` for Lambda's platform: with uv when the project's environment has it
    (`make install` puts it there: parallel downloads, the wheels its own install just fetched),
    else with pip. `wheels_only=False` also takes sdists (then without their dependencies)."""
    uv = Path(sys.executable).with_name("uv")
    if uv.is_file():
        command = [str(uv), "pip", "install", "--quiet", "--python", sys.executable]
        platform = list(UV_PLATFORM_ARGS)
    else:
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        command.append("--no-warn-conflicts")
        platform = list(PIP_PLATFORM_ARGS)
    if not wheels_only:
        platform = [arg for arg in platform if arg != "--only-binary=:all:"] + ["--no-deps"]
    command += ["--no-compile", *platform, "-c", str(LOCK), "--target", str(site), *lines]
    subprocess.run(command, check=True)  # noqa: S603 - fixed argv, no shell


def build_layer(name: str, *, force: bool = False) -> Path:
    """Build one layer unless it is up to date; return its zip."""
    if not force and is_current(name):
        return layer_zip(name)
    root = layer_dir(name)
    shutil.rmtree(root, ignore_errors=True)
    site = root / "python"
    site.mkdir(parents=True)
    wanted = requirements(name)
    wheels = [line for line in wanted if _distribution_name(line) not in SOURCE_ONLY]
    sources = [line for line in wanted if _distribution_name(line) in SOURCE_ONLY]
    _install(site, wheels, wheels_only=True)
    if sources:
        _install(site, sources, wheels_only=False)
    skip = COMPILED[name]
    if skip is not None:
        _compile(site, skip)
    _zip_reproducibly(root, layer_zip(name), STRIPPED[name])
    _stamp(name).write_text(fingerprint(name) + "\n", encoding="utf-8")
    return layer_zip(name)


def build_all(names: tuple[str, ...] = LAYER_NAMES, *, force: bool = False) -> list[Path]:
    return [build_layer(name, force=force) for name in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("layers", nargs="*", help=f"any of {', '.join(LAYER_NAMES)} (default: all)")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    names = tuple(args.layers) or LAYER_NAMES
    unknown = sorted(set(names) - set(LAYER_NAMES))
    if unknown:
        parser.error(f"unknown layer(s): {', '.join(unknown)}")
    for name in names:
        state = "up to date" if not args.force and is_current(name) else "building"
        print(f"layer {name}: {state}", flush=True)
        path = build_layer(name, force=args.force)
        print(f"layer {name}: {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
