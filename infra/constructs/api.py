"""The Chalice app in functions/ (REST API, stream, timers, nightly functions) via `chalice.cdk`.

Chalice writes the SAM template; this construct then finishes it with what Chalice cannot say:
one least-privilege role and one encrypted log group per function (`manage_iam_role: false`,
the placeholder role is overridden), the layers, the environment, the Cognito authorizer's
real user pool, throttling, access logs and problem+json gateway responses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Aws, CfnResource, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from chalice.cdk import Chalice
from constructs import Construct

from infra.constructs.problems import gateway_responses
from infra.functions_source import chalice_work_dir, functions_on_path, staged_functions
from infra.nag import suppress
from infra.settings import METRICS_NAMESPACE, SERVICE_NAME, StageSettings

API_FUNCTION = "APIHandler"
AUTHORIZER_NAME = "CrmUsers"  # chalicelib.core.http.AUTHORIZER_NAME
# The routes carry the API version (/v1/...); the stage is a fixed path segment, so URLs read
# https://<api>/api/v1/... (a stage named v1 made every link /v1/v1/...).
API_STAGE = "api"
# Overridden below by a role per function; Chalice requires some ARN when it does not manage IAM.
_PLACEHOLDER_ROLE = "arn:aws:iam::000000000000:role/replaced-by-cdk"
# Memory (MB) and timeout (s) per function logical id; others get DEFAULT_SIZE. Set on the
# template because chalice.cdk's stage_config has no per-function section.
FUNCTION_SIZES: dict[str, tuple[int, int]] = {
    API_FUNCTION: (1024, 29),  # API Gateway gives up after 29 s anyway
    "Stream": (512, 120),
    "Timers": (256, 60),
    # The value job's fit step holds a whole tenant in memory: a million customers fit and score
    # in ~2.6 s with 180 MiB in numpy, 416 MiB peak RSS with the data (bench/analytics.py), plus
    # the rows read back from the table as Python objects. 3008 MB leaves room for that and buys
    # CPU (Lambda's share grows with memory). 900 s, Lambda's longest, for the summarise steps:
    # I/O bound, a Query per customer.
    "Nightly": (3008, 900),
}
DEFAULT_SIZE = (512, 300)
_ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.json_with_standard_fields(
    caller=False,
    http_method=True,
    ip=True,
    protocol=True,
    request_time=True,
    resource_path=True,
    response_length=True,
    status=True,
    user=True,
)


@dataclass(frozen=True)
class AppFunction:
    """One function of the Chalice app as the rest of the stack sees it."""

    logical_id: str
    name: str
    resource: CfnResource
    role: iam.Role
    log_group: logs.LogGroup
    function: lambda_.IFunction
    timeout_seconds: int


def function_name(stage: str, logical_id: str) -> str:
    """crm-<stage>-<short name>: APIHandler -> api, Stream -> stream, NightlyRfm -> nightly-rfm."""
    short = "api" if logical_id == API_FUNCTION else re.sub(r"(?<!^)(?=[A-Z])", "-", logical_id)
    return f"crm-{stage}-{short.lower()}"


class ChaliceApp(Construct):
    """Every function Chalice declares, each with its own role, log group, layers and env."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: StageSettings,
        functions_dir: Path,
        key: kms.IKey,
        layers: list[lambda_.ILayerVersion],
        user_pool_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.stage = stage
        region = Stack.of(self).region
        stage_config: dict[str, Any] = {
            "api_gateway_stage": API_STAGE,
            "api_gateway_endpoint_type": "REGIONAL",
            "manage_iam_role": False,
            "iam_role_arn": _PLACEHOLDER_ROLE,
            "autogen_policy": False,
            "environment_variables": {
                "CRM_STAGE": stage.name,
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "POWERTOOLS_TRACE_DISABLED": "true",
            },
        }
        source = staged_functions(functions_dir)
        with (
            chalice_work_dir(),
            functions_on_path(source, None if _is_token(region) else region),
        ):
            self.chalice = Chalice(
                self, "Chalice", source_dir=str(source), stage_config=stage_config
            )

        self._layers = list(layers)
        self.functions: dict[str, AppFunction] = {}
        for resource in self._serverless_functions():
            self.functions[resource.logical_id_in_template] = self._finish_function(
                resource, key=key, layers=layers
            )
        self.rest_api = self.chalice.get_resource("RestAPI")
        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=stage.log_retention,
            encryption_key=key,
            removal_policy=stage.removal_policy,
        )
        self._finish_rest_api(user_pool_arn, functions_dir)
        self.api_url = (
            f"https://{self.rest_api.ref}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/{API_STAGE}/"
        )

    @property
    def api_name(self) -> str:
        return f"crm-{self.stage.name}"

    def function(self, logical_id: str) -> AppFunction:
        """A function by its logical id in the SAM template (APIHandler, Stream, Timers, ...)."""
        return self.functions[logical_id]

    def set_layers(self, logical_id: str, layers: list[lambda_.ILayerVersion]) -> None:
        """Give one function other layers than the shared ones (the nightly jobs: runtime and
        analytics, without the desk's text libraries, to fit Lambda's 250 MB)."""
        self.function(logical_id).resource.add_property_override(
            "Layers", [layer.layer_version_arn for layer in layers]
        )

    def add_environment(self, variables: dict[str, str], logical_id: str | None = None) -> None:
        """Set environment variables on one function of the app, or on every one."""
        targets = [self.function(logical_id)] if logical_id else self.functions.values()
        for item in targets:
            for key, value in variables.items():
                self.chalice.add_environment_variable(key, value, item.logical_id)

    def _serverless_functions(self) -> list[_IncludedResource]:
        found: list[_IncludedResource] = []
        for child in self.chalice.sam_template.node.children:
            if (
                isinstance(child, CfnResource)
                and child.cfn_resource_type == "AWS::Serverless::Function"
            ):
                found.append(_IncludedResource(child.node.id, child))
        return sorted(found, key=lambda item: item.logical_id_in_template)

    def _finish_function(
        self,
        included: _IncludedResource,
        *,
        key: kms.IKey,
        layers: list[lambda_.ILayerVersion],
    ) -> AppFunction:
        logical_id, resource = included.logical_id_in_template, included.resource
        name = function_name(self.stage.name, logical_id)
        log_group = logs.LogGroup(
            self,
            f"{logical_id}Logs",
            log_group_name=f"/aws/lambda/{name}",
            retention=self.stage.log_retention,
            encryption_key=key,
            removal_policy=self.stage.removal_policy,
        )
        role = iam.Role(
            self,
            f"{logical_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{name}: only what this function does",
        )
        # Log writing only to its own log group (the basic execution managed policy would
        # allow every log group in the account).
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group.log_group_arn],
            )
        )
        # Powertools metrics go out as embedded metric format in the log, so no PutMetricData.
        memory, timeout = FUNCTION_SIZES.get(logical_id, DEFAULT_SIZE)
        resource.add_property_override("FunctionName", name)
        resource.add_property_override("MemorySize", memory)
        resource.add_property_override("Timeout", timeout)
        resource.add_property_override("Role", role.role_arn)
        resource.add_property_override("Layers", [layer.layer_version_arn for layer in layers])
        # Created first, so Lambda never auto-creates an unencrypted group without retention.
        resource.node.add_dependency(log_group)
        resource.node.add_dependency(role)
        function = lambda_.Function.from_function_attributes(
            self,
            f"{logical_id}Function",
            function_arn=resource.get_att("Arn").to_string(),
            role=role,
            same_environment=True,
        )
        return AppFunction(logical_id, name, resource, role, log_group, function, timeout)

    def _finish_rest_api(self, user_pool_arn: str, functions_dir: Path) -> None:
        api = self.rest_api
        api.add_property_override("Name", self.api_name)
        # At synth no CRM_USER_POOL_ARN is set, so Chalice wrote a placeholder pool.
        api.add_property_override(
            f"DefinitionBody.securityDefinitions.{AUTHORIZER_NAME}"
            ".x-amazon-apigateway-authorizer.providerARNs",
            [user_pool_arn],
        )
        api.add_property_override(
            "DefinitionBody.x-amazon-apigateway-gateway-responses",
            gateway_responses(functions_dir),
        )
        api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": self.stage.api_rate_limit,
                    "ThrottlingBurstLimit": self.stage.api_burst_limit,
                    "MetricsEnabled": True,
                    "LoggingLevel": "ERROR",
                    "DataTraceEnabled": False,  # bodies hold personal data; never log them
                }
            ],
        )
        api.add_property_override(
            "AccessLogSetting",
            {
                "DestinationArn": self.access_logs.log_group_arn,
                "Format": _ACCESS_LOG_FORMAT.to_string(),
            },
        )
        self._account_logging_role(api)

    def _account_logging_role(self, api: CfnResource) -> None:
        """API Gateway writes access and execution logs only with a regional account role."""
        role = iam.Role(
            self,
            "ApiGatewayLogsRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                )
            ],
        )
        suppress(
            role,
            "IAM4",
            "API Gateway's account-level logging role: AmazonAPIGatewayPushToCloudWatchLogs is "
            "the policy AWS documents for it; API Gateway names its log groups itself.",
            [
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonAPIGatewayPushToCloudWatchLogs"
            ],
        )
        account = apigateway.CfnAccount(
            self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn
        )
        api.node.add_dependency(account)


@dataclass(frozen=True)
class _IncludedResource:
    logical_id_in_template: str
    resource: CfnResource


def _is_token(value: str) -> bool:
    from aws_cdk import Token

    return Token.is_unresolved(value)
