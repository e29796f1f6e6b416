"""Health probe bodies (the v1 API's shapes)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from starter.core.envelope import Timestamp


class ComponentHealth(BaseModel):
    status: Literal["healthy", "unhealthy"]
    message: str
    details: dict[str, Any] | None = None


class DocumentationLinks(BaseModel):
    openapi_json: str = "/api-docs/openapi.json"
    api_docs: str = "/api-docs"


class HealthResponse(BaseModel):
    status: str
    version: str
    uptime: float
    documentation: DocumentationLinks


class DetailedHealthResponse(BaseModel):
    status: str
    timestamp: Timestamp
    checks: dict[str, ComponentHealth]


class LivenessResponse(BaseModel):
    status: str
    timestamp: Timestamp
    probe: str


class ProbeResponse(LivenessResponse):
    checks: dict[str, ComponentHealth]
