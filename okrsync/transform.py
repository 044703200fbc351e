"""Pure: a parsed Snapshot -> the graph it should become (nodes with properties, relationships).

Nothing here does I/O, so the whole graph model can be tested without Neo4j. A null API value
becomes an absent property. Dates travel as canonical ISO 8601 strings in UTC (cheap to compare
and to persist); the writer turns the TEMPORAL properties into Neo4j DateTime values.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any, NamedTuple

from okrsync.models import KeyResult, Objective, Snapshot

PropValue = str | int | float
Props = dict[str, PropValue]
# Jira's fields on Issue nodes (optional enrichment): outside the mirror's diff.
ENRICHED_ISSUE_PROPS = frozenset({"key", "summary", "status", "issueType", "assignee", "url"})
# The properties that hold instants (ISO strings here, DateTime in Neo4j).
TEMPORAL = frozenset({"created", "startDate", "deadline", "expectedEndDate", "statusUpdatedAt"})

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
    """Properties as canonical JSON text: how the state file keeps them, compact and comparable."""
    # Key order is transform's fixed order; a text from another order only costs a re-compare.
    return json.dumps(props, ensure_ascii=False, separators=(",", ":"))


def as_props(value: Props | str) -> Props:
    """Properties from either form (a dict, or canonical JSON text from the state file)."""
    if isinstance(value, str):
        decoded: Props = json.loads(value)
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


class _Builder:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.state = GraphState()
        self.dangling: list[Dangling] = []

    def node(self, label: str, node_id: str, props: Props) -> None:
        self.state.nodes[label].setdefault(node_id, props)

    def link(self, rel_type: str, from_label: str, from_id: str, to_label: str, to_id: str) -> None:
        self.state.rels.add(Rel(rel_type, from_label, from_id, to_label, to_id))

    def lookups(
        self, label: str, from_label: str, from_id: str, ids: Iterable[str], rel_type: str
    ) -> None:
        """Team/Period/Label references: a node per id, named when the lookup knows it.

        An id without a lookup record still becomes a node (id only): the reference is real
        data, and the name appears as soon as the API returns the record.
        """
        table: Any = {
            TEAM: self.snapshot.teams,
            PERIOD: self.snapshot.periods,
            LABEL: self.snapshot.labels,
        }[label]
        for ref in ids:
            record = table.get(ref)
            if label == PERIOD:
                props = _clean(
                    {
                        "id": ref,
                        "name": record and record.name,
                        "startDate": record and iso(record.start_date),
                        "deadline": record and iso(record.deadline),
                    }
                )
            else:
                props = _clean({"id": ref, "name": record and record.name})
            self.node(label, ref, props)
            self.link(rel_type, from_label, from_id, label, ref)

    def people(
        self, label: str, entity_id: str, owner: str | None, collaborators: Iterable[str]
    ) -> None:
        if owner:
            self.node(USER, owner, {"accountId": owner})
            self.link("OWNS", USER, owner, label, entity_id)
        for account in collaborators:
            self.node(USER, account, {"accountId": account})
            self.link("COLLABORATES_ON", USER, account, label, entity_id)

    def entity(self, label: str, e: Objective | KeyResult) -> None:
        self.lookups(PERIOD, label, e.id, [e.period_id] if e.period_id else [], "IN_PERIOD")
        self.lookups(TEAM, label, e.id, e.team_ids, "BELONGS_TO")
        self.lookups(LABEL, label, e.id, e.label_ids, "HAS_LABEL")
        self.people(label, e.id, e.owner_account_id, e.collaborator_account_ids)

    def build(self) -> GraphState:
        snap = self.snapshot
        for o in snap.objectives.values():
            self.node(OBJECTIVE, o.id, objective_props(o))
            self.entity(OBJECTIVE, o)
            if o.parent_id is None:
                continue
            if o.parent_id == o.id or o.parent_id not in snap.objectives:
                self.dangling.append(Dangling("PARENT_OF", o.id, o.parent_id))
            else:
                self.link("PARENT_OF", OBJECTIVE, o.parent_id, OBJECTIVE, o.id)
        for k in snap.key_results.values():
            self.node(KEY_RESULT, k.id, key_result_props(k))
            self.entity(KEY_RESULT, k)
            for issue in k.issue_ids:
                self.node(ISSUE, issue, {"id": issue})
                self.link("TRACKS", KEY_RESULT, k.id, ISSUE, issue)
            if k.parent_objective_id is None:
                continue
            if k.parent_objective_id in snap.objectives:
                self.link("HAS_KR", OBJECTIVE, k.parent_objective_id, KEY_RESULT, k.id)
            else:
                self.dangling.append(Dangling("HAS_KR", k.id, k.parent_objective_id))
        return self.state


def to_graph(snapshot: Snapshot) -> tuple[GraphState, list[Dangling]]:
    """The graph a snapshot should become, and the edges skipped for want of their far end."""
    builder = _Builder(snapshot)
    return builder.build(), builder.dangling
