"""One sync cycle, the only place the pieces are wired together:

get (api) -> transform -> diff -> guard -> write (graph) -> persist (snapshot) -> log
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

import structlog

from okrsync.api import OkrApiClient, Window, fetch_snapshot
from okrsync.diff import NodeChange, Plan, plan_changes
from okrsync.errors import ApiError, MassDeleteRefused
from okrsync.graph import Graph, WriteStats
from okrsync.history import created_ms, journal, update_row
from okrsync.jira import JiraClient
from okrsync.snapshot import StateStore
from okrsync.transform import LABELS, REL_TYPES, Dangling, GraphState, iso, to_graph

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
        }


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
        timings: dict[str, float] = {}
        started = time.monotonic()
        started_at = self.now()

        snapshot = fetch_snapshot(self.client, self.options.window)
        timings["fetch"] = time.monotonic() - started

        mark = time.monotonic()
        target, dangling = to_graph(snapshot)
        del snapshot  # the parsed payload is the biggest thing in memory; the rows replace it
        self._warn_dangling(dangling)
        timings["transform"] = time.monotonic() - mark

        mark = time.monotonic()
        previous = self.store.load()
        mode, reason = self._choose_mode(previous, full)
        base = self.graph.read_state() if mode == "reconcile" else previous
        assert base is not None
        plan = plan_changes(base, target)
        timings["diff"] = time.monotonic() - mark

        result = CycleResult(
            plan=plan,
            mode=mode,
            reason=reason,
            dry_run=dry_run,
            timings=timings,
            entities={label: target.count(label) for label in LABELS},
        )
        self._guard(plan, base, allow_mass_delete)
        if dry_run:
            timings["total"] = time.monotonic() - started
            log.info("sync.planned", **result.summary(), reason=reason)
            return result

        mark = time.monotonic()
        if not plan.empty or mode == "reconcile" or previous is None:
            if not self._schema_applied:
                self.graph.apply_schema()
                self._schema_applied = True
            self.store.mark_pending()
            result.stats = self.graph.apply(plan, self.options.batch_size, self.before_batch)
            if self.options.journal and not plan.empty:
                self._write_journal(
                    plan,
                    started_at,
                    per_field=bool(previous and previous.nodes and base.entity_count()),
                )
            timings["write"] = time.monotonic() - mark
            mark = time.monotonic()
            # Only after every transaction committed: the snapshot never runs ahead of the graph.
            self.store.save(target)
            self.store.clear_pending()
            timings["persist"] = time.monotonic() - mark
        else:
            timings["write"] = 0.0
        if self.options.checkins:
            mark = time.monotonic()
            result.checkins = self._pull_checkins()
            timings["checkins"] = time.monotonic() - mark
        if self.jira is not None:
            self._enrich_issues(every=mode == "reconcile")
        timings["total"] = time.monotonic() - started
        log_changes(plan)
        log.info("sync.completed", **result.summary(), reason=reason, entities=result.entities)
        return result

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
        """New check-ins from the update feed, a page at a time; returns how many were new."""
        cursor = self.store.load_cursor()
        rows: list[dict[str, object]] = []
        seen: list[tuple[str, int]] = []
        touched: set[str] = set()
        written = 0
        stats = WriteStats()

        def flush() -> None:
            nonlocal written
            if rows:
                stats.counters.update(
                    self.graph.write_checkins(rows, self.options.batch_size).counters
                )
                written += len(rows)
                rows.clear()

        for update in self.client.iter_updates(later_than_ms=cursor.later_than()):
            row = update_row(update)
            if row is None:
                continue
            seen.append((str(row["id"]), created_ms(update)))
            if row["id"] in cursor.recent_ids:
                continue  # delivered again by the overlap window: already written
            rows.append(row)
            touched.add(str(row["entityId"]))
            if len(rows) >= self.options.batch_size:
                flush()
        flush()
        if touched:
            self.graph.chain_checkins(sorted(touched), stats)
        if seen:
            self.store.save_cursor(cursor.advance(seen))
        if written:
            log.info("checkins.written", count=written, entities=len(touched))
        return written

    def _choose_mode(self, previous: GraphState | None, full: bool) -> tuple[Mode, str]:
        if full:
            return "reconcile", "requested"
        if self.store.was_interrupted():
            return "reconcile", "previous cycle was interrupted"
        if previous is None:
            return "reconcile", "no previous snapshot"
        counts = self.graph.counts()
        expected = expected_counts(previous)
        drift = {
            k: [expected[k], counts.get(k, 0)] for k in expected if counts.get(k, 0) != expected[k]
        }
        if drift:
            log.warning("graph.drift_detected", counts=drift)
            return "reconcile", "graph counts differ from the snapshot"
        return "incremental", "snapshot matches graph counts"

    def _guard(self, plan: Plan, base: GraphState, allow: bool) -> None:
        mirrored = base.entity_count()
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
            log.info(
                f"relationship.{kind}",
                type=rel.type,
                from_label=rel.from_label,
                from_id=rel.from_id,
                to_label=rel.to_label,
                to_id=rel.to_id,
            )
