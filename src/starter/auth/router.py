"""/auth: register, login, logout, logout-all, me, refresh."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request, Response

from starter.auth import recovery, service
from starter.auth.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AppSettings,
    CurrentUser,
    Mailer,
    clear_session_cookies,
    client_address,
    csrf_token,
)
from starter.auth.schemas import (
    AuthUser,
    LoginRequest,
    LoginResponse,
    RefreshResponse,
    RegisterRequest,
    UserProfile,
)
from starter.core.deps import Conn
from starter.core.envelope import ApiResponse, error_responses, ok
from starter.core.errors import Unauthorized
from starter.core.routing import api_router

public = api_router(prefix="/auth", tags=["Authentication"])
protected = api_router(prefix="/auth", tags=["Authentication"])


@public.post(
    "/register",
    summary="Create an account",
    description="Also emails a link that verifies the address (`POST /auth/verify-email`).",
    responses=error_responses(409, described={409: "Username or email already exists"}),
)
async def register(
    body: RegisterRequest, conn: Conn, settings: AppSettings, mailer: Mailer
) -> ApiResponse[UserProfile]:
    async with conn.transaction():
        user = await service.create_account(conn, body.username, body.email, body.password)
        await recovery.send_verification(conn, settings, mailer, user.id, user.username, user.email)
    return ok(user)


def _set_session_cookies(
    response: Response, token: str, expires_at: datetime, secure: bool
) -> None:
    max_age = max(0, int((expires_at - datetime.now(UTC)).total_seconds()))
    for name, value, http_only in (
        (SESSION_COOKIE, token, True),
        (CSRF_COOKIE, csrf_token(token), False),  # readable by the SPA, which echoes it
    ):
        response.set_cookie(
            name, value, max_age=max_age, httponly=http_only, secure=secure, samesite="lax"
        )


@public.post(
    "/login",
    summary="Log in with username, email or either",
    description="Returns a bearer token and also sets an HttpOnly session cookie for the web app.",
    responses=error_responses(
        401,
        429,
        described={
            401: "Wrong username or password (the same whether or not the account exists)",
            429: "Too many failed attempts for this account or address; see `Retry-After`",
        },
    ),
)
async def login(
    body: LoginRequest, conn: Conn, request: Request, response: Response, settings: AppSettings
) -> ApiResponse[LoginResponse]:
    result = await service.login(conn, settings.auth, body, client_address(request))
    _set_session_cookies(response, result.token, result.expires_at, settings.auth.cookie_secure)
    return ok(
        LoginResponse(session_token=result.token, expires_at=result.expires_at, user=result.user)
    )


@protected.post("/logout", summary="End this session")
async def logout(principal: CurrentUser, conn: Conn, response: Response) -> ApiResponse[str]:
    if principal.session_id is None:
        raise Unauthorized()
    await service.logout(conn, principal.id, principal.session_id)
    clear_session_cookies(response)
    return ok("Logged out successfully")


@protected.post("/logout-all", summary="End every session of this user")
async def logout_all(principal: CurrentUser, conn: Conn, response: Response) -> ApiResponse[str]:
    ended = await service.end_all_sessions(conn, principal.id)
    clear_session_cookies(response)
    return ok("Logged out from all devices", f"Ended {ended} session(s)")


@protected.get("/me", summary="The authenticated user")
async def me(principal: CurrentUser) -> ApiResponse[AuthUser]:
    return ok(principal.auth_user())


@protected.post(
    "/refresh",
    summary="Extend this session",
    description="Sets expiry to now + the configured extension; 409 if refreshed too recently.",
    responses=error_responses(409, described={409: "Refreshed too recently"}),
)
async def refresh(
    principal: CurrentUser, conn: Conn, settings: AppSettings, request: Request, response: Response
) -> ApiResponse[RefreshResponse]:
    if principal.session_id is None:
        raise Unauthorized()
    result = await service.refresh(conn, settings.auth, principal.session_id)
    if principal.via_cookie:
        # The browser would otherwise drop the cookie at the old expiry.
        _set_session_cookies(
            response,
            request.cookies[SESSION_COOKIE],
            result.expires_at,
            settings.auth.cookie_secure,
        )
    return ok(result)
