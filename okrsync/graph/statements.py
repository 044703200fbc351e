"""The mirror's Cypher, generated from the graph model (okrsync.schema) when first asked for.

Only labels, types and property names from the model's own declarations are written into the
text; every value travels as a parameter. Statements are named like the files they once were
(`nodes/merge_Objective`, `rels/link_HAS_KR_Objective_KeyResult`): the names appear in logs and
test hooks. `python -m okrsync.graph.statements` prints every one of them, for reading.

Hand-written Cypher (the query library, history statements) stays in cypher/ and is read with
`cypher(name)`.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from importlib import resources

from okrsync.errors import GraphError
from okrsync.schema import (
    GROUP_LABELS,
    LABELS,
    NODE_TYPES,
    NODES,
    OWNER,
    RELATIONSHIPS,
    Relationship,
)

# Instants arrive as ISO text in row.times; datetime() makes them DateTime values (the driver's
# own datetime encoding is pure Python and dominated a 100k load).
_SET_TIMES = "FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))"


@cache
def cypher(name: str) -> str:
    """The text of cypher/<name>.cypher as shipped inside the installed package."""
    try:
        return (resources.files("okrsync.cypher") / f"{name}.cypher").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GraphError(f"okrsync is missing cypher/{name}.cypher: reinstall it") from None


def split_statements(text: str) -> list[str]:
    """Several statements separated by ';', comment lines dropped."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return [s.strip() for s in body.split(";") if s.strip()]


def _match(var: str, label: str, key: str) -> str:
    """A node of this organisation by its key: (organisation, key) is what identifies it."""
    return f"({var}:{label} {{{OWNER}: $org, {NODE_TYPES[label].key}: {key}}})"


def _owned(var: str) -> str:
    return f"{var}.{OWNER} = $org"


def _set_group(label: str, *, fresh: bool = False) -> str:
    """The row's group label (schema.LabelGroup) on the node, and none of the group's others;
    a row without one (an update that leaves it) changes no label. Each label is a literal
    from the model's declarations: one FOREACH per declared label, no label from the data."""
    group = NODE_TYPES[label].group
    if group is None:
        return ""
    lines = [
        f"FOREACH (x IN CASE WHEN row.group = '{g}' THEN [1] ELSE [] END | SET n:{g})"
        for g in group.all_labels
    ]
    if not fresh:  # a created node has no label to remove
        others = ":".join(group.all_labels)
        lines.insert(
            0,
            f"FOREACH (x IN CASE WHEN row.group IS NULL THEN [] ELSE [1] END | REMOVE n:{others})",
        )
    return "\n" + "\n".join(lines)


def create_nodes(label: str) -> str:
    return (
        f"UNWIND $rows AS row\nCREATE (n:{label})\nSET n = row.props, {_owned('n')}\n{_SET_TIMES}"
        f"{_set_group(label, fresh=True)}"
    )


def merge_nodes(label: str) -> str:
    merge = _match("n", label, "row.key")
    return (
        f"UNWIND $rows AS row\nMERGE {merge}\nSET n = row.props, {_owned('n')}\n{_SET_TIMES}"
        f"{_set_group(label)}"
    )


def update_nodes(label: str) -> str:
    match = _match("n", label, "row.key")
    return (
        f"UNWIND $rows AS row\nMATCH {match}\nSET n += row.props\n{_SET_TIMES}{_set_group(label)}"
    )


def delete_nodes(label: str) -> str:
    """Delete the organisation's nodes with their relationships of this organisation. A node that
    another application's relationships still reach is not deleted (that would delete those too):
    it is disowned, left to that application without okrsync's mark."""
    return (
        f"UNWIND $keys AS key\nMATCH {_match('n', label, 'key')}\n"
        f"CALL (n) {{\n  MATCH (n)-[r]-()\n  WHERE {_owned('r')}\n  DELETE r\n}}\n"
        f"CALL (n) {{\n  WITH n WHERE EXISTS {{ (n)--() }}\n  REMOVE n.{OWNER}\n}}\n"
        "CALL (n) {\n  WITH n WHERE NOT EXISTS { (n)--() }\n  DELETE n\n}"
    )


