"""What follows a mirror cycle that committed: the check-in and comment feeds, the change journal,
Jira's fields on Issue nodes. Each step is a small unit with its collaborators given at
construction; `run` returns its own counts for the cycle's summary. A failing step is logged and
named in the summary: it never turns the mirror's success into a failed cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from okrsync.diff import Plan


@dataclass(frozen=True)
class StepContext:
    """What a step knows of the cycle it follows."""

    cycle_id: str
    plan: Plan
    started_at: datetime
    # A reconcile re-reads what incremental cycles only follow (the comment feed, Jira).
    every: bool
    # False for the first mirror of an org: the journal records its counts only.
    per_field: bool
    # Who wrote the cycle (the lease holder), for the journal's SyncRun.
    writer: str | None = None


class Step(Protocol):
    name: str

    def run(self, ctx: StepContext) -> dict[str, int]: ...
