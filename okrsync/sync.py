"""One sync cycle, the only place the pieces are wired together:

get (api) -> transform -> diff -> guard -> write (graph) -> persist (state) -> follow-up steps

The mirror reaches the graph's next state in one of three ways, each returning the same
CycleResult: the first load into an empty graph (streamed, written as it is read), the
incremental cycle (against the last committed state, parsing only records whose fingerprint
moved) and the reconcile (against what the graph itself holds).
"""

from __future__ import annotations

import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import structlog

from okrsync.api import OkrApiClient, Window
from okrsync.config import Settings
from okrsync.diff import NodeChange, Plan, naming, plan_changes
from okrsync.errors import MassDeleteRefused, OkrsyncError
from okrsync.graph import Constraints, Mirror, WriteStats
from okrsync.graph.adopt import adopt
from okrsync.progress import SILENT, Progress
from okrsync.quarantine import fragment_in, held
from okrsync.schema import ENTITY_LABELS, KEY_RESULT, LABELS, OBJECTIVE, REL_TYPES
from okrsync.source import Quarantined, Record, SourceStream
from okrsync.state import StateIndex, StateStore
from okrsync.steps import Step, StepContext
from okrsync.transform import (
    Dangling,
    Fragment,
    GraphState,
    Props,
    Rel,
    add_fragment,
    as_props,
    canonical,
    fragment,
    parent_linked,
    shared_ends,
    shared_props,
)

log = structlog.get_logger("okrsync.sync")

Mode = Literal["load", "incremental", "reconcile"]
# A plan with more changes than this logs each at debug and their counts at info.
BULK_CHANGES = 10_000


@dataclass
class CycleResult:
    plan: Plan
    mode: Mode
    reason: str
    dry_run: bool
    timings: dict[str, float] = field(default_factory=dict)
    stats: WriteStats | None = None
    entities: dict[str, int] = field(default_factory=dict)
    parsed: int = 0  # records parsed and transformed: those whose fingerprint moved
    steps: dict[str, dict[str, int]] = field(default_factory=dict)
    failed_steps: list[str] = field(default_factory=list)
    cycle_id: str = ""
    quarantined: int = 0  # records whose identity was unusable: their last good version kept

    @property
    def checkins(self) -> int:
        return self.steps.get("checkins", {}).get("written", 0)

    @property
    def comments(self) -> int:
        return self.steps.get("comments", {}).get("written", 0)

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
            "quarantined": self.quarantined,
            "failed_steps": self.failed_steps,
        }


def record_fp(record: Record, objective_ids: Container[str]) -> int:
    """A record's fingerprint with its parent edge folded in (lowest bit): the edge depends on
    whether the parent is in the snapshot, not only on the record's own bytes; and, when
    another record's list names the parent, on which one does."""
    linked = parent_linked(record.label, record.id, record.parent, objective_ids)
    fp = record.fp
    if record.listed and record.parent is not None:
        fp ^= zlib.crc32(record.parent.encode()) << 8
    return (fp & ~1) | int(linked)


def expected_counts(state: GraphState) -> dict[str, int]:
    counts = {label: state.count(label) for label in LABELS}
    counts.update(dict.fromkeys(REL_TYPES, 0))
    for rel in state.rels:
        counts[rel.type] += 1
    return counts


def _shared_rows(
    nodes: dict[str, dict[str, Props | str]], refs: Mapping[tuple[str, str], int]
) -> list[tuple[str, str, str, int]]:
    """State rows of the shared nodes still referenced: (label, id, props text, references)."""
    return [
        (label, node_id, canonical(as_props(nodes[label][node_id])), n)
        for (label, node_id), n in refs.items()
        if n > 0
    ]


