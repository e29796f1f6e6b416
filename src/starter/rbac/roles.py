"""Roles live in the database; what each role may do lives here, in code."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    USER = "user"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def level(self) -> int:
        return _LEVELS[self]

    def at_least(self, other: Role) -> bool:
        return self.level >= other.level


_LEVELS = {Role.USER: 1, Role.MODERATOR: 2, Role.ADMIN: 3}


class Permission(StrEnum):
    READ_OWN = "read:own"
    MANAGE_OWN = "manage:own"
    READ_ALL_TASKS = "tasks:read_all"
    TASK_STATS = "tasks:stats"
    REGISTER_TASK_TYPES = "tasks:register"
    LIST_USERS = "users:list"
    MANAGE_USER_STATUS = "users:status"
    RESET_PASSWORDS = "users:reset_password"
    CREATE_USERS = "users:create"
    MANAGE_ROLES = "users:role"
    DELETE_USERS = "users:delete"
    USER_STATS = "users:stats"
    SYSTEM_HEALTH = "system:health"
    MANAGE_ALERTS = "monitoring:alerts"
    MONITORING_STATS = "monitoring:stats"
    PRIVILEGED_SOURCES = "monitoring:privileged_sources"
    ASSIGN_INCIDENTS = "monitoring:assign_incidents"
    UPDATE_ANY_INCIDENT = "monitoring:update_any_incident"


_USER = frozenset({Permission.READ_OWN, Permission.MANAGE_OWN})
_MODERATOR = _USER | {
    Permission.READ_ALL_TASKS,
    Permission.TASK_STATS,
    Permission.LIST_USERS,
    Permission.MANAGE_USER_STATUS,
    Permission.RESET_PASSWORDS,
    Permission.MANAGE_ALERTS,
    Permission.MONITORING_STATS,
    Permission.PRIVILEGED_SOURCES,
    Permission.ASSIGN_INCIDENTS,
    Permission.UPDATE_ANY_INCIDENT,
}
_ADMIN = _MODERATOR | {
    Permission.REGISTER_TASK_TYPES,
    Permission.CREATE_USERS,
    Permission.MANAGE_ROLES,
    Permission.DELETE_USERS,
    Permission.USER_STATS,
    Permission.SYSTEM_HEALTH,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.USER: _USER,
    Role.MODERATOR: frozenset(_MODERATOR),
    Role.ADMIN: frozenset(_ADMIN),
}


def has_permission(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
