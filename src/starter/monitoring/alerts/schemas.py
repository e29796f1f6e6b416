"""Alert request and response bodies (field names are the v1 API's)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from starter.core.envelope import CheckedByService, RequestModel, ResponseModel, Timestamp
from starter.monitoring.alerts.rules.lexer import MAX_RULE_LENGTH
from starter.monitoring.incidents.schemas import LongText, Severity, Title

AlertStatus = Literal["active", "resolved", "silenced"]
# The rule language's own limit, checked (with its message) by the lexer.
RuleText = Annotated[str, CheckedByService(max_length=MAX_RULE_LENGTH)]


class CreateAlertRequest(RequestModel):
    name: Title = Field(examples=["High CPU"])
    description: LongText | None = None
    query: RuleText = Field(
        examples=["metric cpu_usage avg over 5m > 90"],
        description="A rule: `metric <name> <agg> over <N><s|m|h> [where k=v,…]`, "
        "`events [event_type=…] [level=…] [source=…] count over <N><s|m|h>` or "
        "`tasks <status> count [older than <N><m|h>]`, optionally ending with "
        "`< | <= | > | >= | == <number>`; or the plain `<metric_name> <op> <number>` "
        "(e.g. `cpu_usage > 80`), the metric's latest value.",
    )
    threshold_value: float | None = Field(
        default=None, description="Compared with `>` unless the query ends with a comparison."
    )
    open_incident: bool = Field(default=False, description="Open an incident when it fires.")
    incident_severity: Severity = "high"


class UpdateAlertRequest(RequestModel):
    name: Title | None = None
    description: LongText | None = None
    query: RuleText | None = None
    threshold_value: float | None = None
    status: AlertStatus | None = None
    open_incident: bool | None = None
    incident_severity: Severity | None = None


class Alert(ResponseModel):
    id: UUID
    name: str
    description: str | None
    query: str
    threshold_value: float | None
    status: AlertStatus
    triggered_at: Timestamp | None
    resolved_at: Timestamp | None
    created_by: UUID | None
    created_at: Timestamp
    updated_at: Timestamp
    firing: bool
    last_value: float | None
    last_evaluated_at: Timestamp | None
    open_incident: bool
    incident_severity: Severity
    incident_id: UUID | None
