"""Optional enrichment: Jira's own data for the (:Issue) nodes key results track.

With a Jira Cloud site, e-mail and API token configured, issue ids are looked up through Jira's
REST search in batches, sequentially, retried like the OKR client. Without them nothing happens.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

import httpx
import structlog

from okrsync import __version__
from okrsync.api import (
    AnswerLimits,
    RetryPolicy,
    Secret,
    call_with_retries,
    get_json_once,
    resolve_base_url,
)
from okrsync.errors import MalformedPayload

log = structlog.get_logger("okrsync.jira")

SEARCH = "/rest/api/3/search/jql"
FIELDS = "summary,status,issuetype,assignee"
BATCH = 100


class JiraClient:
    def __init__(
        self,
        site: str,
        email: str,
        token: Secret,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        limits: AnswerLimits | None = None,
    ) -> None:
        self.site = resolve_base_url(site)
        self.retry = retry or RetryPolicy()
        self.limits = limits or AnswerLimits()
        self._sleep = sleep
        self._rng = random.Random()
        self._http = httpx.Client(
            base_url=self.site,
            auth=(email, token.reveal()),
            headers={"Accept": "application/json", "User-Agent": f"okrsync/{__version__}"},
            timeout=min(timeout, self.limits.deadline),
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"JiraClient(site={self.site!r})"

    def close(self) -> None:
        self._http.close()

    def _search_once(self, ids: Sequence[str]) -> Any:
        params: dict[str, str | int] = {
            "jql": f"id in ({','.join(ids)})",
            "fields": FIELDS,
            "maxResults": len(ids),
        }
        return get_json_once(self._http, SEARCH, params, "Jira", limits=self.limits)

    def issues(self, ids: Sequence[str]) -> Iterator[dict[str, Any]]:
        """(:Issue) property rows for these ids; ids Jira does not know are left out."""
        # JQL ids are ASCII decimal numbers: str.isdigit() also accepts '²', which int() refuses.
        numeric = sorted({i for i in ids if i.isascii() and i.isdigit()}, key=int)

        def note(kind: str, attempt: int, delay: float) -> None:
            log.warning("jira.retry", error=kind, attempt=attempt, delay=round(delay, 3))

        for start in range(0, len(numeric), BATCH):
            chunk = numeric[start : start + BATCH]
            data = call_with_retries(
                partial(self._search_once, chunk), self.retry, self._rng, self._sleep, note
            )
            if not isinstance(data, dict) or not isinstance(data.get("issues"), list):
                raise MalformedPayload("Jira's search answer has no issues list")
            for issue in data["issues"]:
                row = issue_row(issue, self.site)
                if row is not None:
                    yield row


def issue_row(issue: Any, site: str) -> dict[str, Any] | None:
    if not isinstance(issue, dict) or not issue.get("id"):
        return None
    raw_fields = issue.get("fields")
    fields: dict[str, Any] = raw_fields if isinstance(raw_fields, dict) else {}
    key = issue.get("key")

    def name(field: str, attr: str) -> Any:
        value = fields.get(field)
        return value.get(attr) if isinstance(value, dict) else None

    props = {
        "key": key,
        "summary": fields.get("summary"),
        "status": name("status", "name"),
        "issueType": name("issuetype", "name"),
        "assignee": name("assignee", "displayName"),
        "url": f"{site}/browse/{key}" if key else None,
    }
    return {"id": str(issue["id"]), "props": {k: v for k, v in props.items() if v is not None}}
