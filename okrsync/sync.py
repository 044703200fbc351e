"""One sync cycle, the only place the pieces are wired together:

get (api) -> transform -> diff -> guard -> write (graph) -> persist (snapshot) -> log
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import structlog

from okrsync.api import OkrApiClient, Window
from okrsync.diff import NodeChange, Plan, plan_changes
from okrsync.errors import ApiError, MassDeleteRefused
from okrsync.graph import Graph, WriteStats
from okrsync.history import CheckinCursor, comment_row, created_ms, journal, update_row
from okrsync.jira import JiraClient
from okrsync.models import Comment, Update
from okrsync.snapshot import StateIndex, StateStore
from okrsync.source import Record, SourceStream
from okrsync.transform import (
    LABELS,
    REL_TYPES,
    Dangling,
    Fragment,
    GraphState,
    Rel,
    add_fragment,
    as_props,
    canonical,
    fragment,
    iso,
    parent_linked,
    shared_ends,
    shared_props,
)

log = structlog.get_logger("okrsync.sync")

Mode = Literal["incremental", "reconcile"]


@dataclass
class CycleResult:
    plan: Plan
    mode: Mode
    reason: str
    dry_run: bool
    timings: dict[str, float] = field(default_factory=dict)
    stats: WriteStats | None = None
    entities: dict[str, int] = field(default_factory=dict)
    checkins: int = 0
    comments: int = 0
    parsed: int = 0  # records parsed and transformed: those whose fingerprint moved

    def summary(self) -> dict[str, object]:
        stats = self.stats
        return {
            **self.plan.summary(),
            "mode": self.mode,
            "dry_run": self.dry_run,
            "seconds": {k: round(v, 3) for k, v in self.timings.items()},
            # What Neo4j itself reported: the proof that a no-op cycle wrote nothing.
            "statements": stats.statements if stats else 0,
            "writes": {k: v for k, v in stats.counters.items() if v} if stats else {},
            "checkins": self.checkins,
            "comments": self.comments,
            "parsed": self.parsed,
        }


def record_fp(record: Record, objective_ids: Container[str]) -> int:
    """A record's fingerprint with its parent edge folded in (lowest bit): the edge depends on
    whether the parent is in the snapshot, not only on the record's own bytes."""
    linked = parent_linked(record.label, record.id, record.parent, objective_ids)
    return (record.fp & ~1) | int(linked)


