"""Pure: a parsed Snapshot -> the graph it should become (nodes with properties, relationships).

Nothing here does I/O, so the whole graph model can be tested without Neo4j. A null API value
becomes an absent property. Dates travel as canonical ISO 8601 strings in UTC (cheap to compare
and to persist); the writer turns the TEMPORAL properties into Neo4j DateTime values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any, NamedTuple, Protocol

import msgspec

from okrsync.models import KeyResult, Label, Objective, OkrType, Period, Team
from okrsync.schema import (
    ENTITY_LABELS,
    KEY_RESULT,
    LABELS,
    LOOKUP_LABELS,
    NODE_TYPES,
    NODES,
    OBJECTIVE,
    RELATIONSHIPS_OF,
    Conversion,
    Property,
)
from okrsync.text import html_to_text

PropValue = str | int | float
Props = dict[str, PropValue]


class Rel(NamedTuple):
    """A relationship; a tuple so that sets of hundreds of thousands hash and compare in C."""

    type: str
    from_label: str
    from_id: str
    to_label: str
    to_id: str


def iso(moment: datetime | None) -> str | None:
    """The canonical text of an instant: UTC, ISO 8601, e.g. 2021-03-31T23:59:59+00:00."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


def canonical(props: Props) -> str:
    """Properties as canonical JSON text: how the state store keeps them, compact and comparable."""
    # Key order is transform's fixed order; a text from another order only costs a re-compare.
    return msgspec.json.encode(props).decode()


def as_props(value: Props | str) -> Props:
    """Properties from either form (a dict, or canonical JSON text from the state store)."""
    if isinstance(value, str):
        decoded: Props = msgspec.json.decode(value)
        return decoded
    return value


@dataclass
class GraphState:
    """What the mirrored part of the graph holds: nodes by label and id, and relationships."""

    # Props, or their canonical JSON text when read from the state file: a text per node costs
    # a fraction of a dict's memory, and is decoded only for the few nodes that changed.
    nodes: dict[str, dict[str, Props | str]] = field(
        default_factory=lambda: {lb: {} for lb in LABELS}
    )
    rels: set[Rel] = field(default_factory=set)

    def count(self, label: str) -> int:
        return len(self.nodes.get(label, {}))


@dataclass(frozen=True)
class Dangling:
    """An edge the snapshot asked for whose far end it does not contain (skipped, not ghosted)."""

    rel_type: str
    from_id: str
    missing_id: str


Getter = Callable[[Any], Any]


def _getter(path: str) -> Getter:
    """Reads a dotted attribute path; a None on the way reads as None."""
    head, _, rest = path.partition(".")
    outer = attrgetter(head)
    if not rest:
        return outer
    inner = _getter(rest)

    def get(obj: Any) -> Any:
        value = outer(obj)
        return None if value is None else inner(value)

    return get


_CONVERT: dict[Conversion, Callable[[Any], PropValue | None] | None] = {
    "value": None,
    "instant": iso,
    "html_text": html_to_text,
}


def _extractors(properties: Iterable[Property]) -> tuple[tuple[str, Getter, Any], ...]:
    return tuple((p.name, _getter(p.source), _CONVERT[p.conversion]) for p in properties)


# Compiled once: a transform reads each property at its declared source (okrsync.schema).
_EXTRACT = {label: _extractors(NODE_TYPES[label].properties) for label in LABELS}
_GROUP = {
    n.label: (n.group.name, n.group.label_for, _getter(n.group.source)) for n in NODES if n.group
}
_RELATIONSHIPS = {
    label: tuple((r, attrgetter(r.source)) for r in rels)
    for label, rels in RELATIONSHIPS_OF.items()
}


def node_props(label: str, record: Any) -> Props:
    """A node's properties read from its parsed record; a None is an absent property."""
    props: Props = {}
    for name, get, convert in _EXTRACT[label]:
        value = get(record)
        if value is not None and convert is not None:
            value = convert(value)
        if value is not None:
            props[name] = value
    if label in _GROUP:  # the node's group label, carried as a pseudo-property (schema.LabelGroup)
        name, label_for, get = _GROUP[label]
        props[name] = label_for(get(record))
    return props


class LookupTables(Protocol):
    """Where Team, Period and Label nodes get their names (source.Lookups)."""

    @property
    def teams(self) -> Mapping[str, Team]: ...
    @property
    def periods(self) -> Mapping[str, Period]: ...
    @property
    def labels(self) -> Mapping[str, Label]: ...
    @property
    def okr_types(self) -> Mapping[str, OkrType]: ...


