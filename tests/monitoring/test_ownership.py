"""Source and metric-name ownership rules as pure functions (docs/monitoring.md)."""

from __future__ import annotations

import uuid

import pytest

from starter.monitoring.common import may_write_metric, may_write_source
from starter.rbac.roles import Role

ALICE = "alice"
ALICE_ID = uuid.UUID("11111111-1111-4111-8111-111111111111")


@pytest.mark.parametrize(
    ("source", "allowed"),
    [
        ("system-x", False),
        ("health-x", False),
        ("monitoring-x", False),
        ("app-x", True),
        ("web-x", True),
        ("api-x", True),
        ("test-x", True),
        ("db-x", True),
        ("nodash", True),
        ("", True),
        ("system", True),  # no dash: the reserved prefixes include the dash
        ("alice-svc", True),
        ("alice-a-b", True),
        (f"user-{ALICE_ID}-svc", True),
        ("bob-svc", False),
        ("alice2-svc", False),
        ("unknown_user-service", False),
        ("other-user-application", False),
        ("user-00000000-0000-4000-8000-000000000000-svc", False),
    ],
)
def test_event_sources_for_users(source: str, allowed: bool) -> None:
    assert may_write_source(Role.USER, ALICE, ALICE_ID, source) is allowed


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
def test_moderators_write_any_source_and_metric(role: Role) -> None:
    assert may_write_source(role, ALICE, ALICE_ID, "system-core")
    assert may_write_metric(role, ALICE, ALICE_ID, "monitoring_x")


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("system_x", False),
        ("health_x", False),
        ("monitoring_x", False),
        ("cpu_usage", True),
        ("cpu_usage_edge_0", True),
        ("http_requests_total", True),
        ("queue_size_by_type", True),
        ("latencyms", True),  # a plain prefix match, not a word match
        ("alice_x", True),
        ("alice", True),
        (f"user_{ALICE_ID}_x", True),
        ("bob_x", False),
        ("custom", False),
        ("alice-x", False),
    ],
)
def test_metric_names_for_users(name: str, allowed: bool) -> None:
    assert may_write_metric(Role.USER, ALICE, ALICE_ID, name) is allowed
