"""Configuration of the local stack (from the environment) and the ports it listens on."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = REPO_ROOT / "functions"

# Dummy credentials: nothing local may ever reach a real AWS account by accident.
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


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
            for name in (
                "CRM_DEV_TOKEN_SECRET",
                "CRM_CURSOR_SECRET",
                "CRM_SURVEY_SECRET",
                "CRM_DEFAULT_PHONE_REGION",
            )
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
                # Survey links the local stream sends point at the local API.
                "CRM_SURVEY_LINK_BASE": env.get("CRM_SURVEY_LINK_BASE") or self.api_url,
                "CRM_LOCAL_DIR": str(self.data_dir),
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": os.pathsep.join(pythonpath),
            }
        )
        return env


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
