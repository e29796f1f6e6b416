"""Auth request and response bodies (field names are the v1 contract's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from pydantic import Field

from starter.core.envelope import RequestModel, ResponseModel, Timestamp
from starter.rbac.roles import Role

RoleName = Literal["user", "moderator", "admin"]


class RegisterRequest(RequestModel):
    username: str = Field(examples=["alice"])
    email: str = Field(examples=["alice@example.com"])
    password: str = Field(examples=["SecurePass123!"])


class LoginRequest(RequestModel):
    username: str | None = Field(default=None, examples=["alice"])
    email: str | None = None
    username_or_email: str | None = Field(
        default=None, description="Either a username or an email address (our addition)."
    )
    password: str = Field(examples=["SecurePass123!"])
    user_agent: str | None = None


class UserProfile(ResponseModel):
    id: UUID
    username: str
    email: str
    role: RoleName
    is_active: bool
    email_verified: bool
    created_at: Timestamp
    last_login_at: Timestamp | None


class AuthUser(ResponseModel):
    id: UUID
    username: str
    email: str
    role: RoleName


class LoginResponse(ResponseModel):
    session_token: str = Field(description="64-character bearer token; also set as a cookie.")
    expires_at: Timestamp
    user: UserProfile


class RefreshResponse(ResponseModel):
    expires_at: Timestamp
    refreshed_at: Timestamp


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user authenticated by session token, cookie or API key."""

    id: UUID
    username: str
    email: str
    role: Role
    session_id: UUID | None = None
    api_key_id: UUID | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    via_cookie: bool = False

    def auth_user(self) -> AuthUser:
        return AuthUser(id=self.id, username=self.username, email=self.email, role=self.role.value)
