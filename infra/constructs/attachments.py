"""The bucket of ticket attachments: clients upload by presigned PUT (the API signs a key under
the tenant's folder), nothing is public, TLS only, encrypted at rest."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import suppress
from infra.settings import StageSettings

TENANTS_FOLDER = "tenants/*"


class Attachments(Construct):
    """One private bucket; the API may put and read objects under `tenants/`."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: StageSettings) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            # S3-managed keys: a presigned PUT is signed by the API's role and sent by a client
            # that holds no KMS permission; SSE-S3 needs none.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=False,
            removal_policy=stage.removal_policy,
            auto_delete_objects=False,
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.PUT],
                    allowed_origins=["*"],
                    allowed_headers=["Content-Type"],
                    max_age=3000,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1))
            ],
        )
        suppress(
            self.bucket,
            "S1",
            "Uploads are signed per key by the API, which logs who asked for each one; S3 "
            "server access logs would need a second bucket and add no caller identity.",
        )

    def grant_upload(self, role: iam.IRole) -> None:
        """Sign uploads (PutObject) and read attachments back, under the tenants' folders."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:GetObject"],
                resources=[self.bucket.arn_for_objects(TENANTS_FOLDER)],
            )
        )
