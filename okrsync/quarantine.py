"""Pure: which entities a quarantined record keeps in the graph.

A record whose identity is unusable (an id that is null, an object, empty) cannot be placed, so
it changes nothing: the entity it most likely is keeps its last good version. It is recognised
by its human key (OKR-12) when it carries one; a record without even that could be any entity
of its label missing from the answer, so all of those are kept until the answer is whole again
(a deletion delayed by a cycle or two is recoverable; a deletion of the wrong entity is not).
"""

from __future__ import annotations

from collections.abc import Iterable

from okrsync.schema import RELATIONSHIPS
from okrsync.source import Quarantined
from okrsync.transform import Fragment, GraphState, Props, as_props

_OWNER = {(r.type, r.start, r.end): r.owner for r in RELATIONSHIPS}


def held(
    quarantined: Iterable[Quarantined], missing: Iterable[tuple[str, str, Props | str]]
) -> set[tuple[str, str]]:
    """Of the entities (label, id, last props) missing from this answer, those a quarantined
    record may be: by its key, or every one of its label when it has none."""
    keys, blind = set(), set()
    for q in quarantined:
        if q.key:
            keys.add((q.label, q.key))
        else:
            blind.add(q.label)
    kept = set()
    for label, node_id, props in missing:
        if label in blind or (label, as_props(props).get("key")) in keys:
            kept.add((label, node_id))
    return kept


def fragment_in(state: GraphState, label: str, node_id: str) -> Fragment:
    """An entity's fragment as a graph state holds it: its node and the relationships it owns."""
    rels = tuple(
        sorted(
            r
            for r in state.rels
            if (
                (r.from_label, r.from_id) == (label, node_id)
                and _OWNER.get((r.type, r.from_label, r.to_label)) == "start"
            )
            or (
                (r.to_label, r.to_id) == (label, node_id)
                and _OWNER.get((r.type, r.from_label, r.to_label)) == "end"
            )
        )
    )
    return Fragment(label, node_id, state.nodes[label][node_id], rels)
