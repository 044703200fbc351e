"""Pure: a parsed Snapshot -> the graph it should become (nodes with properties, relationships).

Nothing here does I/O, so the whole graph model can be tested without Neo4j. A null API value
becomes an absent property. Dates travel as canonical ISO 8601 strings in UTC (cheap to compare
and to persist); the writer turns the TEMPORAL properties into Neo4j DateTime values.
"""

from __future__ import annotations

import html
import re
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any, NamedTuple, Protocol

import msgspec

from okrsync.models import KeyResult, Label, Objective, Period, Snapshot, Team

PropValue = str | int | float
Props = dict[str, PropValue]
# Jira's fields on Issue nodes (optional enrichment): outside the mirror's diff.
ENRICHED_ISSUE_PROPS = frozenset({"key", "summary", "status", "issueType", "assignee", "url"})
# The properties that hold instants (ISO strings here, DateTime in Neo4j).
TEMPORAL = frozenset(
    {"created", "startDate", "deadline", "expectedEndDate", "statusUpdatedAt", "lastEdited"}
)

OBJECTIVE = "Objective"
KEY_RESULT = "KeyResult"
TEAM = "Team"
PERIOD = "Period"
LABEL = "Label"
ISSUE = "Issue"
USER = "User"
# Order matters: nodes are written in this order, deleted in the reverse.
LABELS = (TEAM, PERIOD, LABEL, ISSUE, USER, OBJECTIVE, KEY_RESULT)
ENTITY_LABELS = (OBJECTIVE, KEY_RESULT)
SHARED_LABELS = frozenset({TEAM, PERIOD, LABEL, ISSUE, USER})
# Relationship type -> the (from label, to label) pairs it may join.
REL_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "PARENT_OF": ((OBJECTIVE, OBJECTIVE),),
    "HAS_KR": ((OBJECTIVE, KEY_RESULT),),
    "IN_PERIOD": ((OBJECTIVE, PERIOD), (KEY_RESULT, PERIOD)),
    "BELONGS_TO": ((OBJECTIVE, TEAM), (KEY_RESULT, TEAM)),
    "HAS_LABEL": ((OBJECTIVE, LABEL), (KEY_RESULT, LABEL)),
    "TRACKS": ((KEY_RESULT, ISSUE),),
    "OWNS": ((USER, OBJECTIVE), (USER, KEY_RESULT)),
    "COLLABORATES_ON": ((USER, OBJECTIVE), (USER, KEY_RESULT)),
}


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

    def entity_count(self) -> int:
        return sum(self.count(label) for label in ENTITY_LABELS)


@dataclass(frozen=True)
class Dangling:
    """An edge the snapshot asked for whose far end it does not contain (skipped, not ghosted)."""

    rel_type: str
    from_id: str
    missing_id: str


class _TextExtractor(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


@lru_cache(maxsize=65536)
def _html_to_text(markup: str) -> str | None:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line) or None


def html_to_text(markup: str | None) -> str | None:
    """The plain-text form of an HTML description, for display; None when nothing is left."""
    # Cached: descriptions rarely change between cycles, and parsing HTML is the costliest
    # step of a transform.
    return None if markup is None else _html_to_text(markup)


def _clean(props: dict[str, PropValue | None]) -> Props:
    return {k: v for k, v in props.items() if v is not None}


def _common_props(e: Objective | KeyResult) -> dict[str, PropValue | None]:
    latest = e.latest_update
    return {
        "id": e.id,
        "key": e.key,
        "name": e.name,
        "description": e.description,
        "descriptionText": html_to_text(e.description),
        "link": e.link,
        "percentDone": e.percent_done,
        "status": latest.status if latest else None,
        "statusUpdatedAt": iso(latest.created) if latest else None,
        "created": iso(e.created),
        "startDate": iso(e.start_date),
        "deadline": iso(e.deadline),
        "expectedEndDate": iso(e.expected_end_date),
        "weight": e.weight,
        "finalGrade": e.final_grade,
        "okrType": e.okr_type_name,
        "customFields": e.custom_fields_json,
    }


def objective_props(o: Objective) -> Props:
    return _clean(_common_props(o))


def key_result_props(k: KeyResult) -> Props:
    props = _common_props(k)
    props.update(
        progressType=k.progress_type,
        startValue=k.start_value,
        desiredValue=k.desired_value,
        currentValue=k.latest_update.value if k.latest_update else None,
        unit=k.unit_name,
        unitSymbol=k.unit_symbol,
        jql=k.jql,
    )
    return _clean(props)


