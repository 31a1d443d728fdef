"""Who may call the API: a Cognito user pool whose tokens carry tenant, team and CRM roles.

Claims the API reads: `custom:tenant_id`, `custom:team_id` and `cognito:groups` (the roles).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.nag import suppress
from infra.settings import StageSettings

# Must match chalicelib.core.auth.Role; a user's groups are their CRM roles.
ROLE_GROUPS = (
    "admin",
    "sales_manager",
    "sales_rep",
    "service_agent",
    "marketing",
    "finance",
    "legal",
    "viewer",
    "customer_contact",  # a customer's own person: its tickets only (custom:customer_id)
)


class Users(Construct):
    """User pool, app client and one group per role."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: StageSettings) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"crm-{stage.name}",
            # Tenants onboard their staff; nobody signs themselves up into a tenant.
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            custom_attributes={
                # Set by an admin (admin-create-user); the app client cannot write them.
                "tenant_id": cognito.StringAttribute(min_len=1, max_len=64, mutable=False),
                "team_id": cognito.StringAttribute(min_len=1, max_len=64, mutable=True),
                # The customer a customer_contact speaks for (service desk), set by an admin.
                "customer_id": cognito.StringAttribute(min_len=1, max_len=64, mutable=True),
            },
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_digits=True,
                require_lowercase=True,
                require_uppercase=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.REQUIRED if stage.mfa_required else cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            deletion_protection=stage.deletion_protection,
            removal_policy=stage.removal_policy,
        )
        read_attributes = (
            cognito.ClientAttributes()
            .with_standard_attributes(email=True, email_verified=True)
            .with_custom_attributes("tenant_id", "team_id", "customer_id")
        )
        self.client = self.user_pool.add_client(
            "AppClient",
            user_pool_client_name=f"crm-{stage.name}-app",
            auth_flows=cognito.AuthFlow(user_srp=True, user_password=False),
            generate_secret=False,  # mobile and web clients cannot keep a secret
            prevent_user_existence_errors=True,
            read_attributes=read_attributes,
            write_attributes=cognito.ClientAttributes().with_standard_attributes(email=True),
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
            enable_token_revocation=True,
        )
        self.groups = {
            role: cognito.CfnUserPoolGroup(
                self,
                f"Group{role.title().replace('_', '')}",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=role,
                description=f"CRM role {role}",
            )
            for role in ROLE_GROUPS
        }
        if not stage.mfa_required:
            suppress(
                self.user_pool,
                "COG2",
                "dev only: test users sign in from scripts; MFA (TOTP) is optional here and "
                "REQUIRED in prod (StageSettings.mfa_required).",
            )
        suppress(
            self.user_pool,
            "COG8",
            "Threat protection needs the Cognito Plus feature plan (priced per MAU); decided per "
            "contract, not by default. Passwords are strong and prod requires TOTP MFA.",
        )