class _Clock:
    """A cycle's timings (fetching and transforming interleave as the source streams) and how
    many records it parsed."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.timings: dict[str, float] = {"transform": 0.0}
        self.parsed = 0

    def add(self, phase: str, since: float) -> float:
        now = time.monotonic()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - since
        return now

    def end_fetch(self) -> None:
        self.timings["fetch"] = time.monotonic() - self.started - self.timings["transform"]
        self.timings["diff"] = 0.0


@dataclass
class _Planned:
    """A change planned against what the graph holds, and how to record it in the state once
    the graph holds it."""

    plan: Plan
    counts: dict[str, int]
    mirrored: int  # nodes the organisation's mirror held before: the guard's denominator
    persist: Callable[[], None]


class MirrorCycle:
    """The mirror alone (mode, plan, guard, write, persist), and what lives across cycles."""

    def __init__(
        self,
        client: OkrApiClient,
        mirror: Mirror,
        store: StateStore,
        settings: Settings,
        progress: Progress = SILENT,
    ) -> None:
        self.client = client
        self.mirror = mirror
        self.store = store
        self.settings = settings
        self.progress = progress  # shown during a first load or a reconcile
        self._shown: Progress = SILENT
        self._schema_applied = False
        self._notes = Notes()

    def run(
        self, *, dry_run: bool = False, full: bool = False, allow_mass_delete: bool = False
    ) -> CycleResult:
        clock = _Clock()
        s = self.settings
        source = self.client.source(Window(s.window_start_ms, s.window_end_ms))
        source.start()  # the server builds the first answer while the state loads
        if not dry_run:
            adopt_legacy_mirror(self.store, self.mirror)
        index = self.store.load()
        mode, reason = choose_mode(self.mirror.counts(), self.store, index, full, dry_run)
        stats: WriteStats | None
        with self._showing_progress(mode):
            if mode == "load":
                plan, stats, counts = first_load(self, source, clock)
            else:
                planned = (
                    self._incremental(source, index, clock)
                    if mode == "incremental" and index is not None
                    else self._reconcile(source, clock)
                )
                del index  # only an incremental cycle needs it: free it (~70 MB at 100k)
                plan, counts = planned.plan, planned.counts
                guard_deletes(plan, planned.mirrored, s, allow_mass_delete)
                stats = None if dry_run else self._commit(planned, mode, clock)
        clock.timings["total"] = time.monotonic() - clock.started
        entities = {label: counts.get(label, 0) for label in LABELS}
        return CycleResult(
            plan,
            mode,
            reason,
            dry_run,
            clock.timings,
            stats,
            entities,
            clock.parsed,
            quarantined=len(source.quarantined),
        )

    @contextmanager
    def _showing_progress(self, mode: Mode) -> Iterator[None]:
        """Progress bars for the long ways (a first load, a reconcile); an incremental cycle is
        short and shows none."""
        progress = SILENT if mode == "incremental" else self.progress
        self.mirror.progress = self._shown = progress
        try:
            with progress.shown("first load" if mode == "load" else mode):
                yield
        finally:
            self.mirror.progress = self._shown = SILENT

    def ensure_schema(self) -> None:
        if not self._schema_applied:
            Constraints(self.mirror.graph).apply()
            self._schema_applied = True

    def transform(self, record: Record, source: SourceStream, clock: _Clock) -> Fragment:
        mark = time.monotonic()
        clock.parsed += 1
        if clock.parsed == 1:  # the source knows how many to expect once its first has left
            self._shown.expect("fetched", source.expected)
        frag = self._notes.transform(record, source)
        clock.add("transform", mark)
        self._shown.advance("fetched")
        return frag

    def _commit(self, planned: _Planned, mode: Mode, clock: _Clock) -> WriteStats | None:
        """Write the plan, then record it in the state: the state never runs ahead of the
        graph. A reconcile writes even an empty plan's state (it is the new baseline)."""
        mark = time.monotonic()
        if planned.plan.empty and mode != "reconcile":
            clock.timings["write"] = 0.0
            planned.persist()  # new fingerprints of records whose bytes changed, not their graph
            return None
        self.ensure_schema()
        self.store.mark_pending()
        stats = self.mirror.apply(planned.plan)
        mark = clock.add("write", mark)
        planned.persist()
        self.store.clear_pending()
        clock.add("persist", mark)
        log_changes(planned.plan)
        return stats

    # --- the three ways ------------------------------------------------------------------

    def _incremental(self, source: SourceStream, index: StateIndex, clock: _Clock) -> _Planned:
        """Against the last committed state: only records whose fingerprint moved are parsed,
        and only their stored fragments are read back."""
        remaining = dict(index.fps)
        fresh: list[tuple[Fragment, int]] = []
        source.hold = _holder(lambda: _unread(self.store, index, source.objective_ids))
        for record in source.records():
            fp = record_fp(record, source.objective_ids)
            if remaining.pop((record.label, record.id), None) != fp:
                fresh.append((self.transform(record, source, clock), fp))
        clock.end_fetch()
        self._notes.source(source)
        mark = time.monotonic()
        gone_frags = self.store.fragments(list(remaining))
        kept = _kept(source, ((f.label, f.id, f.props) for f in gone_frags))
        gone = [k for k in remaining if k not in kept]
        old = self.store.fragments(
            [(f.label, f.id) for f, _ in fresh if (f.label, f.id) in index.fps]
        ) + [f for f in gone_frags if (f.label, f.id) not in kept]
        before, after, refs = incremental_states(index, old, [f for f, _ in fresh], source)
        plan = plan_changes(before, after)
        name_from_state(plan, self.store)
        counts = dict(index.counts)
        for name, delta in plan.count_deltas().items():
            counts[name] = counts.get(name, 0) + delta
        clock.add("diff", mark)

        def persist() -> None:
            if not (fresh or gone or plan.nodes):
                return
            with self.store.transaction(fresh=False) as tx:
                for frag, fp in fresh:
                    tx.put(frag, fp)
                tx.delete(gone)
                tx.put_shared(
                    row
                    for row in _shared_rows(after.nodes, refs)
                    if index.shared.get((row[0], row[1])) != (row[2], row[3])
                )
                tx.delete_shared(key for key, n in refs.items() if n <= 0 and key in index.shared)
                tx.set_counts(counts)

        return _Planned(plan, counts, sum(index.counts.get(label, 0) for label in LABELS), persist)

    def _reconcile(self, source: SourceStream, clock: _Clock) -> _Planned:
        """Against the graph itself: every record parsed, everything the mirror holds read."""
        fresh: list[tuple[Fragment, int]] = []
        target = GraphState()
        refs: Counter[tuple[str, str]] = Counter()
        base_read: list[GraphState] = []  # read when first needed: by `hold`, or after the stream

        def base() -> GraphState:
            if not base_read:
                base_read.append(self.mirror.read_state())
            return base_read[0]

        source.hold = _holder(lambda: _missing(base(), OBJECTIVE, source))
        for record in source.records():
            frag = self.transform(record, source, clock)
            fresh.append((frag, record_fp(record, source.objective_ids)))
            add_fragment(target, frag)
            refs.update(shared_ends(frag.rels))
        clock.end_fetch()
        self._notes.source(source)
        mark = time.monotonic()
        graph = base()
        for label, node_id in sorted(_kept(source, _missing(graph, KEY_RESULT, source))):
            # The last good version, as the graph holds it; fingerprint 0 matches no record,
            # so the record is parsed again as soon as it is whole.
            frag = fragment_in(graph, label, node_id)
            fresh.append((frag, 0))
            add_fragment(target, frag)
            refs.update(shared_ends(frag.rels))
        for label, node_id in sorted(refs):
            target.nodes[label][node_id] = shared_props(label, node_id, source.lookups)
        plan = plan_changes(graph, target)
        counts = expected_counts(target)
        clock.add("diff", mark)

        def persist() -> None:
            with self.store.transaction(fresh=True) as tx:
                for frag, fp in fresh:
                    tx.put(frag, fp)
                tx.put_shared(_shared_rows(target.nodes, refs))
                tx.set_counts(counts)

        return _Planned(plan, counts, sum(graph.count(label) for label in LABELS), persist)