class Fragment(NamedTuple):
    """What one objective or key result puts into the graph: its node, and the relationships it
    owns (every relationship belongs to exactly one entity). Team, Period, Label, User and Issue
    nodes are shared: they exist while some fragment's relationship reaches them."""

    label: str
    id: str
    props: Props | str  # str: canonical JSON text, as the state store keeps it
    rels: tuple[Rel, ...]
    dangling: Dangling | None = None


def parent_linked(
    label: str, entity_id: str, parent_id: str | None, objective_ids: Container[str]
) -> bool:
    """Whether the edge from an entity's parent objective exists: the parent must be in the
    snapshot (and an objective cannot parent itself)."""
    if parent_id is None or parent_id not in objective_ids:
        return False
    return not (label == OBJECTIVE and parent_id == entity_id)


# Custom field values become properties named after their field: `custom.Risk`. The prefix keeps
# them apart from the declared properties (a field may be called "name"); a field the
# definitions do not name keeps its id.
CUSTOM_PREFIX = "custom."


def custom_props(custom_fields_json: str | None, names: Mapping[str, str]) -> Props:
    """An entity's custom field values by field name. Text, numbers and booleans as they
    are; anything else (a multi-select list, a user object) as canonical JSON text."""
    if not custom_fields_json:
        return {}
    values: dict[str, Any] = msgspec.json.decode(custom_fields_json)
    named = [(names.get(fid, fid), fid, v) for fid, v in values.items() if v is not None]
    taken = Counter(name for name, _, _ in named)
    props: Props = {}
    for name, fid, value in sorted(named, key=lambda t: (t[0], t[1])):
        key = CUSTOM_PREFIX + (name if taken[name] == 1 else fid)  # two fields, one name: ids
        if isinstance(value, str | int | float):
            props[key] = value
        else:
            props[key] = msgspec.json.encode(value, order="sorted").decode()
    return props


def fragment(
    e: Objective | KeyResult,
    objective_ids: Container[str],
    field_names: Mapping[str, str] | None = None,
) -> Fragment:
    """An entity's part of the graph. `objective_ids`: every objective in the snapshot, which
    decides whether an edge to another objective exists (a missing one is skipped, not
    ghosted). `field_names`: custom field id -> name, from the answer's definitions."""
    label = OBJECTIVE if isinstance(e, Objective) else KEY_RESULT
    rels: list[Rel] = []
    dangling = None
    for rel, read in _RELATIONSHIPS[label]:
        value = read(e)
        for far in (value,) if isinstance(value, str) else value or ():
            if rel.target_label in ENTITY_LABELS and not parent_linked(
                label, e.id, far, objective_ids
            ):
                dangling = Dangling(rel.type, e.id, far)
                continue
            if rel.owner == "start":
                rels.append(Rel(rel.type, rel.start, e.id, rel.end, far))
            else:
                rels.append(Rel(rel.type, rel.start, far, rel.end, e.id))
    props = node_props(label, e)
    props.update(custom_props(e.custom_fields_json, field_names or {}))
    return Fragment(label, e.id, props, tuple(dict.fromkeys(rels)), dangling)


def shared_ends(rels: Iterable[Rel]) -> Iterator[tuple[str, str]]:
    """The shared nodes (label, id) these relationships reach."""
    for r in rels:
        if r.from_label in LOOKUP_LABELS:
            yield r.from_label, r.from_id
        if r.to_label in LOOKUP_LABELS:
            yield r.to_label, r.to_id


def shared_props(label: str, node_id: str, lookups: LookupTables) -> Props:
    """A shared node's properties. An id without a lookup record still becomes a node (key
    only): the reference is real data, and the name appears once the API returns the record."""
    tables: dict[str, Mapping[str, Any]] = {
        "Team": lookups.teams,
        "Period": lookups.periods,
        "Label": lookups.labels,
        "OkrType": lookups.okr_types,
    }
    record = tables[label].get(node_id) if label in tables else None
    if record is None:
        return {NODE_TYPES[label].key: node_id}
    return node_props(label, record)


def add_fragment(state: GraphState, frag: Fragment) -> None:
    state.nodes[frag.label][frag.id] = frag.props
    state.rels.update(frag.rels)
