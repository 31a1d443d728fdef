"""Importing the API function loads no heavy library a route can load on first call.

Speed is measured by bench/cold_start.py; this guards the design that makes it fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[3] / "functions"
HEAVY = ("pynamodb", "pydantic", "phonenumbers", "rapidfuzz", "jwt", "ulid", "numpy")


def test_importing_the_app_loads_none_of_the_heavy_libraries():
    code = "import sys, app; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    env = {**os.environ, "CRM_STAGE": "prod", "PYTHONPATH": str(FUNCTIONS)}
    loaded = subprocess.run(
        [sys.executable, "-c", code],
        cwd=FUNCTIONS,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert [name for name in HEAVY if name in loaded] == []


def test_with_tracing_off_no_tracer_is_created():
    # powertools' package imports its Tracer class itself; what costs is creating one, which
    # loads the X-Ray SDK and patches botocore.
    code = "import sys, app; print('aws_xray_sdk' in sys.modules)"
    env = {
        **os.environ,
        "CRM_STAGE": "prod",
        "PYTHONPATH": str(FUNCTIONS),
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=FUNCTIONS,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == "False"
