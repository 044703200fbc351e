"""The change journal: a (:SyncRun) per cycle that changed something, with its (:Change)s."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from okrsync.graph import History
from okrsync.history import journal
from okrsync.steps import StepContext
from okrsync.transform import iso

log = structlog.get_logger("okrsync.steps")


class ChangeJournal:
    name = "journal"

    def __init__(self, history: History, retention_days: int, now: Callable[[], datetime]) -> None:
        self.history = history
        self.retention_days = retention_days
        self.now = now

    def run(self, ctx: StepContext) -> dict[str, int]:
        if ctx.plan.empty:
            return {"changes": 0, "pruned": 0}  # a quiet cycle writes nothing at all
        finished = self.now()
        run, changes = journal(ctx.plan, ctx.cycle_id, ctx.started_at, finished, ctx.per_field)
        if ctx.writer:
            run["writer"] = ctx.writer
        self.history.write_journal(run, changes)
        # Pruning only in cycles that changed something, for the same reason.
        cutoff = iso(finished - timedelta(days=self.retention_days)) or ""
        pruned = self.history.prune_journal(cutoff)
        if pruned:
            log.info("journal.pruned", nodes=pruned, before=cutoff)
        return {"changes": len(changes), "pruned": pruned}
