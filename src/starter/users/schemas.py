"""Users request and response bodies (field names are the v1 API's)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, Strict

from starter.auth.schemas import (
    Email,
    GivenPassword,
    NewPassword,
    Reason,
    RoleName,
    Username,
    UserProfile,
)
from starter.core.envelope import RequestModel, ResponseModel, Timestamp

__all__ = [
    "BulkStatusRequest",
    "BulkStatusResponse",
    "ChangePasswordRequest",
    "CreateUserRequest",
    "DeleteAccountRequest",
    "DeleteUserRequest",
    "RecentRegistrations",
    "ResetPasswordRequest",
    "UpdateProfileRequest",
    "UpdateUserProfileRequest",
    "UpdateUserRoleRequest",
    "UpdateUserStatusRequest",
    "UserProfile",
    "UserRoleStats",
    "UserStats",
    "UserStatusFilter",
]


class UpdateProfileRequest(RequestModel):
    username: Username | None = Field(default=None, examples=["alice"])
    email: Email | None = Field(default=None, examples=["alice@example.com"])


class ChangePasswordRequest(RequestModel):
    current_password: GivenPassword
    new_password: NewPassword = Field(examples=["N3w-Secure-Pass!"])


class DeleteAccountRequest(RequestModel):
    password: GivenPassword
    confirmation: str = Field(
        max_length=64, description="Must be exactly `DELETE`.", examples=["DELETE"]
    )


class UpdateUserStatusRequest(RequestModel):
    is_active: bool
    reason: Reason | None = None


BULK_MAX_USERS = 1000
BulkStatusAction = Literal["activate", "deactivate"]
# ok: the account is (now) in the asked state; the others leave it as it was.
BulkStatusOutcome = Literal["ok", "not_found", "forbidden", "self", "last_admin"]


class BulkStatusRequest(RequestModel):
    action: BulkStatusAction
    ids: list[Annotated[UUID, Strict(False)]] = Field(
        min_length=1,
        max_length=BULK_MAX_USERS,
        description="The accounts to act on (1 to 1,000; a repeated id counts once).",
    )


class BulkStatusResult(ResponseModel):
    id: UUID
    outcome: BulkStatusOutcome
    message: str | None = None


class BulkStatusResponse(ResponseModel):
    action: BulkStatusAction
    succeeded: int
    failed: int
    results: list[BulkStatusResult]


class ResetPasswordRequest(RequestModel):
    new_password: NewPassword = Field(examples=["N3w-Secure-Pass!"])
    require_change: bool | None = None
    reason: Reason | None = None


class CreateUserRequest(RequestModel):
    username: Username = Field(examples=["bob"])
    email: Email = Field(examples=["bob@example.com"])
    password: NewPassword = Field(examples=["SecurePass123!"])
    role: RoleName | None = Field(default=None, description="Defaults to `user`.")


class UpdateUserProfileRequest(RequestModel):
    username: Username | None = None
    email: Email | None = None
    email_verified: bool | None = None


class UpdateUserRoleRequest(RequestModel):
    role: RoleName
    reason: Reason | None = None


class DeleteUserRequest(RequestModel):
    reason: Reason | None = None
    hard_delete: bool | None = Field(
        default=None, description="Remove the row (and its sessions) instead of deactivating."
    )


class UserRoleStats(ResponseModel):
    user: int
    moderator: int
    admin: int


class RecentRegistrations(ResponseModel):
    last_24h: int
    last_7d: int
    last_30d: int


class UserStats(ResponseModel):
    total_users: int
    active_users: int
    inactive_users: int
    email_verified: int
    email_unverified: int
    by_role: UserRoleStats
    recent_registrations: RecentRegistrations
    last_updated: Timestamp


# `GET /users?sort=`: a key sorts ascending, `-key` the exact reverse; newest first
# (`-created_at`) when none is given.
UserSort = Literal[
    "username",
    "-username",
    "created_at",
    "-created_at",
    "last_login_at",
    "-last_login_at",
    "role",
    "-role",
]
USER_SEARCH_MAX_CHARS = 100


class UserStatusFilter(StrEnum):
    """Which accounts `GET /users` lists; `active` unless asked."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    ALL = "all"
