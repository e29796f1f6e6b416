"""Application settings for tests."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from starter.core.config import (
    AuthSettings,
    DatabaseSettings,
    MonitoringSettings,
    ServerSettings,
    Settings,
)


def make_settings(database_url: str, **sections: Any) -> Settings:
    """Settings for tests: explicit database, no .env, quiet access log, fast activity writes,
    no sampled platform metrics (their own tests turn them on)."""
    values: dict[str, Any] = {
        "database": DatabaseSettings(
            url=SecretStr(database_url), min_connections=1, max_connections=8
        ),
        "server": ServerSettings(access_log=False),
        "auth": AuthSettings(),
        "monitoring": MonitoringSettings(platform_metrics_secs=0),
    }
    values.update(sections)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
