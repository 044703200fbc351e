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
from okrsync.schema import ENTITY_LABELS, USER
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
    An id delivered twice in one pull is written once, as its first (newest) delivery.
    The caller saves the returned cursor once its own follow-up writes are done, so a failure
    before that repeats the pull."""
    cursor = CheckinCursor() if every else store.load_cursor(feed)
    rows: list[dict[str, Any]] = []
    seen: list[tuple[str, int]] = []
    delivered: set[str] = set()
    pull = FeedPull()
    for item in fetch(cursor.later_than()):
        row = row_of(item)
        if row is None:
            continue
        seen.append((str(row["id"]), created_ms(item)))
        if row["id"] in cursor.recent_ids or row["id"] in delivered:
            continue  # delivered again, by the overlap window or by the feed: written once
        delivered.add(row["id"])
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


# A reconcile's re-read deletes the check-ins the feed no longer serves, unless that is more
# than this share of them: an empty or cut-short answer looks like that.
MAX_CHECKIN_DELETE_FRACTION = 0.5


class CheckinFeed(_Feed):
    """Check-ins as (:Update) nodes; each touched entity's PREVIOUS chain redone.

    A check-in hangs from its objective or key result whenever both exist: one whose OKR is
    not in the graph yet waits unlinked and is linked when the OKR appears (created, or
    restored after a deletion). A reconcile (`every`) re-reads the whole feed, as it does
    comments: edits are written and check-ins the feed no longer serves are deleted."""

    name = "checkins"

    def run(self, ctx: StepContext) -> dict[str, int]:
        before = {r["id"]: r for r in self.history.read_checkins()} if ctx.every else {}
        seen: dict[str, tuple[str, str]] = {}

        def note(row: dict[str, Any]) -> None:
            seen[str(row["id"])] = (str(row["entityId"]), row["props"]["created"])

        pull = pull_feed(
            self.store,
            "checkins",
            lambda later: self.client.iter_updates(later_than_ms=later),
            update_row,
            self._writer(ctx.every, before),
            self.batch_size,
            every=ctx.every,
            each=note,
        )
        touched = {
            entity
            for cid, (entity, created) in seen.items()
            if cid not in before
            or (before[cid]["entityId"], before[cid]["created"]) != (entity, created)
        }
        removed = self._removed(before, seen, pull.stats) if ctx.every else []
        touched.update(before[cid]["entityId"] for cid in removed)
        appeared = {c.id for c in ctx.plan.of_kind("created") if c.label in ENTITY_LABELS}
        appeared.update(r["entityId"] for r in before.values() if not r["linked"])
        if appeared:
            self.history.link_checkins(sorted(appeared), pull.stats)
        if touched:
            self.history.chain_checkins(sorted(touched), pull.stats)
        if pull.cursor is not None:
            self.store.save_cursor(pull.cursor, "checkins")
        if pull.written or removed:
            log.info(
                "checkins.written", count=pull.written, deleted=len(removed), entities=len(touched)
            )
        return {"written": pull.written, "deleted": len(removed)}

    def _writer(
        self, every: bool, before: dict[str, dict[str, Any]]
    ) -> Callable[[list[dict[str, Any]]], WriteStats]:
        """MERGE, unless the whole feed is about to be read into a graph holding none of the
        organisation's check-ins (a first load's pull: 220k of them at 100k entities): then
        CREATE, as pull_feed writes each id once. Asked only when the cursor is new, so a
        quiet cycle sends no statement."""
        whole = every or self.store.load_cursor("checkins").newest_ms is None
        if not whole or before or self.history.holds_checkins():
            return self.history.write_checkins
        return self.history.create_checkins

    def _removed(
        self, before: dict[str, dict[str, Any]], seen: dict[str, Any], stats: WriteStats
    ) -> list[str]:
        """Delete the check-ins a whole re-read of the feed no longer served."""
        gone = sorted(before.keys() - seen.keys())
        if gone and len(gone) > MAX_CHECKIN_DELETE_FRACTION * len(before):
            log.warning(
                "checkins.mass_delete_refused",
                would_delete=len(gone),
                held=len(before),
                note="the feed served far fewer check-ins than the graph holds; nothing deleted",
            )
            return []
        if gone:
            self.history.delete_checkins(gone, stats)
        return gone


class CommentFeed(_Feed):
    """New comments on check-ins, threads linked once all are written.

    A reconcile (`every`) re-reads the whole feed: an edit keeps a comment's `created`, so the
    laterThan cursor alone would never see it."""

    name = "comments"

    def run(self, ctx: StepContext) -> dict[str, int]:
        replies: list[dict[str, Any]] = []

        authors: set[str] = set()

        def note_reply(row: dict[str, Any]) -> None:
            if row["props"].get("authorAccountId"):
                authors.add(row["props"]["authorAccountId"])
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
        authors.update(c.id for c in ctx.plan.of_kind("created", USER))
        if authors:
            self.history.link_authors(sorted(authors), pull.stats)
        if pull.cursor is not None:
            self.store.save_cursor(pull.cursor, "comments")
        if pull.written:
            log.info("comments.written", count=pull.written, replies=len(replies))
        return {"written": pull.written}
