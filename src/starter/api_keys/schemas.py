"""API key request and response bodies."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from starter.core.envelope import RequestModel, ResponseModel, Timestamp


class CreateApiKeyRequest(RequestModel):
    name: str = Field(examples=["ci-deploy"], description="1–100 characters.")
    description: str | None = None
    expires_at: datetime | None = Field(
        default=None, strict=False, description="Optional expiry; must be in the future."
    )
    permissions: list[str] | None = Field(
        default=None,
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
