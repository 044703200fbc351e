"""The mirror in Neo4j: writing a plan, the streamed first load, reading it back for repair."""

from __future__ import annotations

import contextvars
import queue
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import neo4j
import structlog

from okrsync.diff import NodeChange, Plan
from okrsync.graph import statements as st
from okrsync.graph.session import BatchWriter, Graph, WriteStats, as_graph_errors
from okrsync.graph.values import instant, native, to_neo4j
from okrsync.progress import SILENT, Progress
from okrsync.schema import LABELS, NODE_TYPES, REL_TYPES
from okrsync.transform import GraphState, Props, Rel

log = structlog.get_logger("okrsync.graph")

READ_FETCH = 10_000  # records per round trip when reading the whole mirror back


def _node_row(change: NodeChange) -> dict[str, Any]:
    return {"key": change.id, **to_neo4j(change.props)}


def _rel_row(rel: Rel) -> dict[str, str]:
    return {"from": rel.from_id, "to": rel.to_id}


def rel_statement(verb: str, rel: Rel) -> str:
    return f"rels/{verb}_{rel.type}_{rel.from_label}_{rel.to_label}"


def _grouped(rels: list[Rel], verb: str) -> list[tuple[str, list[Rel]]]:
    grouped: dict[str, list[Rel]] = {}
    for rel in rels:
        grouped.setdefault(rel_statement(verb, rel), []).append(rel)
    return sorted(grouped.items())


class Mirror:
    """One organisation's mirrored nodes and relationships in a Neo4j database: every
    statement is scoped to `org`, so nothing of another organisation or application is read,
    changed or deleted."""

    def __init__(
        self,
        graph: Graph,
        org: str,
        batch_size: int,
        before_batch: Callable[[str], None] | None = None,
    ) -> None:
        self.graph = graph
        self.org = org
        self.batch_size = batch_size
        self.before_batch = before_batch
        self.progress: Progress = SILENT  # rows written, while a long cycle shows progress

    def apply(self, plan: Plan) -> WriteStats:
        """Write a plan: nodes (creates, updates), unlinks, links, then deletes."""
        by_kind: dict[tuple[str, str], list[NodeChange]] = {}
        for change in plan.nodes:
            by_kind.setdefault((change.kind, change.label), []).append(change)
        org = self.org
        self.progress.expect("written", len(plan.nodes) + len(plan.unlinked) + len(plan.linked))
        with BatchWriter(
            self.graph,
            self.batch_size,
            before_batch=self.before_batch,
            committed=lambda rows: self.progress.advance("written", rows),
        ) as out:
            for label in LABELS:
                for verb, kind in (("merge", "created"), ("update", "updated")):
                    name = f"nodes/{verb}_{label}"
                    changes = by_kind.get((kind, label), [])
                    out.add(name, st.statement(name), changes, _node_row, org=org)
            for verb, rels in (("unlink", plan.unlinked), ("link", plan.linked)):
                for name, group in _grouped(rels, verb):
                    out.add(name, st.statement(name), group, _rel_row, org=org)
            for label in reversed(LABELS):
                name = f"nodes/delete_{label}"
                deleted = [c.id for c in by_kind.get(("deleted", label), [])]
                out.add(name, st.statement(name), deleted, param="keys", org=org)
        return out.stats

    def loader(self) -> BulkLoader:
        return BulkLoader(self.graph, self.org, self.batch_size, self.before_batch, self.progress)

    def counts(self) -> dict[str, int]:
        """Nodes per mirrored label and relationships per mirrored type (0 when none)."""
        counts = dict.fromkeys((*LABELS, *REL_TYPES), 0)
        # A label or type the database has never seen yields no row at all, hence the defaults.
        rows = self.graph.read(st.counts(), org=self.org)
        counts.update({row["name"]: row["count"] for row in rows})
        return counts

    def read_state(self) -> GraphState:
        """What the mirror holds now, in the same form transform produces, for drift repair.

        Records are read as plain tuples while they stream: `record.data()` walks every value
        in Python, which at 100k entities (900k records) cost most of a minute."""
        state = GraphState()
        # A retried transaction re-reads into the same dict and set: nothing is doubled.
        with (
            as_graph_errors("read"),
            self.graph.session(
                default_access_mode=neo4j.READ_ACCESS, fetch_size=READ_FETCH
            ) as session,
        ):
            session.execute_read(self.graph.unit(_read_nodes), state, self.org)
            session.execute_read(self.graph.unit(_read_rels), state, self.org)
        return state


