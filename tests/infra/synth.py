"""What the session's synth hands to the tests: the stack, its Template and its JSON."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REGION = "ap-southeast-1"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Synthesised:
    stack: Any  # infra.stack.CrmStack
    template: Any  # aws_cdk.assertions.Template
    json: dict[str, Any]

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.json["Resources"].items()
            if resource["Type"] == resource_type
        }

    def only(self, resource_type: str) -> dict[str, Any]:
        found = list(self.resources(resource_type).values())
        assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
        return found[0]


DEAD_PROXY = "http://127.0.0.1:9"  # nothing listens there: any network use fails


class CliSynth:
    """`python app.py` in a subprocess, offline, started while the in-process synth runs."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        if self._process is not None:
            return
        env = {
            **os.environ,
            "CDK_OUTDIR": str(self.outdir),
            "AWS_DEFAULT_REGION": REGION,
            "CDK_DEFAULT_REGION": REGION,
            "HTTP_PROXY": DEAD_PROXY,
            "HTTPS_PROXY": DEAD_PROXY,
            "NO_PROXY": "",
            "PIP_NO_INDEX": "1",
            "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
        }
        self._process = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait(self, timeout: float = 300) -> tuple[int, str]:
        self.start()
        assert self._process is not None
        _, stderr = self._process.communicate(timeout=timeout)
        return self._process.returncode, stderr