def _ends(rel: Relationship) -> str:
    return (
        f"UNWIND $rows AS row\nMATCH {_match('a', rel.start, 'row.from')}\n"
        f"MATCH {_match('b', rel.end, 'row.to')}"
    )


def create_rels(rel: Relationship) -> str:
    return f"{_ends(rel)}\nCREATE (a)-[:{rel.type} {{{OWNER}: $org}}]->(b)"


def link_rels(rel: Relationship) -> str:
    return f"{_ends(rel)}\nMERGE (a)-[:{rel.type} {{{OWNER}: $org}}]->(b)"


def unlink_rels(rel: Relationship) -> str:
    start = _match("", rel.start, "row.from")
    end = _match("", rel.end, "row.to")
    return f"UNWIND $rows AS row\nMATCH {start}-[r:{rel.type} {{{OWNER}: $org}}]->{end}\nDELETE r"


def _key_case(var: str) -> str:
    """The key of a mirrored node whatever its label (labels share no node)."""
    whens = " ".join(f"WHEN {var}:{n.label} THEN {var}.{n.key}" for n in NODES)
    return f"CASE {whens} END"


def _each_label(labels: tuple[str, ...], returns: str) -> str:
    """This organisation's nodes of each label, one index seek per label (a UNION ALL);
    `returns` may name the label's key as {key}."""
    parts = []
    for label in labels:
        key = f"n.{NODE_TYPES[label].key}"
        parts.append(
            f"MATCH (n:{label}) WHERE {_owned('n')} AND {key} IS NOT NULL "
            f"RETURN '{label}' AS label, {returns.format(key=key)}"
        )
    return "\n  UNION ALL\n  ".join(parts)


def read_nodes() -> str:
    """Every node of this organisation with its properties, instants apart as text (the driver
    decodes DateTime values in pure Python: ~100 us each, a minute for a 100k-entity mirror).
    The ownership mark is not a property of the mirror: it is left out. `groups`: the node's
    group labels (schema.LabelGroup), exactly one when the mirror is exact."""
    groups = ", ".join(f"'{g}'" for g in GROUP_LABELS)
    return (
        f"CALL () {{\n  {_each_label(LABELS, 'n')}\n}}\n"
        # One read of the node's properties: Neo4j reads committed, so reading keys(n) and
        # then n[key] can see a key whose value a concurrent writer has since removed.
        "WITH label, coalesce(properties(n), {}) AS p,\n"
        f"     [g IN labels(n) WHERE g IN [{groups}]] AS groups\n"
        f"WITH label, p, groups, [key IN keys(p) WHERE key <> '{OWNER}' |\n"
        "  [key, valueType(p[key]) STARTS WITH 'ZONED DATETIME']] AS keys\n"
        "RETURN label,\n"
        "       [k IN keys WHERE NOT k[1] | [k[0], p[k[0]]]] AS props,\n"
        "       [k IN keys WHERE k[1] | [k[0], toString(p[k[0]])]] AS times, groups"
    )


def read_rels() -> str:
    """Every relationship of this organisation, grouped by start node (each record costs the
    driver ~35 us of Python: 155k records rather than 740k at 100k entities)."""
    starts = tuple(dict.fromkeys(r.start for r in RELATIONSHIPS))
    types = "|".join(dict.fromkeys(r.type for r in RELATIONSHIPS))
    return (
        f"CALL () {{\n  {_each_label(starts, '{key} AS fromKey, n')}\n}}\n"
        f"CALL (n) {{\n  MATCH (n)-[r:{types}]->(b)\n  WHERE {_owned('r')} AND {_owned('b')}\n"
        f"  RETURN collect([type(r), labels(b), {_key_case('b')}]) AS out\n}}\n"
        "RETURN label AS fromLabel, fromKey, out"
    )