def _label_of(labels: list[str]) -> str | None:
    return next((lb for lb in LABELS if lb in labels), None)


def _read_nodes(tx: neo4j.ManagedTransaction, state: GraphState, org: str) -> None:
    for label, pairs, times, groups in tx.run(st.read_nodes(), org=org):
        node = NODE_TYPES[label]
        props: Props = {k: native(v) for k, v in pairs if k not in node.foreign}
        props.update((k, instant(v)) for k, v in times if k not in node.foreign)
        mine = sorted(g for g in groups if node.group and g in node.group.all_labels)
        if node.group and mine:
            # Two labels of one group (drift) read as neither: the diff then rewrites the group.
            props[node.group.name] = ":".join(mine)
        key = props.get(node.key)
        if isinstance(key, str):
            state.nodes[label][key] = props


def _read_rels(tx: neo4j.ManagedTransaction, state: GraphState, org: str) -> None:
    for from_label, from_key, out in tx.run(st.read_rels(), org=org):
        for rel_type, to_labels, to_key in out:
            to_label = _label_of(to_labels)
            if to_label and to_key is not None:
                state.rels.add(Rel(rel_type, from_label, from_key, to_label, to_key))


class BulkLoader:
    """The first load into an empty graph: plain CREATE statements, fed row by row and sent in
    batches, so a 100k-entity load never holds its rows in memory. Only for a graph known to
    be empty (nothing to merge with); the caller flushes every node before any relationship.

    Batches go out on one writer thread, so parsing the next records overlaps Neo4j writing
    the last batch; at most two batches wait, which bounds memory. Use it as a context
    manager: leaving stops the writer, and a failed batch is raised in the caller's thread.
    """

    def __init__(
        self,
        graph: Graph,
        org: str,
        batch_size: int,
        before_batch: Callable[[str], None] | None,
        progress: Progress = SILENT,
    ) -> None:
        self.graph = graph
        self.org = org
        self.batch_size = batch_size
        self.before_batch = before_batch
        self.progress = progress
        self.stats = WriteStats()
        self.seconds = 0.0  # spent in Neo4j round trips
        self.written: dict[str, int] = {}  # rows per statement so far
        self._buffers: dict[str, list[dict[str, Any]]] = {}
        self._queue: queue.Queue[tuple[str, list[dict[str, Any]]] | None] = queue.Queue(2)
        self._error: BaseException | None = None
        # The writer runs in the caller's context: its lines and transactions carry the cycle id.
        self._writer = threading.Thread(
            target=contextvars.copy_context().run,
            args=(self._write_loop,),
            name="okrsync-load",
            daemon=True,
        )
        self._writer.start()

    def __enter__(self) -> BulkLoader:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self._drop_queued()
        self._queue.put(None)
        self._writer.join()

    def _drop_queued(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return
            self._queue.task_done()

    def _write_loop(self) -> None:
        while (item := self._queue.get()) is not None:
            name, rows = item
            try:
                if self._error is None:
                    started = time.monotonic()
                    self.graph.write(st.statement(name), self.stats, rows=rows, org=self.org)
                    self.seconds += time.monotonic() - started
                    self._log_batch(name, len(rows), time.monotonic() - started)
            except BaseException as exc:  # handed to the caller's thread
                self._error = exc
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _log_batch(self, name: str, rows: int, seconds: float) -> None:
        """One line per batch at info: a first load's change log, summed up (each entity's line
        is at debug)."""
        self.written[name] = self.written.get(name, 0) + rows
        self.progress.advance("written", rows)
        log.info(
            "load.batch",
            statement=name,
            rows=rows,
            total=self.written[name],
            seconds=round(seconds, 3),
        )

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise self._error

    def node(self, label: str, props: Mapping[str, Any]) -> None:
        self._add(f"nodes/create_{label}", to_neo4j(props))

    def rel(self, rel: Rel) -> None:
        self._add(rel_statement("create", rel), _rel_row(rel))

    def _add(self, name: str, row: dict[str, Any]) -> None:
        rows = self._buffers.setdefault(name, [])
        rows.append(row)
        if len(rows) >= self.batch_size:
            self._send(name)

    def _send(self, name: str) -> None:
        rows = self._buffers.pop(name, [])
        if rows:
            self._raise_failure()
            if self.before_batch is not None:
                self.before_batch(name)
            self._queue.put((name, rows))

    def flush(self) -> None:
        """Send every buffered row and wait until Neo4j has committed them all."""
        for name in sorted(self._buffers):
            self._send(name)
        self._queue.join()
        self._raise_failure()