def first_load(
    cycle: MirrorCycle, source: SourceStream, clock: _Clock
) -> tuple[Plan, WriteStats, dict[str, int]]:
    """The first mirror into an empty graph: CREATE statements fed while the source streams,
    the state built alongside and committed after the graph; nothing held whole in memory.
    It deletes nothing, so there is nothing for the guard to look at."""
    cycle.ensure_schema()
    cycle.store.mark_pending()
    counts: Counter[str] = Counter(dict.fromkeys((*LABELS, *REL_TYPES), 0))
    refs: Counter[tuple[str, str]] = Counter()
    with cycle.mirror.loader() as loader, cycle.store.transaction(fresh=True) as tx:
        for record in source.records(prefetch=False):
            frag = cycle.transform(record, source, clock)
            props = as_props(frag.props)
            tx.put(frag, record_fp(record, source.objective_ids))
            loader.node(frag.label, props)
            counts[frag.label] += 1
            refs.update(shared_ends(frag.rels))
            log_node_created(frag.label, frag.id, props)
        clock.end_fetch()  # node batches were written meanwhile, on the loader's thread
        for label, node_id in sorted(refs):
            props = shared_props(label, node_id, source.lookups)
            loader.node(label, props)
            tx.put_shared([(label, node_id, canonical(props), refs[label, node_id])])
            counts[label] += 1
            log_node_created(label, node_id, props)
        loader.flush()
        for rel in tx.rels():
            loader.rel(rel)
            counts[rel.type] += 1
            log_relationship("linked", rel, bulk=True)
        loader.flush()
        tx.set_counts(dict(counts))
        clock.timings["write"] = loader.seconds
        mark = time.monotonic()
    cycle.store.clear_pending()
    clock.add("persist", mark)
    nodes = sum(counts[label] for label in LABELS)
    plan = Plan(bulk={"created": nodes, "linked": sum(counts[t] for t in REL_TYPES)})
    return plan, loader.stats, dict(counts)


