"""What only the tests, the benchmark and the chaos run use: whole-org reads of the source and
the graph, and wiping a database. Nothing in the product imports this module.

A sync cycle never parses the whole source at once (it streams fingerprinted records, see
source.py) and never empties a database; these helpers do both, to compare the graph with the
source exactly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okrsync.api import OBJECTIVE_EXPAND, OBJECTIVES_BY_DATE, OkrApiClient, Window, window_params
from okrsync.errors import MalformedPayload, OkrsyncError
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


# The organisations okrsync's tests, benchmark, chaos run and pictures write are named
# okrsync-test*; the demo's is "demo". A wipe deletes nothing else unless told to.
TEST_ORG_PREFIX = "okrsync-test"
TEST_ORG = TEST_ORG_PREFIX
THROWAWAY_ORGS = ("demo",)
WIPE_ANYWAY = "OKRSYNC_TEST_WIPE"
_SHOWN = 1000  # foreign nodes counted before a refusal stops counting
_claimed: set[tuple[int, str | None]] = set()


class ForeignData(OkrsyncError):
    """The database holds data the tests did not write: they refuse to wipe it."""


def local_server_root() -> Path:
    """Where deploy/neo4j/local-neo4j.sh keeps this checkout's servers (NEO4J_LOCAL_DIR)."""
    default = Path(__file__).resolve().parents[1] / ".neo4j"
    return Path(os.environ.get("NEO4J_LOCAL_DIR") or default).resolve()


def is_local_server(graph: Graph) -> bool:
    """Whether the server stores its data under this checkout's local-neo4j.sh directory
    (<root>/<version>/<home>/data): the project's own test server, wiped without asking."""
    names = ["server.directories.data"]
    try:
        rows = graph.read(cypher("server_settings"), names=names)
    except OkrsyncError:  # no right to read settings: not a server this checkout provisioned
        return False
    data = Path(rows[0]["value"]).resolve() if rows else None
    return data is not None and data.parent.parent.parent == local_server_root()


def claim_for_tests(graph: Graph) -> None:
    """Let wipe() empty this database, or raise ForeignData (one line) when it holds nodes no
    test wrote: okrsync's own local server and OKRSYNC_TEST_WIPE=1 excepted.
    Checked once per connection and database: what the tests write later is theirs."""
    key = (id(graph.driver), graph.database)
    if key in _claimed or os.environ.get(WIPE_ANYWAY) == "1" or is_local_server(graph):
        _claimed.add(key)
        return
    params = {"prefix": TEST_ORG_PREFIX, "orgs": list(THROWAWAY_ORGS), "limit": _SHOWN}
    (found,) = graph.read(cypher("foreign_nodes"), **params)
    if found["count"]:
        count = f"{found['count']}{'+' if found['count'] == _SHOWN else ''}"
        first = ":".join(found["labels"]) or "(no label)"
        owner = f"of organisation {found['org']!r}" if found["org"] else "without an okrsyncOrg"
        where = (
            f"database {graph.database or '(default)'} at {graph.driver.get_server_info().address}"
        )
        raise ForeignData(
            f"refusing to wipe the {where}: it holds {count} nodes the tests did not write"
            f" (the first: :{first} {owner}); point NEO4J_URI at a scratch database,"
            f" or set {WIPE_ANYWAY}=1 to delete everything in it"
        )
    _claimed.add(key)


def run_tool(main: Callable[[], int | None]) -> int:
    """A test tool's main() (screenshot, report picture, chaos, bench): a refusal to wipe is
    one line on stderr and exit status 3, as okrsync's own guard exits."""
    try:
        return main() or 0
    except ForeignData as exc:
        print(f"{Path(sys.argv[0]).name}: {exc}", file=sys.stderr)
        return 3


def wipe(graph: Graph, batch: int = 20_000) -> None:
    """Delete everything in a database the tests claimed (claim_for_tests), in bounded
    batches; raises ForeignData on one they may not wipe."""
    claim_for_tests(graph)
    while True:
        stats = WriteStats()
        graph.write(cypher("wipe"), stats, limit=batch)
        if stats.counters["nodes_deleted"] == 0:
            return