class _Cycle:
    """A cycle's clock: fetching and transforming interleave as the source streams."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.timings: dict[str, float] = {"transform": 0.0}
        self.parsed = 0

    def transform(
        self,
        record: Record,
        objective_ids: Container[str],
        warn: Callable[[list[Dangling]], None],
    ) -> Fragment:
        mark = time.monotonic()
        self.parsed += 1
        frag = fragment(record.parse(), objective_ids)
        if frag.dangling:
            warn([frag.dangling])
        self.timings["transform"] += time.monotonic() - mark
        return frag

    def end_fetch(self) -> None:
        spent = time.monotonic() - self.started - self.timings["transform"]
        self.timings["fetch"] = spent
        self.timings["diff"] = 0.0


@dataclass
class _Change:
    """A planned change and how to record it in the state once the graph holds it."""

    plan: Plan
    counts: dict[str, int]
    mirrored: int  # entities the graph held before: the deletion guard's denominator
    persist: Callable[[], None]
    loaded: WriteStats | None = None  # set when the load already wrote the graph


def expected_counts(state: GraphState) -> dict[str, int]:
    counts = {label: state.count(label) for label in LABELS}
    for rel_type in REL_TYPES:
        counts[rel_type] = 0
    for rel in state.rels:
        counts[rel.type] += 1
    return counts


@dataclass
class SyncOptions:
    window: Window = field(default_factory=Window)
    batch_size: int = 5000
    max_delete_fraction: float = 0.5
    checkins: bool = True
    comments: bool = False
    journal: bool = True
    journal_retention_days: int = 180


class Syncer:
    """Holds what lives across cycles: the connections, the state store, warnings already said."""

    def __init__(
        self,
        client: OkrApiClient,
        graph: Graph,
        store: StateStore,
        options: SyncOptions | None = None,
    ) -> None:
        self.client = client
        self.graph = graph
        self.store = store
        self.options = options or SyncOptions()
        self._schema_applied = False
        self._warned: set[tuple[str, str]] = set()
        # Test hook: called before every write batch with the statement's name.
        self.before_batch: Callable[[str], None] | None = None
        # Optional: Jira's fields for Issue nodes.
        self.jira: JiraClient | None = None
        # The clock the change journal stamps runs with (tests set it).
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def run_cycle(
        self, *, dry_run: bool = False, full: bool = False, allow_mass_delete: bool = False
    ) -> CycleResult:
        started = time.monotonic()
        started_at = self.now()
        source = self.client.source(self.options.window)
        source.start()  # the server builds the first answer while the state loads
        index = self.store.load()
        mode, reason, counts = self._choose_mode(index, full)
        if mode != "incremental":
            index = None  # only an incremental cycle reads it: free it (~70 MB at 100k)
        cycle = _Cycle(started)
        if mode == "incremental":
            assert index is not None
            change = self._incremental(source, index, cycle)
        elif not dry_run and not any(counts.values()):
            change = self._load(source, cycle)  # an empty graph: written as it streams
        else:
            change = self._reconcile(source, cycle)
        plan = change.plan
        result = CycleResult(
            plan=plan,
            mode=mode,
            reason=reason,
            dry_run=dry_run,
            timings=cycle.timings,
            entities={label: change.counts.get(label, 0) for label in LABELS},
            parsed=cycle.parsed,
        )
        if change.loaded is None:
            self._guard(plan, change.mirrored, allow_mass_delete)
        if dry_run:
            cycle.timings["total"] = time.monotonic() - started
            log.info("sync.planned", **result.summary(), reason=reason)
            return result

        mark = time.monotonic()
        if change.loaded is not None or not plan.empty or mode == "reconcile":
            self._ensure_schema()
            self.store.mark_pending()
            if change.loaded is None:
                result.stats = self.graph.apply(plan, self.options.batch_size, self.before_batch)
            else:
                result.stats = change.loaded
            if self.options.journal and not plan.empty:
                self._write_journal(plan, started_at, per_field=change.mirrored > 0)
            cycle.timings["write"] = cycle.timings.get("write", 0.0) + time.monotonic() - mark
            mark = time.monotonic()
            # Only after every transaction committed: the state never runs ahead of the graph.
            change.persist()
            self.store.clear_pending()
            cycle.timings["persist"] = time.monotonic() - mark
        else:
            cycle.timings["write"] = 0.0
            change.persist()  # new fingerprints of records whose bytes changed but not their graph
        self._pull_history(result, cycle.timings, every=mode == "reconcile")
        cycle.timings["total"] = time.monotonic() - started
        log_changes(plan)
        log.info("sync.completed", **result.summary(), reason=reason, entities=result.entities)
        return result

    def _ensure_schema(self) -> None:
        if not self._schema_applied:
            self.graph.apply_schema()
            self._schema_applied = True

    # --- the three ways to a plan ----------------------------------------------------------

    def _incremental(self, source: SourceStream, index: StateIndex, cycle: _Cycle) -> _Change:
        """Against the last committed state: only records whose fingerprint moved are parsed,
        and only their stored fragments are read back."""
        remaining = dict(index.fps)
        fresh: list[tuple[Fragment, int]] = []
        for record in source.records():
            key = (record.label, record.id)
            fp = record_fp(record, source.objective_ids)
            if remaining.pop(key, None) == fp:
                continue
            fresh.append((cycle.transform(record, source.objective_ids, self._warn_dangling), fp))
        gone = list(remaining)
        del remaining
        cycle.end_fetch()

        mark = time.monotonic()
        old = self.store.fragments(
            [(f.label, f.id) for f, _ in fresh if (f.label, f.id) in index.fps] + gone
        )
        before, after = GraphState(), GraphState()
        refs = {key: n for key, (_, n) in index.shared.items()}
        for frag in old:
            add_fragment(before, frag)
            for end in shared_ends(frag.rels):
                refs[end] -= 1
        for frag, _ in fresh:
            add_fragment(after, frag)
            for end in shared_ends(frag.rels):
                refs[end] = refs.get(end, 0) + 1
        for (label, node_id), (props, _) in index.shared.items():
            before.nodes[label][node_id] = props
        for (label, node_id), n in refs.items():
            if n > 0:
                after.nodes[label][node_id] = shared_props(label, node_id, source.lookups)
        plan = plan_changes(before, after)
        counts = dict(index.counts)
        for name, delta in plan.count_deltas().items():
            counts[name] = counts.get(name, 0) + delta
        cycle.timings["diff"] = time.monotonic() - mark

        def persist() -> None:
            if not (fresh or gone or plan.nodes):
                return
            with self.store.transaction(fresh=False) as tx:
                for frag, fp in fresh:
                    tx.put(frag, fp)
                tx.delete(gone)
                tx.put_shared(
                    (label, node_id, canonical(as_props(after.nodes[label][node_id])), n)
                    for (label, node_id), n in refs.items()
                    if n > 0
                    and index.shared.get((label, node_id))
                    != (canonical(as_props(after.nodes[label][node_id])), n)
                )
                tx.delete_shared(key for key, n in refs.items() if n <= 0 and key in index.shared)
                tx.set_counts(counts)

        return _Change(plan, counts, index.entity_count(), persist)

    def _reconcile(self, source: SourceStream, cycle: _Cycle) -> _Change:
        """Against the graph itself: every record parsed, everything the mirror holds read."""
        fresh: list[tuple[Fragment, int]] = []
        target = GraphState()
        refs: Counter[tuple[str, str]] = Counter()
        for record in source.records():
            frag = cycle.transform(record, source.objective_ids, self._warn_dangling)
            fresh.append((frag, record_fp(record, source.objective_ids)))
            add_fragment(target, frag)
            refs.update(shared_ends(frag.rels))
        for label, node_id in sorted(refs):
            target.nodes[label][node_id] = shared_props(label, node_id, source.lookups)
        cycle.end_fetch()

        mark = time.monotonic()
        base = self.graph.read_state()
        plan = plan_changes(base, target)
        counts = expected_counts(target)
        cycle.timings["diff"] = time.monotonic() - mark

        def persist() -> None:
            with self.store.transaction(fresh=True) as tx:
                for frag, fp in fresh:
                    tx.put(frag, fp)
                tx.put_shared(
                    (label, node_id, canonical(as_props(target.nodes[label][node_id])), n)
                    for (label, node_id), n in refs.items()
                )
                tx.set_counts(counts)

        return _Change(plan, counts, base.entity_count(), persist)

    def _load(self, source: SourceStream, cycle: _Cycle) -> _Change:
        """The first mirror into an empty graph: CREATE statements fed while the source streams,
        the state built alongside and committed after the graph; nothing held whole in memory."""
        self._ensure_schema()
        self.store.mark_pending()
        counts: Counter[str] = Counter(dict.fromkeys((*LABELS, *REL_TYPES), 0))
        refs: Counter[tuple[str, str]] = Counter()
        with (
            self.graph.loader(self.options.batch_size, self.before_batch) as loader,
            self.store.transaction(fresh=True) as tx,
        ):
            for record in source.records(prefetch=False):
                frag = cycle.transform(record, source.objective_ids, self._warn_dangling)
                props = as_props(frag.props)
                tx.put(frag, record_fp(record, source.objective_ids))
                loader.node(frag.label, props)
                counts[frag.label] += 1
                refs.update(shared_ends(frag.rels))
                log.info(
                    f"{frag.label.lower()}.created",
                    id=frag.id,
                    **{k: props[k] for k in ("key", "name") if k in props},
                )
            cycle.end_fetch()  # node batches were written meanwhile, on the loader's thread
            for label, node_id in sorted(refs):
                props = shared_props(label, node_id, source.lookups)
                loader.node(label, props)
                tx.put_shared([(label, node_id, canonical(props), refs[label, node_id])])
                counts[label] += 1
                log.info(f"{label.lower()}.created", id=node_id)
            loader.flush()
            for rel in tx.rels():
                loader.rel(rel)
                counts[rel.type] += 1
                log_relationship("linked", rel)
            loader.flush()
            tx.set_counts(dict(counts))
            cycle.timings["write"] = loader.seconds
            mark = time.monotonic()
        cycle.timings["persist"] = time.monotonic() - mark
        nodes = sum(counts[label] for label in LABELS)
        plan = Plan(bulk={"created": nodes, "linked": sum(counts[t] for t in REL_TYPES)})
        return _Change(plan, dict(counts), 0, lambda: None, loaded=loader.stats)

    def _pull_history(self, result: CycleResult, timings: dict[str, float], every: bool) -> None:
        """What hangs off the mirror: check-ins, their comments, Jira's issue fields."""
        if self.options.checkins:
            mark = time.monotonic()
            result.checkins = self._pull_checkins()
            timings["checkins"] = time.monotonic() - mark
        if self.options.comments:
            mark = time.monotonic()
            result.comments = self._pull_comments(every)
            timings["comments"] = time.monotonic() - mark
        if self.jira is not None:
            self._enrich_issues(every)

    def _write_journal(self, plan: Plan, started_at: datetime, per_field: bool) -> None:
        finished = self.now()
        run, changes = journal(
            plan,
            f"{started_at.isoformat()}-{uuid.uuid4().hex[:8]}",
            started_at,
            finished,
            per_field,
        )
        self.graph.write_journal(run, changes, self.options.batch_size)
        # Pruning only in cycles that changed something: a quiet cycle writes nothing at all.
        cutoff = finished - timedelta(days=self.options.journal_retention_days)
        pruned = self.graph.prune_journal(iso(cutoff) or "")
        if pruned:
            log.info("journal.pruned", nodes=pruned, before=iso(cutoff))

    def _enrich_issues(self, every: bool) -> None:
        """Jira's fields for new Issue nodes (all of them on a reconcile). Never fails a cycle:
        the mirror is complete without them."""
        assert self.jira is not None
        ids = self.graph.issues_to_enrich(every)
        if not ids:
            return
        try:
            rows = list(self.jira.issues(ids))
        except ApiError as exc:
            log.warning("jira.enrichment_failed", error=str(exc), issues=len(ids))
            return
        if rows:
            self.graph.enrich_issues(rows, self.options.batch_size)
        log.info("jira.enriched", issues=len(rows), asked=len(ids))

    def _pull_checkins(self) -> int:
        """New check-ins from the update feed; each touched entity's PREVIOUS chain redone."""
        touched: set[str] = set()

        def chain(stats: WriteStats) -> None:
            if touched:
                self.graph.chain_checkins(sorted(touched), stats)

        written = self._pull_feed(
            "checkins",
            lambda later: self.client.iter_updates(later_than_ms=later),
            update_row,
            self.graph.write_checkins,
            each=lambda row: touched.add(str(row["entityId"])),
            finish=chain,
        )
        if written:
            log.info("checkins.written", count=written, entities=len(touched))
        return written

    def _pull_comments(self, every: bool) -> int:
        """New comments on check-ins, threads linked once all are written.

        `every` (a reconcile cycle) re-reads the whole feed: an edit keeps a comment's
        `created`, so the laterThan cursor alone would never see it."""
        replies: list[dict[str, Any]] = []

        def note_reply(row: dict[str, Any]) -> None:
            if row["replyTo"]:
                replies.append({"id": row["id"], "replyTo": row["replyTo"]})

        def link(stats: WriteStats) -> None:
            if replies:  # a reply comes before the comment it answers: link after all
                self.graph.link_replies(replies, stats)

        written = self._pull_feed(
            "comments",
            lambda later: self.client.iter_comments(later_than_ms=later),
            comment_row,
            self.graph.write_comments,
            each=note_reply,
            finish=link,
            every=every,
        )
        if written:
            log.info("comments.written", count=written, replies=len(replies))
        return written

    def _pull_feed(
        self,
        feed: str,
        fetch: Callable[[int | None], Iterable[Update | Comment]],
        row_of: Callable[[Any], dict[str, Any] | None],
        write: Callable[[Sequence[dict[str, Any]], int], WriteStats],
        *,
        each: Callable[[dict[str, Any]], None],
        finish: Callable[[WriteStats], None],
        every: bool = False,
    ) -> int:
        """A newest-first feed read past its cursor (all of it with `every`), written in
        batches; `finish` runs before the cursor moves, so a failure repeats the pull."""
        cursor = CheckinCursor() if every else self.store.load_cursor(feed)
        rows: list[dict[str, Any]] = []
        seen: list[tuple[str, int]] = []
        stats = WriteStats()
        written = 0

        def flush() -> None:
            nonlocal written
            if rows:
                stats.counters.update(write(rows, self.options.batch_size).counters)
                written += len(rows)
                rows.clear()

        for item in fetch(cursor.later_than()):
            row = row_of(item)
            if row is None:
                continue
            seen.append((str(row["id"]), created_ms(item)))
            if row["id"] in cursor.recent_ids:
                continue  # delivered again by the overlap window: already written
            rows.append(row)
            each(row)
            if len(rows) >= self.options.batch_size:
                flush()
        flush()
        finish(stats)
        if seen:
            self.store.save_cursor(cursor.advance(seen), feed)
        return written

    def _choose_mode(
        self, index: StateIndex | None, full: bool
    ) -> tuple[Mode, str, dict[str, int]]:
        counts = self.graph.counts()
        if full:
            return "reconcile", "requested", counts
        if self.store.was_interrupted():
            return "reconcile", "previous cycle was interrupted", counts
        if index is None:
            return "reconcile", "no previous snapshot", counts
        expected = index.counts
        drift = {
            k: [expected.get(k, 0), counts.get(k, 0)]
            for k in counts.keys() | expected.keys()
            if counts.get(k, 0) != expected.get(k, 0)
        }
        if drift:
            log.warning("graph.drift_detected", counts=drift)
            return "reconcile", "graph counts differ from the snapshot", counts
        return "incremental", "snapshot matches graph counts", counts

    def _guard(self, plan: Plan, mirrored: int, allow: bool) -> None:
        deletes = plan.entity_deletes()
        limit = self.options.max_delete_fraction
        if mirrored and deletes > limit * mirrored and not allow:
            error = MassDeleteRefused(deletes, mirrored, limit)
            log.error(
                "sync.mass_delete_refused",
                would_delete=deletes,
                mirrored=mirrored,
                max_delete_fraction=limit,
                likely_causes=[
                    "the API answered an empty tenant: wrong region/base_url",
                    "the token's user lost access to projects",
                    "the date window excludes most OKRs",
                ],
            )
            raise error

    def _warn_dangling(self, dangling: list[Dangling]) -> None:
        for d in dangling:
            key = (d.from_id, d.missing_id)
            if key in self._warned:
                continue
            self._warned.add(key)
            log.warning(
                "graph.dangling_reference",
                rel=d.rel_type,
                entity=d.from_id,
                missing=d.missing_id,
                action="edge skipped: the referenced entity is not in the snapshot",
            )


def _event_name(change: NodeChange) -> str:
    return f"{change.label.lower()}.{change.kind}"


def log_changes(plan: Plan) -> None:
    """One structlog event per changed node and per changed relationship."""
    for change in plan.nodes:
        fields: dict[str, object] = {"id": change.id}
        if change.kind == "created":
            fields.update({k: change.props[k] for k in ("key", "name") if k in change.props})
        elif change.kind == "updated":
            fields["changes"] = {k: [old, new] for k, (old, new) in change.fields.items()}
        else:
            fields.update({k: old for k, (old, _) in change.fields.items()})
        log.info(_event_name(change), **fields)
    for kind, rels in (("unlinked", plan.unlinked), ("linked", plan.linked)):
        for rel in rels:
            log_relationship(kind, rel)


def log_relationship(kind: str, rel: Rel) -> None:
    log.info(
        f"relationship.{kind}",
        type=rel.type,
        from_label=rel.from_label,
        from_id=rel.from_id,
        to_label=rel.to_label,
        to_id=rel.to_id,
    )
