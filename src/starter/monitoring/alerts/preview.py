"""POST /monitoring/alerts/preview: a rule's current value, and whether it would fire, before
the alert is saved. Nothing is stored and nothing is announced.

The `tasks` rules count through the tasks domain, which sits above monitoring: the API layer
builds this router with that counter (`preview_router(count_in_status)`).
"""

from __future__ import annotations

import asyncpg
from fastapi import APIRouter
from pydantic import Field

from starter.auth.deps import Moderator
from starter.core.deps import Conn
from starter.core.envelope import ApiResponse, RequestModel, ResponseModel, ok
from starter.core.errors import ValidationFailed
from starter.core.routing import api_router
from starter.monitoring.alerts import evaluation_repository
from starter.monitoring.alerts.evaluation import TaskCounter, rule_value
from starter.monitoring.alerts.rules import RuleSyntaxError, parse_rule
from starter.monitoring.alerts.schemas import RuleText


class PreviewRequest(RequestModel):
    query: RuleText = Field(examples=["events level=error count over 5m > 10"])
    threshold_value: float | None = Field(
        default=None, description="Compared with `>` unless the query ends with a comparison."
    )


class PreviewResponse(ResponseModel):
    value: float | None = Field(description="The rule's value now; null when its window is empty.")
    would_fire: bool = Field(description="Whether the value breaches the comparison now.")


async def preview(conn: Conn, body: PreviewRequest, count_tasks: TaskCounter) -> PreviewResponse:
    try:
        rule = parse_rule(body.query)
    except RuleSyntaxError as error:
        raise ValidationFailed("query", error.message) from None
    comparison = rule.effective_comparison(body.threshold_value)
    if comparison is None:
        raise ValidationFailed(
            "threshold_value", "required unless the query ends with a comparison"
        )
    now = await evaluation_repository.database_now(conn)
    try:
        async with conn.transaction():
            value = await rule_value(conn, rule, now, count_tasks)
    except asyncpg.DataError as error:  # e.g. a sum of huge samples overflows
        raise ValidationFailed("query", f"cannot compute the rule's value: {error}") from None
    return PreviewResponse(value=value, would_fire=value is not None and comparison.holds(value))


def preview_router(count_tasks: TaskCounter) -> APIRouter:
    router = api_router(tags=["Monitoring"])

    @router.post(
        "/monitoring/alerts/preview",
        summary="Preview an alert rule (moderator+)",
        description="The rule's current value and whether it would fire now, computed as the "
        "evaluator does; nothing is saved. A rule that does not parse is a 400 naming the "
        "problem, like creating the alert.",
    )
    async def preview_alert_rule(
        _principal: Moderator, body: PreviewRequest, conn: Conn
    ) -> ApiResponse[PreviewResponse]:
        return ok(await preview(conn, body, count_tasks))

    return router
