"""What only the tests, the benchmark and the chaos run use: whole-org reads of the source and
the graph, and wiping a database. Nothing in the product imports this module.

A sync cycle never parses the whole source at once (it streams fingerprinted records, see
source.py) and never empties a database; these helpers do both, to compare the graph with the
source exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from okrsync.api import OBJECTIVE_EXPAND, OBJECTIVES_BY_DATE, OkrApiClient, Window, window_params
from okrsync.errors import MalformedPayload
from okrsync.graph import Graph, WriteStats, cypher
from okrsync.models import (
    KeyResult,
    Label,
    Objective,
    OkrType,
    Period,
    Team,
    items,
    parse_key_result,
    parse_label,
    parse_objective,
    parse_okr_type,
    parse_period,
    parse_team,
)
from okrsync.source import SourceStream
from okrsync.transform import (
    Dangling,
    Fragment,
    GraphState,
    add_fragment,
    fragment,
    shared_ends,
    shared_props,
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One complete export of the organisation, every record parsed."""

    objectives: Mapping[str, Objective] = field(default_factory=dict)
    key_results: Mapping[str, KeyResult] = field(default_factory=dict)
    teams: Mapping[str, Team] = field(default_factory=dict)
    periods: Mapping[str, Period] = field(default_factory=dict)
    labels: Mapping[str, Label] = field(default_factory=dict)
    okr_types: Mapping[str, OkrType] = field(default_factory=dict)
    custom_fields: Mapping[str, str] = field(default_factory=dict)  # id -> name


@dataclass(frozen=True, slots=True)
class ExportData:
    """One parsed ApiExportData answer (any of the four export endpoints)."""

    objectives: tuple[Objective, ...]
    key_results: tuple[KeyResult, ...]
    teams: tuple[Team, ...]
    periods: tuple[Period, ...]
    labels: tuple[Label, ...]
    okr_types: tuple[OkrType, ...]


def parse_export(data: Any) -> ExportData:
    """Parse an ApiExportData body; raises MalformedPayload on anything a sync cannot use."""
    if not isinstance(data, dict):
        raise MalformedPayload(f"export answer should be a JSON object, got {type(data).__name__}")
    return ExportData(
        objectives=tuple(parse_objective(o, i) for i, o in enumerate(items(data, "okrs"))),
        key_results=tuple(parse_key_result(k, i) for i, k in enumerate(items(data, "krs"))),
        teams=tuple(parse_team(t, i) for i, t in enumerate(items(data, "teams"))),
        periods=tuple(parse_period(p, i) for i, p in enumerate(items(data, "periods"))),
        labels=tuple(parse_label(lb, i) for i, lb in enumerate(items(data, "labels"))),
        okr_types=tuple(parse_okr_type(t, i) for i, t in enumerate(items(data, "okrTypes"))),
    )


def objectives_by_date(client: OkrApiClient, start_ms: int, end_ms: int) -> ExportData:
    """One objectives/byDate answer, parsed whole."""
    return parse_export(
        client.get_json(OBJECTIVES_BY_DATE, window_params(start_ms, end_ms, OBJECTIVE_EXPAND))
    )


def parse_all(stream: SourceStream) -> Snapshot:
    """Every record of a source parsed: the whole Snapshot."""
    objectives: dict[str, Objective] = {}
    key_results: dict[str, KeyResult] = {}
    for record in stream.records():
        entity = record.parse()
        if isinstance(entity, Objective):
            objectives[entity.id] = entity
        else:
            key_results[entity.id] = entity
    lk = stream.lookups
    return Snapshot(
        objectives, key_results, lk.teams, lk.periods, lk.labels, lk.okr_types, lk.custom_fields
    )


def fetch_snapshot(client: OkrApiClient, window: Window | None = None) -> Snapshot:
    """One complete snapshot, every record parsed, or an exception: the reading a sync cycle
    makes, parsed whole."""
    return parse_all(client.source(window))


def to_graph(
    snapshot: Snapshot, held: Sequence[Fragment] = ()
) -> tuple[GraphState, list[Dangling]]:
    """The whole graph a snapshot should become, and the references it could not place.
    `held`: entities quarantined in their last good version (they count as present)."""
    state = GraphState()
    dangling: list[Dangling] = []
    entities: list[Objective | KeyResult] = [
        *snapshot.objectives.values(),
        *snapshot.key_results.values(),
    ]
    objective_ids = set(snapshot.objectives) | {f.id for f in held if f.label == "Objective"}
    for frag in held:
        add_fragment(state, frag)
    for e in entities:
        frag = fragment(e, objective_ids, snapshot.custom_fields)
        add_fragment(state, frag)
        if frag.dangling:
            dangling.append(frag.dangling)
    for label, node_id in sorted(set(shared_ends(state.rels))):
        state.nodes[label][node_id] = shared_props(label, node_id, snapshot)
    return state, dangling


def source_state(url: str, token: str = "t", **client: Any) -> GraphState:  # noqa: S107
    """What the graph should hold for the org a (simulated) API at `url` serves."""
    with OkrApiClient(url, token, **client) as api:
        state, _ = to_graph(fetch_snapshot(api))
    return state


def wipe(graph: Graph, batch: int = 20_000) -> None:
    """Delete everything in the database, in bounded batches (tests and benchmarks only)."""
    while True:
        stats = WriteStats()
        graph.write(cypher("wipe"), stats, limit=batch)
        if stats.counters["nodes_deleted"] == 0:
            return
