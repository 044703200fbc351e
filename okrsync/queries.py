"""The query library: cypher/queries/*.cypher, each with a header saying what it answers.

Header lines (Cypher comments at the top of the file):
    // @title One line
    // @description What it answers (continuation lines start with '//   ')
    // @param name DEFAULT what it is      (DEFAULT is a JSON literal, or the word `required`)

Every query also gets $org, the organisation asked for (the configured `org`, or --org).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from typing import Any

from okrsync.errors import OkrsyncError
from okrsync.graph import Graph, cypher

REQUIRED = object()


class QueryError(OkrsyncError):
    """An unknown query or parameter, or a parameter value that does not parse."""


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    description: str

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    params: tuple[Param, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return cypher(f"queries/{self.name}")


def parse_header(name: str, text: str) -> Query:
    title, description, params = "", "", []
    for raw in text.splitlines():
        line = raw.strip()
        if not line.startswith("//"):
            break
        body = line[2:].strip()
        if body.startswith("@title "):
            title = body[7:].strip()
        elif body.startswith("@description "):
            description = body[13:].strip()
        elif body.startswith("@param "):
            pname, _, rest = body[7:].partition(" ")
            rest = rest.strip()
            if rest.startswith("required"):
                default, tail = REQUIRED, rest[8:]
            else:
                default, end = json.JSONDecoder().raw_decode(rest)
                tail = rest[end:]
            params.append(Param(pname, default, tail.strip()))
        elif description and not body.startswith("@"):
            description += " " + body
    if not title:
        raise QueryError(f"cypher/queries/{name}.cypher has no @title header")
    return Query(name, title, description, tuple(params))


def library() -> dict[str, Query]:
    folder = resources.files("okrsync.cypher") / "queries"
    names = sorted(
        p.name[: -len(".cypher")] for p in folder.iterdir() if p.name.endswith(".cypher")
    )
    return {name: parse_header(name, cypher(f"queries/{name}")) for name in names}


def parse_value(text: str) -> Any:
    """A --param value: JSON when it parses (numbers, lists, null), else the plain string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def bind(query: Query, given: dict[str, Any]) -> dict[str, Any]:
    known = {p.name for p in query.params}
    unknown = sorted(set(given) - known)
    if unknown:
        raise QueryError(
            f"query {query.name} has no parameter {unknown[0]!r}; it takes: "
            f"{', '.join(sorted(known)) or 'none'}"
        )
    params: dict[str, Any] = {}
    for p in query.params:
        if p.name in given:
            params[p.name] = given[p.name]
        elif p.required:
            raise QueryError(f"query {query.name} needs --param {p.name}=... ({p.description})")
        else:
            params[p.name] = p.default
    return params


def get(name: str) -> Query:
    queries = library()
    if name not in queries:
        raise QueryError(f"no query named {name!r}; `okrsync query --list` shows them")
    return queries[name]


def run(graph: Graph, name: str, given: dict[str, Any], org: str) -> list[dict[str, Any]]:
    """A library query's rows, scoped to one organisation's mirror ($org in every query)."""
    query = get(name)
    return graph.read(query.text, **bind(query, given), org=org)


def plain(value: Any) -> Any:
    """Neo4j values as JSON-friendly Python values."""
    if hasattr(value, "to_native"):
        value = value.to_native()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def render_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(no rows)"
    columns = list(rows[0])

    def cell(value: Any) -> str:
        value = plain(value)
        if value is None:
            return ""
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    cells = [[cell(r[c]) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)
