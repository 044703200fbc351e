"""The query library: cypher/queries/*.cypher, each with a header saying what it answers.

Header lines (Cypher comments at the top of the file):
    // @title One line
    // @description What it answers (continuation lines start with '//   ')
    // @param name TYPE DEFAULT what it is

TYPE is one of okrsync.params' types (string, integer, number, boolean, list<string>,
instant); DEFAULT is a JSON literal of that type (a JSON string is read as if typed on the
command line: "2026-01-01" for an instant), `null` (the query says what unset means), or the
word `required`. A value given on the command line is converted by its parameter's
type alone (okrsync.params), so `--param issue=10001` is the string "10001".

Every query also gets $org, the organisation asked for (the configured `org`, or --org).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from typing import Any

from okrsync.errors import OkrsyncError, UsageError
from okrsync.graph import Graph, cypher
from okrsync.params import ParamType, convert, param_type

REQUIRED = object()
RESERVED = "org"  # every query's organisation: given by okrsync, never by --param


class QueryError(UsageError):
    """An unknown query or parameter, a missing one, or a value that does not fit its type."""


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    default: Any
    description: str

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def value(self, given: Any) -> Any:
        """What the query receives for `given` (command-line text or a Python value)."""
        example = None if self.default in (None, REQUIRED) else self.default
        return convert(self.type, self.name, given, f"--param {self.name}=", example)

    def usage(self) -> str:
        """One line of `okrsync query --list`: name, type, default, what it is."""
        if self.required:
            need = "required"
        elif self.default is None:
            need = "optional"
        elif isinstance(self.default, str):
            need = f"default {json.dumps(self.default)}"
        else:
            need = f"default {self.type.show(self.default)}"
        return f"{self.name + '=' + self.type.name:26}  {need}: {self.description}"


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    params: tuple[Param, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return cypher(f"queries/{self.name}")


def parse_param(query: str, body: str) -> Param:
    """`name TYPE DEFAULT description` of an @param line, its default checked against its type."""
    name, _, rest = body.partition(" ")
    type_name, _, rest = rest.strip().partition(" ")
    where = f"cypher/queries/{query}.cypher: @param {name}"
    try:
        kind = param_type(type_name)
    except ValueError as exc:
        raise OkrsyncError(f"{where}: {exc}") from None
    if name == RESERVED:
        raise OkrsyncError(f"{where}: ${RESERVED} is the organisation, set by okrsync")
    rest = rest.strip()
    if rest.startswith("required"):
        return Param(name, kind, REQUIRED, rest[len("required") :].strip())
    try:
        default, end = json.JSONDecoder().raw_decode(rest)
    except json.JSONDecodeError:
        raise OkrsyncError(f"{where}: the default is neither JSON nor `required`") from None
    param = Param(name, kind, default, rest[end:].strip())
    if default is not None:
        try:
            param = Param(name, kind, param.value(default), param.description)
        except UsageError:
            raise OkrsyncError(f"{where}: the default {rest[:end]} is not {kind.phrase}") from None
    return param


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
            params.append(parse_param(name, body[7:].strip()))
        elif description and not body.startswith("@"):
            description += " " + body
    if not title:
        raise OkrsyncError(f"cypher/queries/{name}.cypher has no @title header")
    return Query(name, title, description, tuple(params))


def library() -> dict[str, Query]:
    folder = resources.files("okrsync.cypher") / "queries"
    names = sorted(
        p.name[: -len(".cypher")] for p in folder.iterdir() if p.name.endswith(".cypher")
    )
    return {name: parse_header(name, cypher(f"queries/{name}")) for name in names}


def listing() -> list[str]:
    """`okrsync query --list`: each query and its title, then its parameters, one a line."""
    lines = []
    for q in library().values():
        lines.append(f"{q.name:24} {q.title}")
        lines += [f"    {p.usage()}" for p in q.params]
    return lines


def bind(query: Query, given: dict[str, Any]) -> dict[str, Any]:
    """The query's parameters: each given one converted by its declared type (text as typed on
    the command line, or a Python value of the type), the others at their defaults."""
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
            params[p.name] = p.value(given[p.name])
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