class LookupTables(Protocol):
    """Where Team, Period and Label nodes get their names (a Snapshot, or source.Lookups)."""

    @property
    def teams(self) -> Mapping[str, Team]: ...
    @property
    def periods(self) -> Mapping[str, Period]: ...
    @property
    def labels(self) -> Mapping[str, Label]: ...


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


def fragment(e: Objective | KeyResult, objective_ids: Container[str]) -> Fragment:
    """An entity's part of the graph. `objective_ids`: every objective in the snapshot, which
    decides whether the edge from its parent exists (a missing parent is skipped, not ghosted)."""
    label = OBJECTIVE if isinstance(e, Objective) else KEY_RESULT
    rels: list[Rel] = []
    if e.period_id:
        rels.append(Rel("IN_PERIOD", label, e.id, PERIOD, e.period_id))
    rels.extend(Rel("BELONGS_TO", label, e.id, TEAM, t) for t in e.team_ids)
    rels.extend(Rel("HAS_LABEL", label, e.id, LABEL, lb) for lb in e.label_ids)
    if e.owner_account_id:
        rels.append(Rel("OWNS", USER, e.owner_account_id, label, e.id))
    rels.extend(Rel("COLLABORATES_ON", USER, a, label, e.id) for a in e.collaborator_account_ids)
    dangling = None
    if isinstance(e, Objective):
        props = objective_props(e)
        if e.parent_id is not None:
            if parent_linked(label, e.id, e.parent_id, objective_ids):
                rels.append(Rel("PARENT_OF", OBJECTIVE, e.parent_id, OBJECTIVE, e.id))
            else:
                dangling = Dangling("PARENT_OF", e.id, e.parent_id)
    else:
        props = key_result_props(e)
        rels.extend(Rel("TRACKS", KEY_RESULT, e.id, ISSUE, i) for i in e.issue_ids)
        if e.parent_objective_id is not None:
            if parent_linked(label, e.id, e.parent_objective_id, objective_ids):
                rels.append(Rel("HAS_KR", OBJECTIVE, e.parent_objective_id, KEY_RESULT, e.id))
            else:
                dangling = Dangling("HAS_KR", e.id, e.parent_objective_id)
    return Fragment(label, e.id, props, tuple(dict.fromkeys(rels)), dangling)


def shared_ends(rels: Iterable[Rel]) -> Iterator[tuple[str, str]]:
    """The shared nodes (label, id) these relationships reach."""
    for r in rels:
        if r.from_label in SHARED_LABELS:
            yield r.from_label, r.from_id
        if r.to_label in SHARED_LABELS:
            yield r.to_label, r.to_id


def shared_props(label: str, node_id: str, lookups: LookupTables) -> Props:
    """A shared node's properties. An id without a lookup record still becomes a node (id
    only): the reference is real data, and the name appears once the API returns the record."""
    if label == USER:
        return {"accountId": node_id}
    if label == ISSUE:
        return {"id": node_id}
    if label == PERIOD:
        period = lookups.periods.get(node_id)
        return _clean(
            {
                "id": node_id,
                "name": period.name if period else None,
                "startDate": iso(period.start_date) if period else None,
                "deadline": iso(period.deadline) if period else None,
            }
        )
    table: Mapping[str, Team | Label] = lookups.teams if label == TEAM else lookups.labels
    record = table.get(node_id)
    return _clean({"id": node_id, "name": record.name if record else None})


def to_graph(snapshot: Snapshot) -> tuple[GraphState, list[Dangling]]:
    """The graph a snapshot should become, and the edges skipped for want of their far end."""
    state = GraphState()
    dangling: list[Dangling] = []
    entities: list[Objective | KeyResult] = [
        *snapshot.objectives.values(),
        *snapshot.key_results.values(),
    ]
    for e in entities:
        frag = fragment(e, snapshot.objectives)
        add_fragment(state, frag)
        if frag.dangling:
            dangling.append(frag.dangling)
    for label, node_id in sorted(set(shared_ends(state.rels))):
        state.nodes[label][node_id] = shared_props(label, node_id, snapshot)
    return state, dangling


def add_fragment(state: GraphState, frag: Fragment) -> None:
    state.nodes[frag.label][frag.id] = frag.props
    state.rels.update(frag.rels)
