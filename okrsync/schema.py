"""The graph model as data: every node label and relationship type okrsync writes, declared once.

Everything else derives from these declarations: transform reads each property from the parsed
record at its `source`, the graph package generates every mirror statement (create, merge,
update, delete, link, unlink, read-back, counts, constraints), the benchmark's reference load
uses the same statements, and the state store's format version is a hash of this module's
declarations (with the transform's own code), so a change here makes the next cycle reconcile.

Adding a property: one `Property` in its label's tuple (its `source` is the attribute of the
parsed record in okrsync.models). Adding a relationship type: one `Relationship`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Literal

OBJECTIVE = "Objective"
KEY_RESULT = "KeyResult"
TEAM = "Team"
PERIOD = "Period"
LABEL = "Label"
ISSUE = "Issue"
USER = "User"
OKR_TYPE = "OkrType"

# Every node and relationship okrsync writes carries its organisation in this property: keys are
# (organisation, key), and nothing without it, or with another organisation's, is ever matched,
# changed or deleted, whatever its label.
OWNER = "okrsyncOrg"

# value: stored as it is; instant: ISO text in okrsync, a DateTime in Neo4j;
# html_text: the plain text of the HTML at `source`.
Conversion = Literal["value", "instant", "html_text"]


@dataclass(frozen=True)
class Property:
    """One property of a node: its name in the graph and where transform reads it."""

    name: str
    # A dotted attribute path on the parsed record (okrsync.models); a None on the way is None.
    source: str
    conversion: Conversion = "value"

    @property
    def instant(self) -> bool:
        return self.conversion == "instant"


@dataclass(frozen=True)
class GroupLabel:
    """One label of a LabelGroup, and the source values that give it."""

    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class LabelGroup:
    """Extra labels of which every node of a type carries exactly one, chosen by the value at
    `source` (Neo4j Browser styles colour by label, never by property). The chosen label travels
    through transform, diff and state as the pseudo-property `name`; the statements set and
    remove only the labels declared here, never a label read from the data."""

    name: str
    source: str
    labels: tuple[GroupLabel, ...]
    # The label of a node whose value no group lists (no value at all included).
    default: str

    @property
    def all_labels(self) -> tuple[str, ...]:
        return (*(g.label for g in self.labels), self.default)

    def label_for(self, value: object) -> str:
        return next((g.label for g in self.labels if value in g.values), self.default)


# OKR health at a glance: the latest check-in's status (an internal enum of the API) in five
# groups. A status the API adds later, and no check-in at all, is NoStatus.
STATUS_GROUP = LabelGroup(
    "statusGroup",
    "latest_update.status",
    (
        GroupLabel("OnTrack", ("ON_TRACK",)),
        GroupLabel("AtRisk", ("AT_RISK", "DELAYED", "ASSUMPTIONS_CHANGED")),
        # ACTION_REQUIRED is what the app shows as "Off Track"; a failed or missed one is
        # closed, but what matters at a glance is that it went wrong.
        GroupLabel("OffTrack", ("ACTION_REQUIRED", "FAILED", "MISSED_TARGET")),
        GroupLabel("Done", ("SUCCESS", "FINISHED", "CANCELED")),
    ),
    default="NoStatus",
)


@dataclass(frozen=True)
class NodeType:
    """A label okrsync writes.

    entity: an objective or key result, one per API record; it owns its relationships.
    lookup: shared (a team, period, label, issue, user); it exists while a relationship of
    some entity reaches it, and takes its properties from the API's lookup arrays when they
    describe it (`properties`), else only its key."""

    label: str
    key: str
    kind: Literal["entity", "lookup"]
    properties: tuple[Property, ...]
    # Properties other writers put on these nodes (the optional Jira enrichment): never part of
    # the mirror's diff, never removed by a repair.
    foreign: tuple[str, ...] = ()
    group: LabelGroup | None = None

    @property
    def instants(self) -> frozenset[str]:
        return frozenset(p.name for p in self.properties if p.instant)

    @property
    def property_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties)


@dataclass(frozen=True)
class Relationship:
    """A relationship type between two labels, owned by the entity whose record names the far
    end at `source` (an id or a list of ids): the start node, or with `owner="end"` the end
    node (a user OWNS an objective, but the objective's record names its owner)."""

    type: str
    start: str
    end: str
    source: str
    owner: Literal["start", "end"] = "start"
    # The owning entity's field this relationship is, in the change journal ("team": a
    # BELONGS_TO linked or unlinked is journalled as the entity's team changing).
    journal: str = ""

    @property
    def name(self) -> str:
        """Unique per (type, start, end): the suffix of its statements' names."""
        return f"{self.type}_{self.start}_{self.end}"

    @property
    def owner_label(self) -> str:
        return self.start if self.owner == "start" else self.end

    @property
    def target_label(self) -> str:
        """The label at the far end from the owning entity."""
        return self.end if self.owner == "start" else self.start


def _entity_properties(*extra: Property) -> tuple[Property, ...]:
    """What objectives and key results share, then `extra`."""
    return (
        Property("id", "id"),
        Property("key", "key"),
        Property("name", "name"),
        Property("description", "description"),
        Property("descriptionText", "description", "html_text"),
        Property("link", "link"),
        Property("percentDone", "percent_done"),
        Property("status", "latest_update.status"),
        Property("displayedStatus", "latest_update.displayed_status"),
        Property("statusUpdatedAt", "latest_update.created", "instant"),
        Property("created", "created", "instant"),
        Property("startDate", "start_date", "instant"),
        Property("deadline", "deadline", "instant"),
        Property("expectedEndDate", "expected_end_date", "instant"),
        Property("weight", "weight"),
        Property("finalGrade", "final_grade"),
        Property("okrType", "okr_type_name"),
        Property("customFields", "custom_fields_json"),
        *extra,
    )


# Order matters: nodes are written in this order and deleted in the reverse.
NODES: tuple[NodeType, ...] = (
    NodeType(TEAM, "id", "lookup", (Property("id", "id"), Property("name", "name"))),
    NodeType(
        PERIOD,
        "id",
        "lookup",
        (
            Property("id", "id"),
            Property("name", "name"),
            Property("startDate", "start_date", "instant"),
            Property("deadline", "deadline", "instant"),
        ),
    ),
    NodeType(LABEL, "id", "lookup", (Property("id", "id"), Property("name", "name"))),
    NodeType(
        ISSUE,
        "id",
        "lookup",
        (Property("id", "id"),),
        foreign=("key", "summary", "status", "issueType", "assignee", "url"),
    ),
    NodeType(USER, "accountId", "lookup", (Property("accountId", "id"),)),
    NodeType(
        OKR_TYPE,
        "id",
        "lookup",
        (
            Property("id", "id"),
            Property("name", "name"),
            Property("backgroundColor", "background_color"),
            Property("textColor", "text_color"),
        ),
    ),
    NodeType(OBJECTIVE, "id", "entity", _entity_properties(), group=STATUS_GROUP),
    NodeType(
        KEY_RESULT,
        "id",
        "entity",
        _entity_properties(
            Property("progressType", "progress_type"),
            Property("startValue", "start_value"),
            Property("desiredValue", "desired_value"),
            Property("currentValue", "latest_update.value"),
            Property("unit", "unit_name"),
            Property("unitSymbol", "unit_symbol"),
            Property("jql", "jql"),
        ),
        group=STATUS_GROUP,
    ),
)

RELATIONSHIPS: tuple[Relationship, ...] = (
    Relationship("PARENT_OF", OBJECTIVE, OBJECTIVE, "parent_id", "end", "parent"),
    Relationship("HAS_KR", OBJECTIVE, KEY_RESULT, "parent_objective_id", "end", "objective"),
    Relationship("IN_PERIOD", OBJECTIVE, PERIOD, "period_id", journal="period"),
    Relationship("IN_PERIOD", KEY_RESULT, PERIOD, "period_id", journal="period"),
    Relationship("BELONGS_TO", OBJECTIVE, TEAM, "team_ids", journal="team"),
    Relationship("BELONGS_TO", KEY_RESULT, TEAM, "team_ids", journal="team"),
    Relationship("HAS_LABEL", OBJECTIVE, LABEL, "label_ids", journal="label"),
    Relationship("HAS_LABEL", KEY_RESULT, LABEL, "label_ids", journal="label"),
    Relationship("OF_TYPE", OBJECTIVE, OKR_TYPE, "okr_type_id", journal="type"),
    Relationship("OF_TYPE", KEY_RESULT, OKR_TYPE, "okr_type_id", journal="type"),
    Relationship("TRACKS", KEY_RESULT, ISSUE, "issue_ids", journal="issue"),
    Relationship("OWNS", USER, OBJECTIVE, "owner_account_id", "end", "owner"),
    Relationship("OWNS", USER, KEY_RESULT, "owner_account_id", "end", "owner"),
    Relationship(
        "COLLABORATES_ON", USER, OBJECTIVE, "collaborator_account_ids", "end", "collaborator"
    ),
    Relationship(
        "COLLABORATES_ON", USER, KEY_RESULT, "collaborator_account_ids", "end", "collaborator"
    ),
)

NODE_TYPES: dict[str, NodeType] = {n.label: n for n in NODES}
LABELS: tuple[str, ...] = tuple(n.label for n in NODES)
ENTITY_LABELS: tuple[str, ...] = tuple(n.label for n in NODES if n.kind == "entity")
LOOKUP_LABELS: frozenset[str] = frozenset(n.label for n in NODES if n.kind == "lookup")
# Relationship type names, each once, in declaration order.
REL_TYPES: tuple[str, ...] = tuple(dict.fromkeys(r.type for r in RELATIONSHIPS))
RELATIONSHIPS_OF: dict[str, tuple[Relationship, ...]] = {
    label: tuple(r for r in RELATIONSHIPS if r.owner_label == label) for label in ENTITY_LABELS
}
# The label groups, each once, and every label they may set.
GROUPS: tuple[LabelGroup, ...] = tuple(dict.fromkeys(n.group for n in NODES if n.group))
GROUP_NAMES: frozenset[str] = frozenset(g.name for g in GROUPS)
GROUP_LABELS: tuple[str, ...] = tuple(label for g in GROUPS for label in g.all_labels)
# Every property that holds an instant, on any label.
INSTANTS: frozenset[str] = frozenset(p for n in NODES for p in n.instants)


def key_of(label: str) -> str:
    return NODE_TYPES[label].key


def model_digest() -> str:
    """A short hash of the declarations above: the graph model's version."""
    text = json.dumps(
        {"nodes": [asdict(n) for n in NODES], "relationships": [asdict(r) for r in RELATIONSHIPS]},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]
