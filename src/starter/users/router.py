"""/users (own account, reads, moderation, administration) and /admin/users/stats.

Static `/users/me…` routes are declared before `/users/{id}…` so they win the match.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query, Response

from starter.auth.deps import Admin, AppSettings, CurrentUser, Mailer, Moderator
from starter.core.deps import Conn, Tx
from starter.core.envelope import ApiResponse, error_responses, ok
from starter.core.listing import COUNTED, list_response
from starter.core.pagination import Page, page_params
from starter.core.routing import api_router
from starter.rbac.roles import Role
from starter.users import service
from starter.users.schemas import (
    USER_SEARCH_MAX_CHARS,
    BulkStatusRequest,
    BulkStatusResponse,
    ChangePasswordRequest,
    CreateUserRequest,
    DeleteAccountRequest,
    DeleteUserRequest,
    ResetPasswordRequest,
    UpdateProfileRequest,
    UpdateUserProfileRequest,
    UpdateUserRoleRequest,
    UpdateUserStatusRequest,
    UserProfile,
    UserSort,
    UserStats,
    UserStatusFilter,
)

router = api_router(tags=["Users"])
admin_router = api_router(tags=["Admin"])

UsersPage = Annotated[Page, Depends(page_params(50, 100, clamp=True))]

_DESCRIBED = {
    401: "Wrong current password",
    404: "User not found",
    409: "Username or email already exists, or the change would remove the last active admin",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return error_responses(*statuses, described=_DESCRIBED)


# --- own account ----------------------------------------------------------------------------


@router.get("/users/me/profile", summary="Get own profile", responses=errors(404))
async def get_profile(principal: CurrentUser, conn: Conn) -> ApiResponse[UserProfile]:
    return ok(await service.own_profile(conn, principal.id))


@router.get(
    "/users/me",
    summary="Get own profile (alias of /users/me/profile)",
    responses=errors(404),
)
async def get_own_user(principal: CurrentUser, conn: Conn) -> ApiResponse[UserProfile]:
    return ok(await service.own_profile(conn, principal.id))


@router.put(
    "/users/me/profile",
    summary="Update own profile",
    description="A changed email must be verified again: a verification link is mailed to it.",
    responses=errors(409),
)
async def update_own_profile(
    principal: CurrentUser,
    body: UpdateProfileRequest,
    conn: Tx,
    settings: AppSettings,
    mailer: Mailer,
) -> ApiResponse[UserProfile]:
    user = await service.update_own_profile(
        conn, principal.id, body.username, body.email, (settings, mailer)
    )
    return ok(user)


@router.put(
    "/users/me/password",
    summary="Change own password",
    description=(
        "Wrong current password is 401 INVALID_CREDENTIALS; every other session of the account "
        "ends (the message says how many)."
    ),
    responses=errors(401, 404),
)
async def change_own_password(
    principal: CurrentUser, body: ChangePasswordRequest, conn: Tx
) -> ApiResponse[str]:
    ended = await service.change_own_password(
        conn, principal.id, body.current_password, body.new_password, principal.session_id
    )
    return ok(
        "Password updated successfully",
        f"Password has been changed. Signed out {ended} other session(s).",
    )


@router.delete(
    "/users/me",
    summary="Delete own account",
    description=(
        "Deactivates the account and ends every session. Requires `DELETE` confirmation; "
        "the last active admin cannot leave (409)."
    ),
    responses=errors(409),
)
async def delete_own_account(
    principal: CurrentUser, body: DeleteAccountRequest, conn: Tx
) -> ApiResponse[str]:
    await service.delete_own_account(conn, principal.id, body.password, body.confirmation)
    return ok(
        "Account deleted successfully",
        "Your account has been deactivated. All data will be retained for 30 days.",
    )


# --- reads and moderation -------------------------------------------------------------------


@router.get(
    "/users",
    summary="List users",
    description=(
        "Moderator or admin. Filters combine (AND): `status` (active by default, inactive or "
        "all accounts), `role`, and `search`: text found, without case, in the username or the "
        "email (at most 100 characters). `sort`: `username`, `created_at`, `last_login_at` "
        "(never signed in first) or `role` (user, moderator, admin) ascending, `-` in front for "
        "the exact reverse; newest first (`-created_at`) by default. `limit` ≤ 100. "
        "`X-Total-Count` is the number of matching users."
    ),
    response_model=ApiResponse[list[UserProfile]],
    responses=COUNTED,
)
async def list_users(
    _principal: Moderator,
    page: UsersPage,
    conn: Conn,
    status: Annotated[
        UserStatusFilter, Query(description="Account state to list (default `active`).")
    ] = UserStatusFilter.ACTIVE,
    role: Role | None = None,
    search: Annotated[str | None, Query(max_length=USER_SEARCH_MAX_CHARS)] = None,
    sort: UserSort = "-created_at",
) -> Response:
    query = service.UserListQuery(status, role, search, sort)
    found = await service.list_users(conn, query, page.limit, page.offset)
    return list_response(UserProfile, found.rows, total=found.total)


@router.post(
    "/users/bulk",
    summary="Activate or deactivate many users",
    description=(
        "Moderator or admin; one transaction, with the rules of `PUT /users/{id}/status` for "
        "each account, whose outcome is in `results` (in the order given): `ok` (it is now in "
        "the asked state; deactivation ends its sessions), `not_found`, `forbidden` (moderators "
        "manage `user` accounts only), `self` (never your own account) or `last_admin` (the "
        "last active admin stays). At most 1,000 ids; a repeated id counts once."
    ),
)
async def bulk_update_status(
    principal: Moderator, body: BulkStatusRequest, conn: Tx
) -> ApiResponse[BulkStatusResponse]:
    outcome = await service.bulk_status(conn, principal, body.action, body.ids)
    state = "active" if body.action == "activate" else "inactive"
    return ok(outcome, f"{outcome.succeeded} of {len(outcome.results)} account(s) {state}")


@router.get(
    "/users/{id}",
    summary="Get user by ID",
    description="Users see themselves; moderators and admins every active account.",
    responses=errors(404),
)
async def get_user_by_id(principal: CurrentUser, id: UUID, conn: Conn) -> ApiResponse[UserProfile]:
    return ok(await service.user_by_id(conn, principal, id))


@router.put(
    "/users/{id}/status",
    summary="Update user status",
    description=(
        "Deactivation also ends every session of that user. Moderators manage `user` accounts "
        "only (403 otherwise); the last active admin cannot be deactivated (409)."
    ),
    responses=errors(404, 409),
)
async def update_user_status(
    principal: Moderator, id: UUID, body: UpdateUserStatusRequest, conn: Tx
) -> ApiResponse[UserProfile]:
    user = await service.update_status(conn, principal, id, body.is_active)
    return ok(user, "User account status updated")


@router.post(
    "/users/{id}/reset-password",
    summary="Reset user password",
    description=(
        "Sets a new password and ends every session of that user. Moderators manage `user` "
        "accounts only (403 otherwise)."
    ),
    responses=errors(404),
)
async def reset_user_password(
    principal: Moderator, id: UUID, body: ResetPasswordRequest, conn: Tx
) -> ApiResponse[str]:
    await service.reset_password(conn, principal, id, body.new_password)
    return ok(
        "Password reset successfully",
        "User's password has been updated. All existing sessions have been invalidated.",
    )


# --- administration -------------------------------------------------------------------------


@router.post(
    "/users",
    summary="Create user",
    description="Admin only; `role` defaults to `user`.",
    responses=errors(409),
)
async def create_user(
    _principal: Admin, body: CreateUserRequest, conn: Tx
) -> ApiResponse[UserProfile]:
    user = await service.create_user(conn, body.username, body.email, body.password, body.role)
    return ok(user)


@router.put(
    "/users/{id}/profile",
    summary="Update user profile",
    description="Admin only; works on inactive users; `email_verified` changes only when given.",
    responses=errors(404, 409),
)
async def update_user_profile(
    _principal: Admin, id: UUID, body: UpdateUserProfileRequest, conn: Tx
) -> ApiResponse[UserProfile]:
    user = await service.update_profile(conn, id, body.username, body.email, body.email_verified)
    return ok(user)


@router.put(
    "/users/{id}/role",
    summary="Update user role",
    description="Admin only; the last active admin cannot be demoted (409).",
    responses=errors(404, 409),
)
async def update_user_role(
    principal: Admin, id: UUID, body: UpdateUserRoleRequest, conn: Tx
) -> ApiResponse[UserProfile]:
    user = await service.update_role(conn, principal, id, body.role)
    return ok(user, "User role updated successfully")


@router.delete(
    "/users/{id}",
    summary="Delete user account",
    description=(
        "Admin only. Soft delete deactivates the account and ends its sessions (idempotent); "
        "`hard_delete` removes the row with its sessions. The last active admin cannot be "
        "deleted (409)."
    ),
    responses=errors(404, 409),
)
async def delete_user(
    principal: Admin, id: UUID, body: DeleteUserRequest, conn: Tx
) -> ApiResponse[str]:
    await service.delete_user(conn, principal, id, bool(body.hard_delete))
    return ok(
        "User account deleted successfully",
        "User account has been deactivated. Data retained for 30 days for recovery.",
    )


@admin_router.get("/admin/users/stats", summary="Get user statistics")
async def get_user_stats(_principal: Admin, conn: Conn) -> ApiResponse[UserStats]:
    return ok(await service.user_stats(conn))
