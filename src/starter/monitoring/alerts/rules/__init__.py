"""The alert rule language (docs/monitoring.md): parsed into typed rules, formatted back, never SQL.

    metric <name> <avg|min|max|sum|count|last> over <N><s|m|h> [where k=v,...]
    events [event_type=…] [level=…] [source=…] count over <N><s|m|h>
    tasks <status> count [older than <N><m|h>]

Any rule may end with `< | <= | > | >= | == <number>`, which overrides the alert's threshold.
The plain form `<metric_name> <op> <number>` (e.g. `cpu_usage > 80`) is the metric's latest
value (`metric <name> last over 720h <op> <number>`).

The public names are re-exported here; `lexer` tokenizes, `parser` builds the typed rules of
`types`, `codec` formats them back and rebuilds a stored one.
"""

from starter.monitoring.alerts.rules.codec import format_rule, rule_from_json
from starter.monitoring.alerts.rules.lexer import RuleSyntaxError
from starter.monitoring.alerts.rules.parser import parse_rule
from starter.monitoring.alerts.rules.types import (
    Comparison,
    EventsRule,
    MetricRule,
    Rule,
    TasksRule,
)

__all__ = [
    "Comparison",
    "EventsRule",
    "MetricRule",
    "Rule",
    "RuleSyntaxError",
    "TasksRule",
    "format_rule",
    "parse_rule",
    "rule_from_json",
]
