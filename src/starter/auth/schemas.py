"""Auth request and response bodies (field names are the v1 API's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from starter.core.envelope import CheckedByService, RequestModel, ResponseModel, Timestamp
from starter.rbac.roles import Role

RoleName = Literal["user", "moderator", "admin"]

# Caps checked by auth/validation.py (UTF-8 bytes, with its messages, in its order: docs/roles.md);
# documented here (docs/limits.md).
Username = Annotated[
    str, CheckedByService(max_length=50, min_length=3, pattern=r"^[\p{L}\p{N}_-]+$")
]
Email = Annotated[str, CheckedByService(max_length=254)]
NewPassword = Annotated[str, CheckedByService(max_length=128, min_length=8)]
# Values only compared with stored ones (logging in, confirming): capped well above any valid one.
Identifier = Annotated[str, Field(max_length=254)]
GivenPassword = Annotated[str, Field(max_length=1024)]
Reason = Annotated[str, Field(max_length=1000)]


class RegisterRequest(RequestModel):
    username: Username = Field(examples=["alice"])
    email: Email = Field(examples=["alice@example.com"])
    password: NewPassword = Field(examples=["SecurePass123!"])


def _given(name: str) -> dict[str, Any]:
    return {"required": [name], "properties": {name: {"type": "string"}}}


class LoginRequest(RequestModel):
    # Exactly one of the three identifiers (a null one is not given); checked by the service.
    model_config = ConfigDict(
        json_schema_extra={"oneOf": [_given(f) for f in ("username", "email", "username_or_email")]}
    )
    username: Identifier | None = Field(default=None, examples=["alice"])
    email: Identifier | None = None
    username_or_email: Identifier | None = Field(
        default=None, description="Either a username or an email address (our addition)."
    )
    password: GivenPassword = Field(examples=["SecurePass123!"])
    user_agent: str | None = Field(default=None, max_length=1024)


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


# Account tokens are 43 url-safe characters; anything longer cannot be one.
AccountToken = Annotated[str, Field(max_length=256)]


class ForgotPasswordRequest(RequestModel):
    email: Identifier = Field(examples=["alice@example.com"])


class TokenResetPasswordRequest(RequestModel):
    token: AccountToken
    new_password: NewPassword = Field(examples=["N3w-Secure-Pass!"])


class VerifyEmailRequest(RequestModel):
    token: AccountToken


class SessionInfo(ResponseModel):
    id: UUID
    created_at: Timestamp
    last_activity_at: Timestamp
    expires_at: Timestamp
    user_agent: str | None
    ip_address: str | None
    current: bool = Field(description="Whether this is the session making the request.")
