"""Pure: (what the graph holds, what it should hold) -> the smallest set of changes between them.

The same function serves both the ordinary cycle (previous snapshot vs new) and drift repair
(what was read back from Neo4j vs new): only the left-hand side differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from okrsync.schema import ENTITY_LABELS, LABELS, RELATIONSHIPS
from okrsync.transform import (
    GraphState,
    Props,
    PropValue,
    Rel,
    as_props,
    canonical,
)

NodeKind = Literal["created", "updated", "deleted"]
# What a person calls a node: an objective by its key and name, a team or a period by its name.
NAMING = ("key", "name")
# (type, start, end) -> whether the owning entity is the start node.
_OWNED_BY_START = {(r.type, r.start, r.end): r.owner == "start" for r in RELATIONSHIPS}


@dataclass(frozen=True)
class NodeChange:
    kind: NodeKind
    label: str
    id: str
    # created: every property; updated: only the changed ones (None removes it); deleted: empty
    props: Mapping[str, PropValue | None]
    # field -> (old, new), for the change log
    fields: dict[str, tuple[PropValue | None, PropValue | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    nodes: list[NodeChange] = field(default_factory=list)
    linked: list[Rel] = field(default_factory=list)
    unlinked: list[Rel] = field(default_factory=list)
    # Changes written in bulk and counted, not listed (the first load of an empty graph).
    bulk: dict[str, int] = field(default_factory=dict)
    # (kind, label, id) -> its key and name, for the far ends of what is linked or unlinked
    # (kind): the journal says what an entity moved from and to as a person would name it.
    names: dict[tuple[str, str, str], dict[str, PropValue]] = field(default_factory=dict)

    def of_kind(self, kind: NodeKind, label: str | None = None) -> list[NodeChange]:
        return [c for c in self.nodes if c.kind == kind and (label is None or c.label == label)]

    @property
    def empty(self) -> bool:
        return not (self.nodes or self.linked or self.unlinked or any(self.bulk.values()))

    def entity_deletes(self) -> int:
        return sum(1 for c in self.nodes if c.kind == "deleted" and c.label in ENTITY_LABELS)

    def node_deletes(self) -> int:
        """Every node this plan deletes, shared lookups included."""
        return sum(1 for c in self.nodes if c.kind == "deleted")

    def summary(self) -> dict[str, int]:
        listed = {
            "created": len(self.of_kind("created")),
            "updated": len(self.of_kind("updated")),
            "deleted": len(self.of_kind("deleted")),
            "linked": len(self.linked),
            "unlinked": len(self.unlinked),
        }
        return {k: v + self.bulk.get(k, 0) for k, v in listed.items()}

    def count_deltas(self) -> dict[str, int]:
        """How this plan changes the node count per label and relationship count per type."""
        deltas: dict[str, int] = {}
        for c in self.nodes:
            if c.kind != "updated":
                deltas[c.label] = deltas.get(c.label, 0) + (1 if c.kind == "created" else -1)
        for rel in self.linked:
            deltas[rel.type] = deltas.get(rel.type, 0) + 1
        for rel in self.unlinked:
            deltas[rel.type] = deltas.get(rel.type, 0) - 1
        return deltas

    def unnamed_far_ends(self) -> list[tuple[str, str, str]]:
        """(kind, label, id) of the far ends linked or unlinked whose names the plan lacks."""
        ends = {
            (kind, *far_end(r))
            for kind, rels in (("unlinked", self.unlinked), ("linked", self.linked))
            for r in rels
        }
        return sorted(end for end in ends if end not in self.names)


def far_end(rel: Rel) -> tuple[str, str]:
    """The (label, id) at the other end from the entity that owns the relationship."""
    if _OWNED_BY_START[rel.type, rel.from_label, rel.to_label]:
        return rel.to_label, rel.to_id
    return rel.from_label, rel.from_id


def naming(props: Props | str) -> dict[str, PropValue]:
    """A node's key and name, those it has."""
    values = as_props(props)
    return {k: values[k] for k in NAMING if k in values}


def name_far_ends(plan: Plan, before: GraphState, after: GraphState) -> None:
    """Name what the plan links from the new state and what it unlinks from the old one (a
    team renamed in the same cycle is named as it was when it was left); an end neither state
    holds stays unnamed."""
    sides = (("unlinked", plan.unlinked, before, after), ("linked", plan.linked, after, before))
    for kind, rels, first, second in sides:
        for rel in rels:
            label, node_id = far_end(rel)
            props = first.nodes.get(label, {}).get(node_id)
            if props is None:
                props = second.nodes.get(label, {}).get(node_id)
            if props is not None:
                plan.names[kind, label, node_id] = naming(props)


def same_value(old: PropValue | None, new: PropValue | None) -> bool:
    if isinstance(old, float | int) and isinstance(new, float | int):
        return not isinstance(old, bool) and float(old) == float(new)
    return type(old) is type(new) and old == new


def changed_fields(old: Props, new: Props) -> dict[str, tuple[PropValue | None, PropValue | None]]:
    out: dict[str, tuple[PropValue | None, PropValue | None]] = {}
    for key in old.keys() | new.keys():
        before, after = old.get(key), new.get(key)
        if not same_value(before, after):
            out[key] = (before, after)
    return dict(sorted(out.items()))


def plan_changes(before: GraphState, after: GraphState) -> Plan:
    """Every node and relationship to create, update, delete, link or unlink, in write order."""
    plan = Plan()
    for label in LABELS:
        old_nodes, new_nodes = before.nodes.get(label, {}), after.nodes.get(label, {})
        for node_id, props in new_nodes.items():
            stored = old_nodes.get(node_id)
            if stored is None:
                plan.nodes.append(NodeChange("created", label, node_id, as_props(props)))
                continue
            if isinstance(stored, str) and isinstance(props, dict):
                if stored == canonical(props):  # the common case: one string compare
                    continue
            elif stored == props:
                continue
            fields = changed_fields(as_props(stored), as_props(props))
            if fields:
                plan.nodes.append(
                    NodeChange(
                        "updated",
                        label,
                        node_id,
                        {k: new for k, (_, new) in fields.items()},
                        fields,
                    )
                )
        for node_id in sorted(old_nodes.keys() - new_nodes.keys()):
            gone = as_props(old_nodes[node_id])
            # Deleted entities are logged with what identifies them to a person.
            remembered: dict[str, tuple[PropValue | None, PropValue | None]] = {
                k: (gone[k], None) for k in ("key", "name") if k in gone
            }
            plan.nodes.append(NodeChange("deleted", label, node_id, {}, remembered))
    plan.linked.extend(sorted(after.rels - before.rels))
    plan.unlinked.extend(sorted(before.rels - after.rels))
    name_far_ends(plan, before, after)
    return plan
