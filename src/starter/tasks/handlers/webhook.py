"""`webhook`: perform the HTTP request, with a timeout, a response size cap, and redirects
followed by hand so that every hop's address is checked (no requests to private networks
unless `STARTER__WEBHOOK__ALLOW_PRIVATE=true`)."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import orjson
from pydantic import BeforeValidator, ConfigDict, Field

from starter.core.config import WebhookSettings
from starter.tasks.errors import PermanentError, RetryableError
from starter.tasks.handlers._netguard import public_address
from starter.tasks.handlers._payload import TaskPayload, invalid, parse_payload
from starter.tasks.handlers.base import HandlerSpec, TaskContext

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
REDIRECTS = (301, 302, 303, 307, 308)
EXCERPT_BYTES = 1024
_RESERVED_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_RETRYABLE_4XX = {408, 429}  # request timeout, too many requests: transient by definition


@dataclass
class Hop:
    status_code: int
    location: str | None
    body: bytes
    truncated: bool


def _headers(raw: Any) -> Any:
    raw = raw or {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise invalid("'headers' must be an object of strings")
    for name, value in raw.items():
        if not _TOKEN.match(name) or any(ch in value for ch in "\r\n\0"):
            raise invalid(f"Invalid header: {name!r}")
        if name.lower() in _RESERVED_HEADERS:
            raise invalid(f"Header '{name}' cannot be set")
    return raw


def _http_url(value: Any) -> Any:
    if isinstance(value, str):
        try:
            _parse_url(value)
        except PermanentError as error:
            raise invalid(str(error)) from None
    return value


def _method(value: Any) -> Any:
    if isinstance(value, str):
        if value.upper() not in METHODS:
            raise invalid(f"Unsupported HTTP method: {value.upper()}")
        return value.upper()
    return value


class WebhookPayload(TaskPayload):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://example.com/hooks/starter",
                    "method": "POST",
                    "payload": {"event": "ping"},
                    "headers": {},
                }
            ]
        }
    )

    url: Annotated[str, BeforeValidator(_http_url)] = Field(
        max_length=8192, description="http or https.", examples=["https://example.com/hook"]
    )
    method: Annotated[str, BeforeValidator(_method)] = Field(
        default="POST", max_length=16, description="GET, POST, PUT, PATCH or DELETE (any case)."
    )
    headers: Annotated[dict[str, str], BeforeValidator(_headers)] = Field(default_factory=dict)
    payload: Any = Field(default_factory=dict, description="The JSON body (POST, PUT, PATCH).")


def _parse_url(raw: str) -> httpx.URL:
    try:
        url = httpx.URL(raw)
    except httpx.InvalidURL as error:
        raise PermanentError(f"Invalid URL: {error}") from None
    if url.scheme not in ("http", "https"):
        raise PermanentError(f"Unsupported URL scheme: '{url.scheme}' (use http or https)")
    if not url.host:
        raise PermanentError(f"Invalid URL: '{raw}' has no host")
    return url


async def _target(url: httpx.URL, settings: WebhookSettings) -> tuple[httpx.URL, dict[str, Any]]:
    """Where to connect: the URL itself, or (when guarding) the checked address pinned in,
    so a second DNS answer cannot point the connection somewhere else."""
    host = url.raw_host.decode("ascii")
    allowed = {name.lower() for name in settings.allowed_private_hosts}
    if settings.allow_private or url.host in allowed:
        return url, {}
    port = url.port or (443 if url.scheme == "https" else 80)
    address = await public_address(host, port)
    extensions: dict[str, Any] = {"sni_hostname": host} if url.scheme == "https" else {}
    return url.copy_with(host=str(address)), extensions


async def _hop(
    client: httpx.AsyncClient,
    method: str,
    url: httpx.URL,
    headers: dict[str, str],
    body: bytes | None,
    settings: WebhookSettings,
) -> Hop:
    target, extensions = await _target(url, settings)
    request = client.build_request(
        method,
        target,
        headers={**headers, "Host": url.netloc.decode("ascii")},
        content=body,
        extensions=extensions,
    )
    limit = settings.max_response_bytes
    async with asyncio.timeout(settings.timeout_secs):
        response = await client.send(request, stream=True)
        try:
            chunks = bytearray()
            truncated = False
            if response.status_code not in REDIRECTS:
                async for chunk in response.aiter_bytes():
                    chunks += chunk
                    if len(chunks) > limit:
                        del chunks[limit:]
                        truncated = True
                        break
        finally:
            await response.aclose()
    return Hop(response.status_code, response.headers.get("location"), bytes(chunks), truncated)


async def _request(
    method: str,
    url: httpx.URL,
    headers: dict[str, str],
    body: bytes | None,
    settings: WebhookSettings,
) -> tuple[Hop, httpx.URL]:
    async with httpx.AsyncClient(
        timeout=settings.timeout_secs, follow_redirects=False, trust_env=False
    ) as client:
        for _ in range(settings.max_redirects + 1):
            hop = await _hop(client, method, url, headers, body, settings)
            if hop.status_code not in REDIRECTS:
                return hop, url
            if not hop.location:
                raise PermanentError(
                    f"Webhook endpoint returned {hop.status_code} without Location"
                )
            following = _parse_url(str(url.join(hop.location)))
            if (following.scheme, following.host, following.port) != (
                url.scheme,
                url.host,
                url.port,
            ):
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            if hop.status_code == 303 or (hop.status_code in (301, 302) and method == "POST"):
                method, body = "GET", None
                headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            url = following
    raise PermanentError(f"Too many redirects (more than {settings.max_redirects})")


async def handle(ctx: TaskContext) -> dict[str, Any]:
    payload = parse_payload(WebhookPayload, ctx.payload)
    url = _parse_url(payload.url)
    method = payload.method
    headers = {"User-Agent": "starter-webhook/1", **payload.headers}
    body: bytes | None = None
    if method in ("POST", "PUT", "PATCH"):
        body = orjson.dumps(payload.payload)
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"
    settings = ctx.settings.webhook
    started = time.monotonic()
    try:
        hop, final_url = await _request(method, url, headers, body, settings)
    except TimeoutError:
        raise RetryableError(
            f"Webhook request timed out after {settings.timeout_secs:g}s"
        ) from None
    except httpx.TimeoutException:
        raise RetryableError(
            f"Webhook request timed out after {settings.timeout_secs:g}s"
        ) from None
    except httpx.RequestError as error:
        raise RetryableError(
            f"Webhook request failed: {str(error) or type(error).__name__}"
        ) from None
    status = hop.status_code
    if status >= 500 or status in _RETRYABLE_4XX:
        raise RetryableError(f"Webhook endpoint returned {status}")
    if status >= 400:
        raise PermanentError(f"Webhook endpoint returned {status}")
    return {
        "status_code": status,
        "url": str(final_url),
        "elapsed_ms": round((time.monotonic() - started) * 1000),
        "response_bytes": len(hop.body),
        "truncated": hop.truncated,
        "response_excerpt": hop.body[:EXCERPT_BYTES].decode("utf-8", errors="replace"),
    }


SPEC = HandlerSpec(
    task_type="webhook",
    description="Webhook notification tasks",
    handle=handle,
    payload_model=WebhookPayload,
)
