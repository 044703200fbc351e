"""Upgrade in place: a mirror written before organisations shared a database (no ownership
marks) becomes this organisation's, marking exactly what the earlier release's state says it
wrote, plus the history hanging from it. One logged migration; no property is rewritten."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import structlog

from okrsync.graph import statements as st
from okrsync.graph.session import BatchWriter, Graph, WriteStats
from okrsync.graph.statements import cypher
from okrsync.schema import ENTITY_LABELS, RELATIONSHIPS
from okrsync.transform import Rel

log = structlog.get_logger("okrsync.graph")


@dataclass
class LegacyMirror:
    """What an earlier release's state says it wrote: node keys by label, relationships."""

    keys: dict[str, list[str]] = field(default_factory=dict)
    rels: list[Rel] = field(default_factory=list)

    @property
    def nodes(self) -> int:
        return sum(len(keys) for keys in self.keys.values())


def adopt(graph: Graph, org: str, legacy: LegacyMirror, batch_size: int) -> dict[str, int]:
    """Mark the legacy mirror and its history as `org`'s; what was marked, by kind."""
    started = time.monotonic()
    marked = {"nodes": 0, "relationships": 0}
    with BatchWriter(graph, batch_size) as out:
        for label, keys in sorted(legacy.keys.items()):
            out.add(f"adopt/nodes_{label}", st.adopt_nodes(label), keys, param="keys", org=org)
    marked["nodes"] = out.stats.counters["properties_set"]
    by_rel = {r.name: r for r in RELATIONSHIPS}
    with BatchWriter(graph, batch_size) as out:
        for name, rows in sorted(_rel_rows(legacy.rels).items()):
            out.add(f"adopt/rels_{name}", st.adopt_rels(by_rel[name]), rows, org=org)
    marked["relationships"] = out.stats.counters["properties_set"]
    marked.update(_adopt_history(graph, org, legacy, batch_size))
    log.info(
        "migration.adopted",
        org=org,
        note="a mirror written before organisations now belongs to this one",
        seconds=round(time.monotonic() - started, 3),
        **marked,
    )
    return marked


def _rel_rows(rels: Iterable[Rel]) -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = {}
    for r in rels:
        rows.setdefault(f"{r.type}_{r.from_label}_{r.to_label}", []).append(
            {"from": r.from_id, "to": r.to_id}
        )
    return rows


def _adopt_history(graph: Graph, org: str, legacy: LegacyMirror, batch_size: int) -> dict[str, int]:
    stats = WriteStats()
    with BatchWriter(graph, batch_size, stats) as out:
        for label in ENTITY_LABELS:
            ids = legacy.keys.get(label, [])
            out.add("adopt/checkins", cypher("adopt/checkins"), ids, param="ids", org=org)
    marked = {"checkins": stats.counters["properties_set"]}
    for name in ("previous", "comments", "replies", "journal", "changes", "about"):
        marked[name] = _until_done(graph, cypher(f"adopt/{name}"), org, batch_size)
    return marked


def _until_done(graph: Graph, query: str, org: str, batch_size: int) -> int:
    """A bounded statement run until it marks nothing more; the properties it set."""
    total = 0
    while True:
        stats = WriteStats()
        graph.write(query, stats, org=org, limit=batch_size)
        total += stats.counters["properties_set"]
        if stats.counters["properties_set"] == 0:
            return total
