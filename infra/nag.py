"""cdk-nag acknowledgements ("suppressions"), each with the reason a reviewer can check.

cdk-nag 3 runs as a CDK policy-validation plugin: findings are no longer annotations, and a
rule is acknowledged with `Validations.of(construct).acknowledge(...)`, which covers the
construct and everything below it. A finding-specific id such as
`AwsSolutions-IAM5[Resource::<arn>:*]` acknowledges that one finding only.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Acknowledgment, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def suppress(
    construct: IConstruct,
    rule: str,
    reason: str,
    findings: Sequence[str] | None = None,
) -> None:
    """Acknowledge an AwsSolutions rule (or some of its findings) on a construct and below."""
    ids = [f"AwsSolutions-{rule}[{finding}]" for finding in findings or ()] or [
        f"AwsSolutions-{rule}"
    ]
    for rule_id in ids:
        Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))


def add_checks(scope: IConstruct) -> AwsSolutionsChecks:
    """Run AwsSolutions on every synth of `scope`: an unacknowledged finding fails synth."""
    checks = AwsSolutionsChecks(scope, verbose=True)
    Validations.of(scope).add_plugins(checks)
    return checks