def counts() -> str:
    """This organisation's nodes per label and relationships per type: index seeks (the
    constraints' and the relationship indexes below)."""
    parts = [
        f"MATCH (n:{label}) WHERE {_owned('n')} AND n.{NODE_TYPES[label].key} IS NOT NULL "
        f"RETURN '{label}' AS name, count(n) AS count"
        for label in LABELS
    ]
    parts += [
        f"MATCH ()-[r:{t}]->() WHERE {_owned('r')} RETURN '{t}' AS name, count(r) AS count"
        for t in dict.fromkeys(r.type for r in RELATIONSHIPS)
    ]
    return "\nUNION ALL ".join(parts)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def constraints() -> list[str]:
    """Per label, uniqueness of (organisation, key): it gives the index every MERGE and every
    scoped read uses. Per relationship type, an index on the organisation (the counts)."""
    nodes = [
        f"CREATE CONSTRAINT {_snake(n.label)}_org_{_snake(n.key)} IF NOT EXISTS "
        f"FOR (n:{n.label}) REQUIRE (n.{OWNER}, n.{n.key}) IS UNIQUE"
        for n in NODES
    ]
    rels = [
        f"CREATE INDEX {t.lower()}_org IF NOT EXISTS FOR ()-[r:{t}]-() ON (r.{OWNER})"
        for t in dict.fromkeys(r.type for r in RELATIONSHIPS)
    ]
    return nodes + rels


def legacy_constraints() -> dict[str, tuple[str, str]]:
    """The single-key constraints okrsync created before organisations shared a database, by
    name: (label, key). They forbid a second organisation's nodes with the same ids."""
    return {f"{_snake(n.label)}_{_snake(n.key)}": (n.label, n.key) for n in NODES}


def adopt_nodes(label: str) -> str:
    """Upgrade: mark the nodes an earlier release wrote (keys from its state) as this
    organisation's. Before organisations a key was unique per label: the one node is ours."""
    key = NODE_TYPES[label].key
    return (
        f"UNWIND $keys AS key\nMATCH (n:{label} {{{key}: key}})\n"
        f"WHERE n.{OWNER} IS NULL\nSET {_owned('n')}"
    )


def adopt_rels(rel: Relationship) -> str:
    """Upgrade: mark an earlier release's relationships between adopted nodes."""
    start, end = _match("a", rel.start, "row.from"), _match("b", rel.end, "row.to")
    return (
        f"UNWIND $rows AS row\nMATCH {start}-[r:{rel.type}]->{end}\n"
        f"WHERE r.{OWNER} IS NULL\nSET {_owned('r')}"
    )


def reference_create_nodes(label: str) -> str:
    """The benchmark's reference: plain CREATE with each instant named (no dynamic keys), and
    the group labels as okrsync sets them."""
    times = ", ".join(
        f"n.{p} = datetime(row.times.{p})" for p in sorted(NODE_TYPES[label].instants)
    )
    text = f"UNWIND $rows AS row\nCREATE (n:{label})\nSET n = row.props, {_owned('n')}"
    text = f"{text}\nSET {times}" if times else text
    return f"{text}{_set_group(label, fresh=True)}"  # the same graph: the group labels too


@cache
def statement(name: str) -> str:
    """A mirror statement by name: nodes/<verb>_<Label> or rels/<verb>_<TYPE>_<Start>_<End>."""
    return all_statements()[name]


@cache
def all_statements() -> dict[str, str]:
    out: dict[str, str] = {}
    for label in LABELS:
        for verb, make in (
            ("create", create_nodes),
            ("merge", merge_nodes),
            ("update", update_nodes),
            ("delete", delete_nodes),
        ):
            out[f"nodes/{verb}_{label}"] = make(label)
    for rel in RELATIONSHIPS:
        for verb, make_rel in (
            ("create", create_rels),
            ("link", link_rels),
            ("unlink", unlink_rels),
        ):
            out[f"rels/{verb}_{rel.name}"] = make_rel(rel)
    for label in LABELS:
        out[f"adopt/nodes_{label}"] = adopt_nodes(label)
    for rel in RELATIONSHIPS:
        out[f"adopt/rels_{rel.name}"] = adopt_rels(rel)
    out["read_nodes"] = read_nodes()
    out["read_rels"] = read_rels()
    out["counts"] = counts()
    out["constraints"] = ";\n".join(constraints())
    return out


def main() -> None:
    for name, text in all_statements().items():
        sys.stdout.write(f"// {name}\n{text};\n\n")


if __name__ == "__main__":
    main()