def choose_mode(
    counts: Mapping[str, int],
    store: StateStore,
    index: StateIndex | None,
    full: bool,
    dry_run: bool,
) -> tuple[Mode, str]:
    """How this cycle reaches the graph's next state, and why."""
    empty = not dry_run and not any(counts.values())
    if full:
        # A reconcile against nothing is a load, and the streamed load is the cheap one: the
        # daemon's first cycle asks for a reconcile whatever the graph holds.
        return ("load", "reconcile requested, empty graph") if empty else ("reconcile", "requested")
    if store.was_interrupted():
        return "reconcile", "previous cycle was interrupted"
    if index is None:
        if empty:
            return "load", "no previous snapshot, empty graph"
        return "reconcile", "no previous snapshot"
    drift = count_drift(index.counts, counts)
    if drift:
        log.warning("graph.drift_detected", counts=drift)
        return "reconcile", "graph counts differ from the snapshot"
    return "incremental", "snapshot matches graph counts"


def name_from_state(plan: Plan, store: StateStore) -> None:
    """Name the entities a plan links or unlinks that the cycle did not read (a parent left
    as it was) from their committed fragments: the journal names a move's both ends."""
    wanted = [end for end in plan.unnamed_far_ends() if end[1] in ENTITY_LABELS]
    if not wanted:
        return
    found = {
        (f.label, f.id): naming(f.props)
        for f in store.fragments(sorted({(label, i) for _, label, i in wanted}))
    }
    for kind, label, node_id in wanted:
        if (label, node_id) in found:
            plan.names[kind, label, node_id] = found[label, node_id]


def _unread(
    store: StateStore, index: StateIndex, objective_ids: Container[str]
) -> Iterator[tuple[str, str, Props | str]]:
    """The objectives the state holds that this answer lacks, with their last props."""
    wanted = (k for k in index.fps if k[0] == OBJECTIVE and k[1] not in objective_ids)
    return ((f.label, f.id, f.props) for f in store.fragments(wanted))


def _holder(
    candidates: Callable[[], Iterable[tuple[str, str, Props | str]]],
) -> Callable[[list[Quarantined]], set[str]]:
    """The source's `hold`: the objectives quarantined records keep, among `candidates` (those
    the graph or state holds that the answer lacks), read only when some record is."""
    return lambda quarantined: {i for _, i in held(quarantined, candidates())}


def _kept(
    source: SourceStream, missing_key_results: Iterable[tuple[str, str, Props | str]]
) -> set[tuple[str, str]]:
    """Every entity a quarantined record keeps: the objectives held while reading, and the
    key results among those missing."""
    quarantined = [q for q in source.quarantined if q.label == KEY_RESULT]
    return {(OBJECTIVE, i) for i in source.held_objectives} | held(quarantined, missing_key_results)


def adopt_legacy_mirror(store: StateStore, mirror: Mirror) -> None:
    """A mirror and state an earlier release wrote (before organisations) are adopted as this
    organisation's in one migration; the cycle then reconciles them without rewriting."""
    legacy = store.legacy()
    if legacy is None:
        return
    Constraints(mirror.graph).create()  # the new keys' indexes, before the marks need them
    adopt(mirror.graph, mirror.org, legacy, mirror.batch_size)
    store.claim()


