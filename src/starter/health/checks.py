"""Component checks behind the health probes."""

from __future__ import annotations

import asyncio
from typing import Any

from starter.core.config import Settings
from starter.core.db import Pool
from starter.health.schemas import ComponentHealth

CHECK_TIMEOUT_SECS = 5.0


async def check_database(pool: Pool) -> ComponentHealth:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECS), pool.acquire() as conn:
            await conn.fetchval("SELECT 1")
    except Exception as error:
        return ComponentHealth(
            status="unhealthy",
            message="Database connection failed",
            details={"error": type(error).__name__},
        )
    return ComponentHealth(status="healthy", message="Database connection successful")


def check_application(settings: Settings) -> ComponentHealth:
    valid = (
        settings.database.uses_embedded
        or bool(settings.database.url)
        or (bool(settings.database.host) and settings.database.port > 0)
    )
    if not valid:
        return ComponentHealth(
            status="unhealthy",
            message="Application configuration is invalid",
            details={"config_loaded": False, "issues": "Missing required configuration"},
        )
    return ComponentHealth(
        status="healthy",
        message="Application configuration is valid",
        details={"config_loaded": True, "auth_configured": True},
    )


async def check_schema(pool: Pool) -> ComponentHealth:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECS), pool.acquire() as conn:
            await conn.fetchval("SELECT 1 FROM users LIMIT 1")
    except Exception as error:
        details: dict[str, Any] = {
            "error": type(error).__name__,
            "suggestion": "Ensure database migrations have been applied",
        }
        return ComponentHealth(
            status="unhealthy", message="Database schema not initialized", details=details
        )
    return ComponentHealth(
        status="healthy",
        message="Database schema is initialized",
        details={"tables_exist": True, "migrations_applied": True},
    )
