"""The check-in and comment feeds: newest-first, cursor-paged, read past where they were left."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog

from okrsync.api import OkrApiClient
from okrsync.graph import History, WriteStats
from okrsync.history import CheckinCursor, comment_row, created_ms, update_row
from okrsync.models import Comment, Update
from okrsync.state import StateStore
from okrsync.steps import StepContext

log = structlog.get_logger("okrsync.steps")


@dataclass
class FeedPull:
    """What one pull wrote, and where the feed's cursor goes once the caller is done."""

    written: int = 0
    stats: WriteStats = field(default_factory=WriteStats)
    cursor: CheckinCursor | None = None


def pull_feed(
    store: StateStore,
    feed: str,
    fetch: Callable[[int | None], Iterable[Update | Comment]],
    row_of: Callable[[Any], dict[str, Any] | None],
    write: Callable[[list[dict[str, Any]]], WriteStats],
    batch_size: int,
    *,
    every: bool = False,
    each: Callable[[dict[str, Any]], None] = lambda row: None,
) -> FeedPull:
    """A newest-first feed read past its cursor (all of it with `every`), written in batches.
    The caller saves the returned cursor once its own follow-up writes are done, so a failure
    before that repeats the pull."""
    cursor = CheckinCursor() if every else store.load_cursor(feed)
    rows: list[dict[str, Any]] = []
    seen: list[tuple[str, int]] = []
    pull = FeedPull()
    for item in fetch(cursor.later_than()):
        row = row_of(item)
        if row is None:
            continue
        seen.append((str(row["id"]), created_ms(item)))
        if row["id"] in cursor.recent_ids:
            continue  # delivered again by the overlap window: already written
        rows.append(row)
        each(row)
        if len(rows) >= batch_size:
            pull.stats.merge(write(rows))
            pull.written += len(rows)
            rows = []
    if rows:
        pull.stats.merge(write(rows))
        pull.written += len(rows)
    pull.cursor = cursor.advance(seen) if seen else None
    return pull


class _Feed:
    """What both feed steps are built from."""

    def __init__(
        self, client: OkrApiClient, history: History, store: StateStore, batch_size: int
    ) -> None:
        self.client = client
        self.history = history
        self.store = store
        self.batch_size = batch_size


class CheckinFeed(_Feed):
    """New check-ins as (:Update) nodes; each touched entity's PREVIOUS chain redone."""

    name = "checkins"

    def run(self, ctx: StepContext) -> dict[str, int]:
        touched: set[str] = set()
        pull = pull_feed(
            self.store,
            "checkins",
            lambda later: self.client.iter_updates(later_than_ms=later),
            update_row,
            self.history.write_checkins,
            self.batch_size,
            each=lambda row: touched.add(str(row["entityId"])),
        )
        if touched:
            self.history.chain_checkins(sorted(touched), pull.stats)
        if pull.cursor is not None:
            self.store.save_cursor(pull.cursor, "checkins")
        if pull.written:
            log.info("checkins.written", count=pull.written, entities=len(touched))
        return {"written": pull.written}


class CommentFeed(_Feed):
    """New comments on check-ins, threads linked once all are written.

    A reconcile (`every`) re-reads the whole feed: an edit keeps a comment's `created`, so the
    laterThan cursor alone would never see it."""

    name = "comments"

    def run(self, ctx: StepContext) -> dict[str, int]:
        replies: list[dict[str, Any]] = []

        def note_reply(row: dict[str, Any]) -> None:
            if row["replyTo"]:
                replies.append({"id": row["id"], "replyTo": row["replyTo"]})

        pull = pull_feed(
            self.store,
            "comments",
            lambda later: self.client.iter_comments(later_than_ms=later),
            comment_row,
            self.history.write_comments,
            self.batch_size,
            every=ctx.every,
            each=note_reply,
        )
        if replies:  # a reply comes before the comment it answers: link after all are written
            self.history.link_replies(replies, pull.stats)
        if pull.cursor is not None:
            self.store.save_cursor(pull.cursor, "comments")
        if pull.written:
            log.info("comments.written", count=pull.written, replies=len(replies))
        return {"written": pull.written}