def guard_deletes(plan: Plan, mirrored: int, settings: Settings, allow: bool) -> None:
    """The deletion guard: refuse a plan deleting more than `max_delete_fraction` of the
    organisation's mirrored nodes, shared lookups included, or more than `max_deletes` (an
    empty answer from the wrong region looks like that)."""
    deletes = plan.node_deletes()
    fraction, cap = settings.max_delete_fraction, settings.max_deletes
    limit = None
    if mirrored and deletes > fraction * mirrored:
        limit = f"more than {fraction:.0%}"
    elif cap is not None and deletes > cap:
        limit = f"more than max_deletes = {cap}"
    if limit is not None and not allow:
        # Not logged here: whoever catches it says so once (the command's line, the daemon's
        # sync.failed with these numbers).
        raise MassDeleteRefused(deletes, mirrored, limit)


class Notes:
    """Warnings about the data, each said once per distinct problem: a record that stays odd
    is reported when it becomes odd, not every cycle."""

    def __init__(self) -> None:
        self._said: set[tuple[object, ...]] = set()

    def warn(self, event: str, said: tuple[object, ...], **fields: object) -> None:
        if said in self._said:
            return
        self._said.add(said)
        log.warning(event, **fields)

    def transform(self, record: Record, source: SourceStream) -> Fragment:
        """A record's fragment; what it had to leave out, and an edge it could not make, said."""
        problems: list[str] = []
        frag = fragment(record.parse(problems), source.objective_ids, source.lookups.custom_fields)
        for problem in problems:
            self.warn(
                "record.field_dropped",
                ("field", record.label, record.id, problem),
                label=record.label,
                id=record.id,
                problem=problem,
            )
        if frag.dangling:
            self.dangling(frag.dangling)
        return frag

    def dangling(self, d: Dangling) -> None:
        self.warn(
            "graph.dangling_reference",
            ("dangling", d.from_id, d.missing_id),
            rel=d.rel_type,
            entity=d.from_id,
            missing=d.missing_id,
            action="edge skipped: the referenced entity is not in the snapshot",
        )

    def source(self, source: SourceStream) -> None:
        """What the source could not use: quarantined records and unusable lookup items."""
        for q in source.quarantined:
            self.warn(
                "record.quarantined",
                ("quarantined", q.label, q.key, q.reason),
                label=q.label,
                key=q.key,
                problem=q.reason,
                action="its last good version stays in the graph",
            )
        for where, problem in source.lookups.problems:
            self.warn("lookup.skipped", ("lookup", where, problem), item=where, problem=problem)


def _missing(
    state: GraphState, label: str, source: SourceStream
) -> list[tuple[str, str, Props | str]]:
    """The entities of `label` the graph holds that this answer did not carry."""
    present = source.objective_ids if label == OBJECTIVE else source.key_result_ids
    return [(label, i, p) for i, p in state.nodes[label].items() if i not in present]


def count_drift(expected: Mapping[str, int], actual: Mapping[str, int]) -> dict[str, list[int]]:
    """Labels and types whose count in the graph is not what the state expects."""
    return {
        k: [expected.get(k, 0), actual.get(k, 0)]
        for k in actual.keys() | expected.keys()
        if actual.get(k, 0) != expected.get(k, 0)
    }


def incremental_states(
    index: StateIndex, old: Sequence[Fragment], fresh: Sequence[Fragment], source: SourceStream
) -> tuple[GraphState, GraphState, dict[tuple[str, str], int]]:
    """The part of the graph an incremental cycle touches, before and after, and how many
    relationships reach each shared node afterwards (a node at 0 goes)."""
    before, after = GraphState(), GraphState()
    refs = {key: n for key, (_, n) in index.shared.items()}
    for frag in old:
        add_fragment(before, frag)
        for end in shared_ends(frag.rels):
            refs[end] -= 1
    for frag in fresh:
        add_fragment(after, frag)
        for end in shared_ends(frag.rels):
            refs[end] = refs.get(end, 0) + 1
    for (label, node_id), (props, _) in index.shared.items():
        before.nodes[label][node_id] = props
    for (label, node_id), n in refs.items():
        if n > 0:
            after.nodes[label][node_id] = shared_props(label, node_id, source.lookups)
    return before, after, refs


