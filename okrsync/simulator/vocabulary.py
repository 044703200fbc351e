"""What a generated org is made of: names, units, colours, comment texts, and its epoch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

UNITS = (
    None,
    {"name": "Currency", "symbol": "$"},
    {"name": "Percent", "symbol": "%"},
    {"name": "Number", "symbol": None},
    {"name": "Deals", "symbol": "deals"},
)
VERBS = (
    "Increase",
    "Reduce",
    "Launch",
    "Improve",
    "Grow",
    "Ship",
    "Automate",
    "Simplify",
    "Modernise",
    "Win",
    "Delight",
    "Harden",
)
THINGS = (
    "revenue",
    "churn",
    "onboarding",
    "platform reliability",
    "NPS",
    "test coverage",
    "the mobile app",
    "enterprise deals",
    "hiring pipeline",
    "cloud costs",
    "search",
    "documentation",
    "support response time",
    "partner network",
    "data quality",
)
TEAM_NAMES = (
    "Platform",
    "Growth",
    "Payments",
    "Mobile",
    "Data",
    "Security",
    "Sales",
    "Marketing",
    "Support",
    "Design",
    "Infra",
    "Search",
    "Identity",
    "Billing",
)
LABEL_NAMES = (
    "Research",
    "High Priority",
    "Customer",
    "Tech Debt",
    "Compliance",
    "Q-Goal",
    "Stretch",
    "Company",
    "Experiment",
    "Cost",
)
TYPE_NAMES = (
    ("Company OKR", "#4C9AFF", "#FFFFFF"),
    ("Team OKR", "#36B37E", "#FFFFFF"),
    ("Personal OKR", "#FFAB00", "#172B4D"),
)
SITE = "https://example.atlassian.net/jira/apps/okr"
COMMENTS = ("Nice progress", "What is blocking this?", "Moved to next sprint", "See the Jira epic")
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
# The custom field definitions every org serves under expand=CUSTOM_FIELDS.
CUSTOM_FIELD_DEFS: list[dict[str, Any]] = [
    {
        "id": "cf-budget",
        "name": "Budget",
        "type": "NUMBER",
        "applicableGoalTypes": ["OBJECTIVE", "KEY_RESULT"],
        "displayOrder": 1,
    },
    {
        "id": "cf-risk",
        "name": "Risk",
        "type": "SELECT",
        "applicableGoalTypes": ["OBJECTIVE"],
        "selectOptions": ["low", "medium", "high"],
        "displayOrder": 2,
    },
]
