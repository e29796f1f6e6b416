"""`STARTER__DATABASE__LISTEN_URL` and `…__STATEMENT_CACHE_SIZE`: defaults and the connection
each one reaches."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from starter.core import db
from starter.core.config import ConfigError, DatabaseSettings, load_settings


def test_the_listen_url_defaults_to_the_pool_url() -> None:
    settings = DatabaseSettings(url=SecretStr("postgresql://pool/app"))
    assert db.resolve_listen_url(settings, "postgresql://pool/app") == "postgresql://pool/app"


def test_a_listen_url_is_used_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARTER__DATABASE__URL", "postgresql://bouncer:6432/app")
    monkeypatch.setenv("STARTER__DATABASE__LISTEN_URL", "postgresql://primary:5432/app")
    monkeypatch.setenv("STARTER__DATABASE__STATEMENT_CACHE_SIZE", "0")
    settings = load_settings(_env_file=None).database
    url = db.resolve_database_url(settings)
    assert url == "postgresql://bouncer:6432/app"
    assert db.resolve_listen_url(settings, url) == "postgresql://primary:5432/app"
    assert settings.statement_cache_size == 0
    assert "primary" not in repr(settings)  # a secret, like URL


def test_a_negative_statement_cache_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARTER__DATABASE__STATEMENT_CACHE_SIZE", "-1")
    with pytest.raises(ConfigError, match="STARTER__DATABASE__STATEMENT_CACHE_SIZE"):
        load_settings(_env_file=None)


async def _kept_after_a_query(url: str, **database: int) -> int:
    """Prepared statements a pooled connection holds after one parametrized query."""
    pool = await db.create_pool(url, DatabaseSettings(url=SecretStr(url), **database))
    try:
        async with pool.acquire() as conn:
            await conn.fetchval("SELECT $1::int", 1)
            kept: int = await conn.fetchval("SELECT count(*) FROM pg_prepared_statements")
            return kept
    finally:
        await pool.close()


async def test_the_pool_keeps_no_statements_when_the_cache_is_zero(database_url: str) -> None:
    assert await _kept_after_a_query(database_url, statement_cache_size=0) == 0


async def test_the_pool_keeps_statements_by_default(database_url: str) -> None:
    assert await _kept_after_a_query(database_url) >= 1
