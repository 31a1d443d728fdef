"""The customers area's closed vocabularies, without pydantic: a profile's kinds, stages,
tiers, channels and consents, identity kinds and custom field types.

`models` builds the API's bodies on them; `profile` declares the rule facts and `rules`
decides with them. Kept apart so that reading a profile (GET a customer, the cold-start path)
loads no pydantic.
"""

from __future__ import annotations

from enum import StrEnum


class CustomerType(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class LifecycleStage(StrEnum):
    SUBSCRIBER = "subscriber"
    LEAD = "lead"
    QUALIFIED = "qualified"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    ADVOCATE = "advocate"
    CHURNED = "churned"


class Tier(StrEnum):
    STANDARD = "standard"
    SILVER = "silver"
    GOLD = "gold"
    BLACK = "black"


class SourceChannel(StrEnum):
    WEB = "web"
    MOBILE_APP = "mobile_app"
    WECHAT = "wechat"
    WECOM = "wecom"
    PHONE = "phone"
    EMAIL = "email"
    STORE = "store"
    EVENT = "event"
    REFERRAL = "referral"
    IMPORT = "import"
    API = "api"
    OTHER = "other"


class IdentityKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    WECHAT_OPENID = "wechat_openid"
    WECHAT_UNIONID = "wechat_unionid"
    WECOM_ID = "wecom_id"
    EXTERNAL = "external"


class CustomFieldType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"
    ENUM = "enum"


# The fields of `models.Consent`, in its order (a test holds the two together); absent = False.
CONSENTS = (
    "email_marketing",
    "sms_marketing",
    "wechat_marketing",
    "phone_calls",
    "data_processing",
)