class SyncCycle:
    """A whole cycle: the mirror, then the follow-up steps. One cycle id is bound to every log
    event of the cycle (structlog contextvars) and names the journal's SyncRun."""

    def __init__(
        self,
        mirror_cycle: MirrorCycle,
        steps: Sequence[Step] = (),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        writer: str | None = None,
    ) -> None:
        self.mirror_cycle = mirror_cycle
        self.steps = list(steps)
        self.now = now
        self.writer = writer

    def run(
        self, *, dry_run: bool = False, full: bool = False, allow_mass_delete: bool = False
    ) -> CycleResult:
        started = time.monotonic()
        started_at = self.now()
        cycle_id = f"{started_at:%Y%m%dT%H%M%S}Z-{uuid.uuid4().hex[:8]}"
        with structlog.contextvars.bound_contextvars(cycle=cycle_id):
            self.mirror_cycle.mirror.graph.verify()  # first: no export is fetched while it is down
            result = self.mirror_cycle.run(
                dry_run=dry_run, full=full, allow_mass_delete=allow_mass_delete
            )
            result.cycle_id = cycle_id
            if dry_run:
                log.info("sync.planned", **result.summary(), reason=result.reason)
                return result
            ctx = StepContext(
                cycle_id,
                result.plan,
                started_at,
                every=result.mode != "incremental",
                per_field=result.mode != "load",
                writer=self.writer,
            )
            for step in self.steps:
                self._follow_up(step, ctx, result)
            result.timings["total"] = time.monotonic() - started
            log.info(
                "sync.completed", **result.summary(), reason=result.reason, entities=result.entities
            )
        return result

    def _follow_up(self, step: Step, ctx: StepContext, result: CycleResult) -> None:
        mark = time.monotonic()
        try:
            result.steps[step.name] = step.run(ctx)
        except Exception as exc:
            result.failed_steps.append(step.name)
            log.error(
                "step.failed",
                step=step.name,
                error=str(exc) or type(exc).__name__,
                note="the mirror committed; the step runs again next cycle",
                exc_info=not isinstance(exc, OkrsyncError),
            )
        result.timings[step.name] = time.monotonic() - mark


def _event_name(change: NodeChange) -> str:
    return f"{change.label.lower()}.{change.kind}"


def log_node_created(label: str, node_id: str, props: Props) -> None:
    """A node of the first load: at debug, which the load's batch lines sum up at info (a line
    per entity of a 100k first load is more than journald keeps)."""
    log.debug(
        f"{label.lower()}.created",
        id=node_id,
        **{k: props[k] for k in ("key", "name") if k in props},
    )


def log_changes(plan: Plan) -> None:
    """One structlog event per changed node and per changed relationship; for a bulk plan (the
    daemon's first, reconciling, cycle into an empty graph) those go to debug and one
    changes.summarised line per kind says how many there were (journald keeps only so many)."""
    bulk = len(plan.nodes) + len(plan.unlinked) + len(plan.linked) > BULK_CHANGES
    emit = log.debug if bulk else log.info
    for change in plan.nodes:
        fields: dict[str, object] = {"id": change.id}
        if change.kind == "created":
            fields.update({k: change.props[k] for k in ("key", "name") if k in change.props})
        elif change.kind == "updated":
            fields["changes"] = {k: [old, new] for k, (old, new) in change.fields.items()}
        else:
            fields.update({k: old for k, (old, _) in change.fields.items()})
        emit(_event_name(change), **fields)
    for kind, rels in (("unlinked", plan.unlinked), ("linked", plan.linked)):
        for rel in rels:
            log_relationship(kind, rel, bulk=bulk)
    if bulk:
        events = Counter(_event_name(c) for c in plan.nodes)
        events.update({"relationship.unlinked": len(plan.unlinked)})
        events.update({"relationship.linked": len(plan.linked)})
        log.info("changes.summarised", events=dict(sorted(events.items())), detail="at debug")


def log_relationship(kind: str, rel: Rel, *, bulk: bool = False) -> None:
    (log.debug if bulk else log.info)(
        f"relationship.{kind}",
        type=rel.type,
        from_label=rel.from_label,
        from_id=rel.from_id,
        to_label=rel.to_label,
        to_id=rel.to_id,
    )
