"""/auth: password recovery, email verification and the caller's sessions; an admin's view
of a user's sessions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request, Response

from starter.auth import recovery, sessions
from starter.auth.deps import (
    Admin,
    AppSettings,
    CurrentUser,
    Mailer,
    clear_session_cookies,
    client_address,
)
from starter.auth.schemas import (
    ForgotPasswordRequest,
    SessionInfo,
    TokenResetPasswordRequest,
    VerifyEmailRequest,
)
from starter.core.deps import Conn
from starter.core.envelope import ApiResponse, error_responses, ok
from starter.core.listing import COUNTED, whole_list_response
from starter.core.routing import api_router

public = api_router(prefix="/auth", tags=["Authentication"])
protected = api_router(prefix="/auth", tags=["Authentication"])
admin = api_router(tags=["Users"])

_DESCRIBED = {
    400: "A rule on a field failed, or the token is invalid, expired or used (`INVALID_TOKEN`)",
    404: "No such user, or no such active session of theirs",
    409: "The email address is already verified",
    429: "Too many requests for this account or address",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return error_responses(*statuses, described=_DESCRIBED)


@public.post(
    "/forgot-password",
    summary="Email a password reset link",
    description=(
        "Always the same answer, in at least `auth.recovery_min_answer_secs`, whether or not an "
        "account uses the address. The link is valid for `auth.password_reset_token_minutes` "
        "(60) and once; asking again makes earlier links useless."
    ),
    responses=errors(400, 429),
)
async def forgot_password(
    body: ForgotPasswordRequest,
    conn: Conn,
    request: Request,
    settings: AppSettings,
    mailer: Mailer,
) -> ApiResponse[str]:
    answer = await recovery.forgot_password(
        conn, settings, mailer, body.email, client_address(request)
    )
    return ok(answer)


@public.post(
    "/reset-password",
    summary="Choose a new password with a reset link's token",
    description="Applies the password rules and ends every session of the account.",
    responses=errors(400, 429),
)
async def reset_password(
    body: TokenResetPasswordRequest, conn: Conn, request: Request, settings: AppSettings
) -> ApiResponse[str]:
    ended = await recovery.reset_password(
        conn, settings, body.token, body.new_password, client_address(request)
    )
    return ok(
        "Password has been reset",
        f"Sign in with your new password. Ended {ended} session(s).",
    )


@public.post(
    "/verify-email",
    summary="Confirm an email address with a verification link's token",
    responses=errors(400, 429),
)
async def verify_email(
    body: VerifyEmailRequest, conn: Conn, request: Request, settings: AppSettings
) -> ApiResponse[str]:
    await recovery.verify_email(conn, settings, body.token, client_address(request))
    return ok("Email address verified")


@protected.post(
    "/resend-verification",
    summary="Email a new verification link to the caller",
    description="409 when the address is already verified; earlier links stop working.",
    responses=errors(401, 409, 429),
)
async def resend_verification(
    principal: CurrentUser, conn: Conn, request: Request, settings: AppSettings, mailer: Mailer
) -> ApiResponse[str]:
    await recovery.resend_verification(
        conn, settings, mailer, principal.id, client_address(request)
    )
    return ok("Verification email sent", f"Check the inbox of {principal.email}.")


@protected.get(
    "/sessions",
    summary="The caller's active sessions",
    description="Most recently active first; `current` marks the session making the request.",
    response_model=ApiResponse[list[SessionInfo]],
    responses=COUNTED,
)
async def list_sessions(principal: CurrentUser, conn: Conn) -> Response:
    rows = await sessions.live_sessions(conn, principal.id, principal.session_id)
    return whole_list_response(SessionInfo, rows)


@protected.delete(
    "/sessions/{id}",
    summary="End one of the caller's sessions",
    responses=errors(401, 404),
)
async def end_session(
    principal: CurrentUser, id: UUID, conn: Conn, response: Response
) -> ApiResponse[str]:
    await sessions.end_session(conn, principal.id, id)
    if id == principal.session_id:
        clear_session_cookies(response)
    return ok("Session ended")


@admin.get(
    "/users/{id}/sessions",
    summary="A user's active sessions",
    description="Admin only; most recently active first.",
    responses={**errors(401, 403, 404), **COUNTED},
    response_model=ApiResponse[list[SessionInfo]],
)
async def list_user_sessions(principal: Admin, id: UUID, conn: Conn) -> Response:
    await sessions.require_user(conn, id)
    rows = await sessions.live_sessions(conn, id, principal.session_id)
    return whole_list_response(SessionInfo, rows)


@admin.delete(
    "/users/{id}/sessions/{session_id}",
    summary="End one of a user's sessions",
    description="Admin only.",
    responses=errors(401, 403, 404),
)
async def end_user_session(
    _principal: Admin, id: UUID, session_id: UUID, conn: Conn
) -> ApiResponse[str]:
    await sessions.require_user(conn, id)
    await sessions.end_session(conn, id, session_id)
    return ok("Session ended")
