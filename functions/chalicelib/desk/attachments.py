"""Attachments by reference: a presigned S3 PUT URL for a key under the tenant's folder in the
attachments bucket; the key is recorded on the ticket, the file itself never passes the API."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..core import Principal, get_settings
from . import rules, store
from .models import AttachmentRef, AttachmentRequest, AttachmentUpload
from .tickets import _change, workable_item

EXPIRES_IN = 900
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@lru_cache(maxsize=1)
def _s3() -> Any:
    import boto3
    from botocore.config import Config

    settings = get_settings()
    return boto3.client(
        "s3",
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint,
        config=Config(signature_version="s3v4"),
    )


def keep(key: str, payload: bytes, content_type: str) -> None:
    """Store a file a channel brought (a mail's attachment) under `key` in the bucket; the
    same key again (a redelivered message) writes the same bytes."""
    _s3().put_object(
        Bucket=get_settings().attachments_bucket,
        Key=key,
        Body=payload,
        ContentType=content_type,
    )


def attachment_key(tenant_id: str, ticket_id: str, attachment_id: str, name: str) -> str:
    safe = _UNSAFE.sub("_", name).strip("._")[:100] or "file"
    return f"{rules.tenant_folder(tenant_id)}tickets/{ticket_id}/{attachment_id}/{safe}"


def upload(principal: Principal, ticket_id: str, body: AttachmentRequest) -> AttachmentUpload:
    """Record the attachment on the ticket and hand back where to PUT it."""
    from ulid import ULID

    workable_item(principal, ticket_id)
    key = attachment_key(principal.tenant_id, ticket_id, str(ULID()), body.name)
    ref = AttachmentRef(key=key, name=body.name, content_type=body.content_type, size=body.size)
    now = store.now()

    def edit(item: store.TicketItem) -> None:
        item.attachments_json = store.encode([*store.attachments(item), ref.model_dump()])

    _change(principal.tenant_id, ticket_id, now, edit)
    bucket = get_settings().attachments_bucket
    url = _s3().generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket, "Key": key, "ContentType": body.content_type},
        ExpiresIn=EXPIRES_IN,
    )
    return AttachmentUpload(
        key=key,
        url=url,
        headers={"Content-Type": body.content_type},
        expires_in=EXPIRES_IN,
        attachment=ref,
    )
