"""/api-keys: create, list and revoke the caller's API keys."""

from __future__ import annotations

from uuid import UUID

from starlette.responses import Response

from starter.api_keys import service
from starter.api_keys.schemas import ApiKeyCreated, ApiKeyResponse, CreateApiKeyRequest
from starter.auth.deps import CurrentUser
from starter.core.deps import Conn
from starter.core.envelope import ApiResponse, error_responses, ok
from starter.core.listing import COUNTED, whole_list_response
from starter.core.routing import api_router

router = api_router(prefix="/api-keys", tags=["API Keys"])


@router.post(
    "",
    summary="Create an API key",
    description="Returns the secret `key` once; only its SHA-256 digest is stored.",
)
async def create_api_key(
    body: CreateApiKeyRequest, principal: CurrentUser, conn: Conn
) -> ApiResponse[ApiKeyCreated]:
    created = await service.create_api_key(conn, principal, body)
    return ok(created, "Store this key now; it will not be shown again.")


@router.get(
    "",
    summary="List your API keys",
    response_model=ApiResponse[list[ApiKeyResponse]],
    responses=COUNTED,
)
async def list_api_keys(principal: CurrentUser, conn: Conn) -> Response:
    return whole_list_response(ApiKeyResponse, await service.list_api_keys(conn, principal))


@router.delete(
    "/{id}",
    summary="Revoke one of your API keys",
    responses=error_responses(404, described={404: "No such key of the caller's"}),
)
async def revoke_api_key(
    id: UUID,
    principal: CurrentUser,
    conn: Conn,
) -> ApiResponse[ApiKeyResponse]:
    return ok(await service.revoke_api_key(conn, principal, id), "API key revoked")
