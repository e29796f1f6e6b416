"""API key request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from starter.core.envelope import (
    IN_UTC_RANGE,
    CheckedByService,
    RequestModel,
    ResponseModel,
    Timestamp,
)


class CreateApiKeyRequest(RequestModel):
    # Both lengths are checked by the service (characters).
    name: Annotated[str, CheckedByService(max_length=100, min_length=1)] = Field(
        examples=["ci-deploy"], description="1–100 characters."
    )
    description: Annotated[str, CheckedByService(max_length=1000)] | None = None
    expires_at: Annotated[datetime, IN_UTC_RANGE] | None = Field(
        default=None, strict=False, description="Optional expiry; must be in the future."
    )
    permissions: list[Annotated[str, Field(max_length=64)]] | None = Field(
        default=None,
        max_length=16,
        examples=[["read", "write"]],
        description='Scopes from "read", "write", "tasks:register" (admins only). '
        'Default ["read", "write"].',
    )


class ApiKeyResponse(ResponseModel):
    id: UUID
    name: str
    description: str | None
    key_prefix: str = Field(description="The visible start of the secret, to tell keys apart.")
    permissions: list[str]
    expires_at: Timestamp | None
    is_active: bool
    created_at: Timestamp
    last_used_at: Timestamp | None
    usage_count: int


class ApiKeyCreated(ApiKeyResponse):
    key: str = Field(description="The secret. Shown once; only its SHA-256 is stored.")
