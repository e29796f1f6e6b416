"""Who is calling: bearer session token, API key (bearer or X-API-Key) or session cookie.

Every protected route declares one guard as its first dependency (`CurrentUser`, `Moderator`
or `Admin`; `include_api` refuses to mount a protected route without one). Each guard is a leaf
dependency: FastAPI solves it before the route's other dependencies and parameters, so 401/403
come first. Role gates answer 403 with the messages in docs/roles.md.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import APIKeyHeader, HTTPBearer

from starter.auth import service
from starter.auth.mail import MailQueue
from starter.auth.principal_cache import PrincipalCache, serve_forgetting
from starter.auth.schemas import Principal
from starter.core.config import Settings
from starter.core.db import Connection
from starter.core.deps import get_conn
from starter.core.errors import Forbidden, Unauthorized
from starter.core.security import digest
from starter.rbac.policies import require_role
from starter.rbac.roles import Role

SESSION_COOKIE = "starter_session"
CSRF_COOKIE = "starter_csrf"
CSRF_HEADER = "x-csrf-token"
API_KEY_PREFIX = "sk_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def clear_session_cookies(response: Response) -> None:
    """The browser forgets the session and its CSRF token (logout, or ending this session)."""
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


# Declared for OpenAPI only (auto_error=False): the parsing below is our own (docs/api-conventions.md).
bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="bearer_auth", description="Session token or API key"
)
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, scheme_name="api_key", description="API key"
)


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None or not header.startswith("Bearer "):
        return None
    return header[len("Bearer ") :] or None


def is_api_key(credential: str) -> bool:
    return credential.startswith(API_KEY_PREFIX) and len(credential) != 64


async def _principal_for(
    request: Request, conn: Connection | None, credential: str, *, api_key: bool
) -> Principal | None:
    """The credential's principal: from this process's cache, or else one query (then cached).

    The connection is `conn`, or else the request's, taken only on a cache miss."""
    credential_hash = digest(credential)
    key = ("k:" if api_key else "s:") + credential_hash
    cache: PrincipalCache = request.app.state.principal_cache
    principal = cache.get(key)
    if principal is None:
        generation = cache.generation
        db = conn or await get_conn(request)
        found = await (
            service.authenticate_api_key(db, credential_hash)
            if api_key
            else service.authenticate_session(db, settings_of(request).auth, credential_hash)
        )
        if found is None:
            return None
        cache.put(key, found.principal, found.valid_for, generation)
        principal = found.principal
    if principal.api_key_id is not None:
        request.app.state.api_key_usage.record(principal.api_key_id)
    return principal


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: an HMAC keyed by the session token, so only whoever holds
    the session (the SPA reads it from the CSRF cookie) can present it, and a token planted in
    the browser by anyone else matches no session."""
    return hmac.new(session_token.encode(), b"starter csrf", hashlib.sha256).hexdigest()


def _check_csrf(request: Request, session_token: str) -> None:
    """Unsafe cookie-authenticated requests carry the session's token in the CSRF header (the
    cookie's value is not consulted: the session implies the token)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "").encode("latin-1")
    if not hmac.compare_digest(csrf_token(session_token).encode(), sent):
        raise Forbidden("Missing or invalid CSRF token")


async def resolve_principal(request: Request, conn: Connection | None = None) -> Principal | None:
    """The caller, or None when no valid credential was presented.

    An anonymous request never waits for the pool; a known credential usually needs no query."""
    serve_forgetting(request.app.state.principal_cache)
    bearer = _bearer_token(request)
    if bearer is not None:
        return await _principal_for(request, conn, bearer, api_key=is_api_key(bearer))
    if "authorization" in request.headers:
        return None  # a malformed Authorization header never falls back to the cookie
    api_key = request.headers.get("x-api-key")
    if api_key:
        return await _principal_for(request, conn, api_key, api_key=True)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        principal = await _principal_for(request, conn, cookie, api_key=False)
        if principal is not None:
            _check_csrf(request, cookie)
            return replace(principal, via_cookie=True)
    return None


def _check_api_key_scope(request: Request, principal: Principal) -> None:
    """API keys need the `read` scope for safe methods and `write` for the others."""
    if principal.api_key_id is None:
        return
    needed = "read" if request.method in SAFE_METHODS else "write"
    if needed not in principal.scopes:
        raise Forbidden(f"API key lacks the '{needed}' scope")


async def authenticate(request: Request, conn: Connection | None = None) -> Principal:
    """The caller (401 without a valid credential, 403 for a key without the scope)."""
    principal = await resolve_principal(request, conn)
    if principal is None:
        raise Unauthorized()
    _check_api_key_scope(request, principal)
    return principal


# The guards take the request's pooled connection (by a direct call) only when a credential
# has to be looked up, so an anonymous request never waits for the pool.
async def current_principal(request: Request) -> Principal:
    return await authenticate(request)


async def require_moderator(request: Request) -> Principal:
    principal = await authenticate(request)
    require_role(principal.role, Role.MODERATOR)
    return principal


async def require_admin(request: Request) -> Principal:
    principal = await authenticate(request)
    require_role(principal.role, Role.ADMIN)
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]
Moderator = Annotated[Principal, Depends(require_moderator)]
Admin = Annotated[Principal, Depends(require_admin)]
# Every protected route declares one of these as its first dependency (checked at mount).
GUARDS: frozenset[object] = frozenset({current_principal, require_moderator, require_admin})


async def app_settings(request: Request) -> Settings:
    return settings_of(request)


AppSettings = Annotated[Settings, Depends(app_settings)]


def client_address(request: Request) -> str | None:
    """The caller's address (the socket peer, or the client a trusted proxy names)."""
    return request.client.host if request.client else None


def mail_queue_of(request: Request) -> MailQueue:
    """The queue account emails go to (`app.state.mail_queue`, set by `create_app`)."""
    queue: MailQueue = request.app.state.mail_queue
    return queue


Mailer = Annotated[MailQueue, Depends(mail_queue_of)]
