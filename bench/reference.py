"""The reference: the very graph okrsync writes, written by the plainest fast method there is
(UNWIND ... CREATE in big batches, okrsync's constraints in place, instants made DateTime by
datetime()), from rows prepared beforehand. Its time plus the export's download is the floor
okrsync's first load is held against."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import neo4j
from procs import ORG

from okrsync.graph.statements import reference_create_nodes, statement
from okrsync.graph.values import to_neo4j
from okrsync.schema import LABELS
from okrsync.transform import GraphState


@dataclass(frozen=True)
class Method:
    name: str
    batch: int
    session_per_batch: bool = False  # v1's way: a new session (a pool checkout) per batch
    fresh: bool = False  # into a fresh store (server restarted); else emptied in place


# okrsync's own batch size (batch_size's default), v2's first (5000) and v1's, v1's session
# per batch, and a fresh store per run (the local server only).
METHODS = (
    Method("one session, 2000-row batches (okrsync's)", 2000),
    Method("one session, 5000-row batches", 5000),
    Method("v1: a session per 10000-row batch", 10_000, session_per_batch=True),
    Method("fresh store per run, one session, 2000-row batches", 2000, fresh=True),
)


class Reference:
    """Rows prepared once per size; `write` times one method's load into an empty database."""

    def __init__(self, target: GraphState) -> None:
        self.nodes: dict[str, list[dict[str, Any]]] = {
            label: [to_neo4j(dict(props)) for props in target.nodes[label].values()]
            for label in LABELS
        }
        self.rels: dict[str, list[dict[str, str]]] = {}
        for rel in target.rels:
            name = f"rels/create_{rel.type}_{rel.from_label}_{rel.to_label}"
            self.rels.setdefault(name, []).append({"from": rel.from_id, "to": rel.to_id})

    def write(self, driver: neo4j.Driver, method: Method) -> float:
        work = [(reference_create_nodes(label), rows) for label, rows in self.nodes.items()]
        work += [(statement(name), rows) for name, rows in sorted(self.rels.items())]
        started = time.monotonic()
        if method.session_per_batch:
            for query, rows in work:
                for chunk in _chunks(rows, method.batch):
                    with driver.session() as session:
                        _write(session, query, chunk)
        else:
            with driver.session() as session:
                for query, rows in work:
                    for chunk in _chunks(rows, method.batch):
                        _write(session, query, chunk)
        return time.monotonic() - started


def _chunks(rows: list[Any], size: int) -> list[list[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _write(session: neo4j.Session, query: str, rows: list[Any]) -> None:
    def work(tx: neo4j.ManagedTransaction) -> None:
        tx.run(query, rows=rows, org=ORG).consume()

    session.execute_write(work)
