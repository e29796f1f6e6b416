"""Authorization decisions: role gates answer 403, ownership answers 404 (no existence oracle)."""

from __future__ import annotations

from uuid import UUID

from starter.core.errors import Forbidden, NotFound
from starter.rbac.roles import Role

MODERATOR_GATE_MESSAGE = "Access denied: moderator role or higher required"
ADMIN_GATE_MESSAGE = "Admin access required"
MODERATOR_REQUIRED = "Moderator access required"
STAFF_ACCOUNT_MESSAGE = "Admin access required to manage a moderator or admin account"


def require_role(role: Role, minimum: Role, message: str | None = None) -> None:
    """Raise 403 unless `role` is at least `minimum`."""
    if not role.at_least(minimum):
        default = ADMIN_GATE_MESSAGE if minimum is Role.ADMIN else MODERATOR_GATE_MESSAGE
        raise Forbidden(message or default)


def can_access_owned(role: Role, actor_id: UUID, owner_id: UUID | None) -> bool:
    """Moderators and admins reach everything; a user only what they created."""
    return role.at_least(Role.MODERATOR) or (owner_id is not None and owner_id == actor_id)


def require_owned(role: Role, actor_id: UUID, owner_id: UUID | None, not_found: str) -> None:
    """404 with `not_found` unless the actor may reach the resource."""
    if not can_access_owned(role, actor_id, owner_id):
        raise NotFound(not_found)


def may_manage(actor: Role, target: Role) -> bool:
    """Admins manage every account; moderators manage plain users only, never each other or
    an admin (whose password they could otherwise reset and then sign in with)."""
    return actor is Role.ADMIN or (actor is Role.MODERATOR and target is Role.USER)


def require_may_manage(actor: Role, target: Role) -> None:
    """403 unless `actor` may change the account of someone whose role is `target`."""
    if not may_manage(actor, target):
        raise Forbidden(STAFF_ACCOUNT_MESSAGE)
