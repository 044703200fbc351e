"""Jira's own fields (key, summary, status, ...) on the Issue nodes key results track."""

from __future__ import annotations

import structlog

from okrsync.errors import OkrsyncError
from okrsync.graph import History
from okrsync.jira import JiraClient
from okrsync.steps import StepContext

log = structlog.get_logger("okrsync.steps")


class JiraEnrichment:
    """New Issue nodes every cycle, all of them on a reconcile. Whatever goes wrong here (Jira
    unreachable, an answer or an id of a shape nobody expected) is a warning: the mirror is
    complete without Jira's fields, and the next cycle asks again."""

    name = "jira"

    def __init__(self, jira: JiraClient, history: History) -> None:
        self.jira = jira
        self.history = history

    def run(self, ctx: StepContext) -> dict[str, int]:
        try:
            return self._enrich(ctx)
        except Exception as exc:
            log.warning(
                "jira.enrichment_failed",
                error=str(exc) or type(exc).__name__,
                note="the mirror stands; the next cycle tries again",
                exc_info=not isinstance(exc, OkrsyncError),
            )
            return {"enriched": 0}

    def _enrich(self, ctx: StepContext) -> dict[str, int]:
        ids = self.history.issues_to_enrich(ctx.every)
        if not ids:
            return {"enriched": 0}
        rows = list(self.jira.issues(ids))
        if rows:
            self.history.enrich_issues(rows)
        log.info("jira.enriched", issues=len(rows), asked=len(ids))
        return {"enriched": len(rows)}
