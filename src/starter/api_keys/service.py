"""API keys for machines: create (secret shown once), list and revoke one's own keys."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime
from uuid import UUID

import structlog

from starter.api_keys import repository
from starter.api_keys.schemas import ApiKeyCreated, ApiKeyResponse, CreateApiKeyRequest
from starter.auth.principal_cache import forget_user
from starter.auth.schemas import Principal
from starter.core.db import Connection, Record
from starter.core.errors import Forbidden, NotFound, ValidationFailed
from starter.core.security import digest, random_string
from starter.rbac.roles import Role

log = structlog.get_logger(__name__)

# starter.auth.deps.is_api_key tells keys from session tokens by this prefix.
API_KEY_PREFIX = "sk_"
SCOPES = ("read", "write", "tasks:register")
DEFAULT_SCOPES = ["read", "write"]
ADMIN_ONLY_SCOPES = frozenset({"tasks:register"})
NAME_MAX_CHARS = 100
DESCRIPTION_MAX_CHARS = 1000
PREFIX_ALPHABET = string.ascii_lowercase + string.digits
NOT_FOUND = "API key not found"


def new_secret() -> str:
    """`sk_<8 random chars>_<40 url-safe chars>`: never 64 long, so never taken for a session."""
    prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(8))
    return f"{API_KEY_PREFIX}{prefix}_{random_string(30)}"


def visible_prefix(secret: str) -> str:
    return secret[: len(API_KEY_PREFIX) + 8]


def _record(row: Record) -> ApiKeyResponse:
    return ApiKeyResponse.model_validate(dict(row))


def _validated_name(name: str) -> str:
    if not name.strip():
        raise ValidationFailed("name", "Name cannot be empty")
    if len(name) > NAME_MAX_CHARS:
        raise ValidationFailed("name", f"Name must be at most {NAME_MAX_CHARS} characters")
    return name


def _validated_expiry(expires_at: datetime | None) -> datetime | None:
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:
        raise ValidationFailed("expires_at", "Must include a timezone offset")
    if expires_at <= datetime.now(UTC):
        raise ValidationFailed("expires_at", "Must be in the future")
    return expires_at


def _validated_scopes(requested: list[str] | None, role: Role) -> list[str]:
    if requested is None:
        return list(DEFAULT_SCOPES)
    if not requested:
        raise ValidationFailed("permissions", "At least one scope is required")
    scopes: list[str] = []
    for scope in requested:
        if scope not in SCOPES:
            raise ValidationFailed(
                "permissions", f"Unknown scope '{scope}'; allowed: {', '.join(SCOPES)}"
            )
        if scope not in scopes:
            scopes.append(scope)
    if role is not Role.ADMIN and ADMIN_ONLY_SCOPES & set(scopes):
        raise Forbidden("Only admins can grant the 'tasks:register' scope")
    return scopes


async def create_api_key(
    conn: Connection, principal: Principal, request: CreateApiKeyRequest
) -> ApiKeyCreated:
    name = _validated_name(request.name)
    if request.description is not None and len(request.description) > DESCRIPTION_MAX_CHARS:
        raise ValidationFailed(
            "description", f"Description must be at most {DESCRIPTION_MAX_CHARS} characters"
        )
    expires_at = _validated_expiry(request.expires_at)
    scopes = _validated_scopes(request.permissions, principal.role)
    secret = new_secret()
    row = await repository.insert_api_key(
        conn,
        principal.id,
        name,
        request.description,
        digest(secret),
        visible_prefix(secret),
        expires_at,
        scopes,
    )
    log.info("api_key.created", api_key_id=str(row["id"]), user_id=str(principal.id))
    return ApiKeyCreated.model_validate({**dict(row), "key": secret})


async def list_api_keys(conn: Connection, principal: Principal) -> list[Record]:
    """Rows of `ApiKeyResponse`: the caller's keys."""
    return await repository.list_api_keys(conn, principal.id)


async def revoke_api_key(conn: Connection, principal: Principal, key_id: UUID) -> ApiKeyResponse:
    """Deactivate one of the caller's keys; anyone else's (or none) is 404."""
    row = await repository.deactivate_api_key(conn, key_id, principal.id)
    if row is None:
        raise NotFound(NOT_FOUND)
    forget_user(principal.id)
    log.info("api_key.revoked", api_key_id=str(key_id), user_id=str(principal.id))
    return _record(row)
