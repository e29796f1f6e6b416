"""Settings loaded from `STARTER__…` environment variables (and `.env`).

Nested sections use `__`: `STARTER__SERVER__PORT=8080` sets `settings.server.port`.
Secrets are `SecretStr`, so they never show up in `repr()` or logs.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "STARTER__"


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=1, le=65535)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["*"])
    request_timeout_secs: int = Field(default=30, ge=1)
    # The whole request (headers and body) must arrive within this time of its first byte.
    read_timeout_secs: float = Field(default=30, gt=0)
    # None: the SPA built into the package; "" disables static serving.
    web_build_path: str | None = None
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    access_log: bool = True
    # Proxies (IP addresses or networks, comma list) whose X-Forwarded-For / X-Forwarded-Proto
    # name the client. None by default: the client is the socket peer, whatever it sends.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network") from None
        return value


class DatabaseSettings(BaseModel):
    url: SecretStr | None = None
    user: str = Field(default="starter_user", min_length=1)
    password: SecretStr = SecretStr("starter_pass")
    host: str = Field(default="localhost", min_length=1)
    port: int = Field(default=5432, ge=1, le=65535)
    database: str = Field(default="starter_db", min_length=1)
    max_connections: int = Field(default=10, ge=1)
    min_connections: int = Field(default=2, ge=1)
    connect_timeout_secs: float = Field(default=30, gt=0)
    idle_timeout_secs: float = Field(default=300, gt=0)
    max_lifetime_secs: float = Field(default=600, gt=0)
    embedded_dir: Path = Path(".starter/pgdata")
    # A direct connection to PostgreSQL (never through a transaction pooler) for LISTEN, session
    # advisory locks and one-off commands (migrations); None: the same server as `url`.
    listen_url: SecretStr | None = None
    # asyncpg's prepared statements kept per pooled connection; 0 when `url` is a transaction
    # pooler (PgBouncer `pool_mode = transaction`), where a statement prepared in one
    # transaction is gone in the next (docs/deployment.md).
    statement_cache_size: int = Field(default=100, ge=0)

    @model_validator(mode="after")
    def _pool_bounds(self) -> DatabaseSettings:
        if self.max_connections < self.min_connections:
            raise ValueError("max_connections must be >= min_connections")
        return self

    @property
    def uses_embedded(self) -> bool:
        """No URL and none of the split connection fields given: run embedded PostgreSQL."""
        split = {"user", "password", "host", "port", "database"}
        return self.url is None and not (split & self.model_fields_set)

    def composed_url(self) -> str:
        """The URL from the split fields (`STARTER__DATABASE__HOST`, `…__PORT`, …), the way v1
        deployments configure the database."""
        user = quote(self.user, safe="")
        password = quote(self.password.get_secret_value(), safe="")
        return f"postgresql://{user}:{password}@{self.host}:{self.port}/{self.database}"


class AuthSettings(BaseModel):
    session_duration_hours: float = Field(default=24, gt=0)
    cleanup_interval_secs: float = Field(default=3600, gt=0)
    refresh_extend_hours: float = Field(default=24, gt=0)
    refresh_min_interval_minutes: float = Field(default=5, ge=0)
    idle_session_days: int = Field(default=30, ge=1)
    activity_write_interval_secs: float = Field(default=60, ge=0)
    login_max_failures_per_account: int = Field(default=10, ge=1)
    login_max_failures_per_address: int = Field(default=50, ge=1)
    login_failure_window_secs: int = Field(default=900, ge=1)
    cookie_secure: bool = False
    # Authenticated principals kept per process (auth/principal_cache.py); 0 turns it off.
    principal_cache_secs: float = Field(default=30, ge=0)
    principal_cache_entries: int = Field(default=10_000, ge=1)
    # Account recovery and verification (docs/accounts.md).
    password_reset_token_minutes: float = Field(default=60, gt=0)
    email_verification_token_hours: float = Field(default=24, gt=0)
    allow_unverified_login: bool = True
    # Forgot-password and resend-verification requests per window (login_failure_window_secs).
    recovery_max_requests_per_account: int = Field(default=5, ge=1)
    recovery_max_requests_per_address: int = Field(default=20, ge=1)
    # Forgot-password answers take at least this long, known address or not.
    recovery_min_answer_secs: float = Field(default=0.25, ge=0)


class WorkerSettings(BaseModel):
    concurrency: int = Field(default=4, ge=1)
    poll_interval_secs: float = Field(default=5, gt=0)
    max_retries: int = Field(default=3, ge=0)
    retry_backoff_base_secs: float = Field(default=2, ge=0)
    # Leases: a running task belongs to its worker until `lease_secs` after the last heartbeat.
    lease_secs: float = Field(default=30, gt=0)
    heartbeat_interval_secs: float = Field(default=5, gt=0)
    shutdown_grace_secs: float = Field(default=30, ge=0)
    reaper_interval_secs: float = Field(default=10, gt=0)
    # Worker rows without a heartbeat for this long are deleted.
    prune_dead_workers_after_secs: float = Field(default=600, gt=0)
    scheduler_tick_secs: float = Field(default=1, gt=0)
    breaker_failure_threshold: int = Field(default=5, ge=1)
    breaker_success_threshold: int = Field(default=3, ge=1)
    breaker_open_secs: float = Field(default=60, ge=0)
    # Where the worker publishes its health for `starter health-check --worker` (one file per
    # worker process on a host); None: not published.
    health_file: Path | None = Path(".starter/worker-health.json")


class EmailSettings(BaseModel):
    """SMTP delivery for the `email` task; without `smtp_host`, `.eml` files go to the outbox."""

    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_use_tls: bool = False  # STARTTLS; implicit TLS when smtp_port is 465
    smtp_timeout_secs: float = Field(default=30, gt=0)
    from_address: str = "noreply@example.com"
    outbox_dir: Path = Path(".starter/outbox")
    # Named in account emails; links in them point at `public_url` (the web app's origin),
    # by default this server's own address.
    product_name: str = Field(default="starter", min_length=1, max_length=100)
    public_url: str | None = None


class WebhookSettings(BaseModel):
    allow_private: bool = False
    timeout_secs: float = Field(default=10, gt=0)
    max_response_bytes: int = Field(default=1024 * 1024, ge=1)
    max_redirects: int = Field(default=5, ge=0)
    # Hosts (as written in the URL) exempt from the private-address check, e.g. "hooks.internal".
    allowed_private_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("allowed_private_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [host.strip().lower() for host in value.split(",") if host.strip()]
        return value


class FilesSettings(BaseModel):
    """The only directory tree `file_cleanup` may touch."""

    root: Path = Path(".starter/files")


class TasksSettings(BaseModel):
    # True makes POST /tasks/types public, for v1 clients that register types anonymously
    # (docs/tasks.md).
    open_type_registration: bool = False


class MonitoringSettings(BaseModel):
    alert_interval_secs: float = Field(default=30, gt=0)
    retention_days: int = Field(default=30, ge=1)
    stream_heartbeat_secs: float = Field(default=15, gt=0)
    stream_queue_size: int = Field(default=100, ge=1)
    # What a reconnecting stream client can catch up on (Last-Event-ID): messages and seconds.
    stream_replay_size: int = Field(default=1000, ge=0)
    stream_replay_secs: float = Field(default=300, ge=0)
    # Per-route request counters and latency histograms (prometheus_client).
    http_metrics: bool = True
    # The platform's own figures (queue, HTTP, pool) sampled into the metrics store; 0 = off.
    platform_metrics_secs: float = Field(default=60, ge=0)
    # False: the event ingest endpoints commit without waiting for the WAL flush
    # (docs/monitoring.md, "Ingest durability"); everything else stays durable.
    ingest_synchronous_commit: bool = True


class Settings(BaseSettings):
    """Every knob of the platform. Build with `load_settings()` to get one-line errors."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        case_sensitive=False,
    )

    server: ServerSettings = Field(default_factory=ServerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    files: FilesSettings = Field(default_factory=FilesSettings)
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
    tasks: TasksSettings = Field(default_factory=TasksSettings)
    initial_admin_password: SecretStr | None = None
    environment: str = "development"
    log_level: str = "info"
    log_json: bool | None = None


class ConfigError(Exception):
    """Invalid configuration; `str()` is one line naming the variable."""


def describe_validation_error(error: ValidationError) -> str:
    first = error.errors()[0]
    variable = ENV_PREFIX + "__".join(str(part).upper() for part in first["loc"] if part != "")
    return f"invalid configuration: {variable}: {first['msg']}"


def known_variables() -> list[str]:
    """Every `STARTER__…` name a setting answers to: the sections and each of their fields."""
    names: list[str] = []
    for name, field in Settings.model_fields.items():
        names.append(ENV_PREFIX + name.upper())
        section = field.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            names += [
                f"{ENV_PREFIX}{name.upper()}__{leaf.upper()}" for leaf in section.model_fields
            ]
    return names


def unknown_variable_warnings(names: Iterable[str]) -> list[str]:
    """One line per `STARTER__…` name that no setting reads, naming the nearest known one."""
    known = known_variables()
    lines = []
    for name in sorted({name.upper() for name in names if name.upper().startswith(ENV_PREFIX)}):
        if name in known:
            continue
        nearest = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"; did you mean {nearest[0]}?" if nearest else " (no setting has a similar name)"
        lines.append(f"warning: {name} is not a setting and is ignored{hint}")
    return lines


def environment_names(environ: Mapping[str, str] | None = None) -> list[str]:
    """Names from the process environment and `.env`, which is where settings are read from."""
    from dotenv import dotenv_values

    names = list(os.environ if environ is None else environ)
    env_file = Path(".env")
    if env_file.is_file():
        names += list(dotenv_values(env_file))
    return names


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment; raise ConfigError with a one-line message."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error)) from None
