"""Jira's own fields (key, summary, status, ...) on the Issue nodes key results track."""

from __future__ import annotations

import structlog

from okrsync.errors import ApiError
from okrsync.graph import History
from okrsync.jira import JiraClient
from okrsync.steps import StepContext

log = structlog.get_logger("okrsync.steps")


class JiraEnrichment:
    """New Issue nodes every cycle, all of them on a reconcile. Jira being unreachable is a
    warning: the mirror is complete without its fields."""

    name = "jira"

    def __init__(self, jira: JiraClient, history: History) -> None:
        self.jira = jira
        self.history = history

    def run(self, ctx: StepContext) -> dict[str, int]:
        ids = self.history.issues_to_enrich(ctx.every)
        if not ids:
            return {"enriched": 0}
        try:
            rows = list(self.jira.issues(ids))
        except ApiError as exc:
            log.warning("jira.enrichment_failed", error=str(exc), issues=len(ids))
            return {"enriched": 0}
        if rows:
            self.history.enrich_issues(rows)
        log.info("jira.enriched", issues=len(rows), asked=len(ids))
        return {"enriched": len(rows)}
