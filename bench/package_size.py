"""The API function's deployment package: size against the 8 MB target, and no SDK inside.

Runs `chalice package` the way the CDK stack does (requirements.txt empty, dependencies in the
runtime layer) into a temporary folder and measures the zip every function ships.
"""

from __future__ import annotations

import os
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # infra/, appended: the top-level app.py must not shadow anything
FUNCTIONS_DIR = ROOT / "functions"
LAYER_ZIP = ROOT / "build" / "layers" / "runtime.zip"
TARGET_MB = 8.0
MB = 1024 * 1024
# Shipped by the runtime layer (or the Lambda runtime); a copy in the package means
# requirements.txt or a vendor/ folder has grown a dependency.
FORBIDDEN_TOP_LEVEL = ("botocore", "boto3", "s3transfer", "pydantic_core", "numpy", "scipy")


def package(output_dir: Path) -> Path:
    """`chalice package` for the dev stage, as chalice.cdk runs it at synth; the zip's path."""
    from chalice import api

    from infra.functions_source import functions_on_path, staged_functions

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    source = staged_functions(FUNCTIONS_DIR)  # the clean, compiled copy the stack packages
    with functions_on_path(source):
        api.package_app(
            project_dir=str(source),
            output_dir=str(output_dir),
            stage="dev",
            chalice_config={
                "manage_iam_role": False,
                "iam_role_arn": "arn:aws:iam::000000000000:role/replaced-by-cdk",
                "autogen_policy": False,
            },
        )
    return output_dir / "deployment.zip"


def main() -> int:
    requirements = (FUNCTIONS_DIR / "requirements.txt").read_text(encoding="utf-8").strip()
    with tempfile.TemporaryDirectory() as tmp:
        deployment = package(Path(tmp) / "package")
        size_mb = deployment.stat().st_size / MB
        with zipfile.ZipFile(deployment) as zf:
            infos = zf.infolist()
    unzipped_mb = sum(info.file_size for info in infos) / MB
    tops = {info.filename.split("/", 1)[0] for info in infos}
    forbidden = sorted(tops & set(FORBIDDEN_TOP_LEVEL))

    print(f"api package: {size_mb:.1f} MB (target <= {TARGET_MB:g} MB)")
    print(
        f"  {len(infos)} files, {unzipped_mb:.1f} MB unzipped; top level: {', '.join(sorted(tops))}"
    )
    if LAYER_ZIP.is_file():
        print(
            f"  runtime layer (shared, not in the package): {LAYER_ZIP.stat().st_size / MB:.1f} MB"
        )
    failures = []
    if size_mb > TARGET_MB:
        failures.append(f"package is {size_mb:.1f} MB, over {TARGET_MB:g} MB")
    if forbidden:
        failures.append(f"package carries {', '.join(forbidden)} (belongs in the layer)")
    if requirements:
        failures.append("functions/requirements.txt must stay empty (deps ship in layers/)")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
