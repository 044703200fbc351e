"""Typed parameters: the value a parameter's declared type makes of what a user typed.

A query's header declares each parameter's type (`okrsync.queries`); the command line hands
over text, and the type alone decides what it becomes, never the look of the text: `10001`
given to a string parameter stays the string "10001". The types:

    string        the text as typed (ids, keys and names are always strings)
    integer       30, -2
    number        12.5, 30
    boolean       true or false (any case)
    list<string>  A,B (split at commas) or a JSON list of strings: ["A, B", "C"]
    instant       2026-03-15 (midnight UTC), 2026-03-15T00:00:00Z, 2026-03-15T09:00:00+02:00;
                  a date-time without an offset is UTC. It reaches Cypher as a DateTime in UTC
                  (a Python datetime; the query compares with it directly, no datetime($x)).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from okrsync.errors import UsageError


class ParamError(UsageError):
    """A parameter value that does not fit the parameter's declared type."""


@dataclass(frozen=True)
class ParamType:
    """`read` makes a value of command-line text, `take` checks a Python caller's value (or a
    header's default); both raise ValueError when it does not fit. `show` is the reverse of
    `read`: a value as one would type it."""

    name: str
    phrase: str  # what an error says the parameter takes
    example: str
    read: Callable[[str], Any]
    take: Callable[[Any], Any]
    show: Callable[[Any], str] = str


def _take_string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _read_integer(text: str) -> int:
    if not re.fullmatch(r"\s*[+-]?\d+\s*", text):
        raise ValueError(text)
    return int(text)


def _take_integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(value)
    return value


def _read_number(text: str) -> float:
    number = float(text)  # ValueError for what is not a number
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _take_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(value)
    return float(value)


def _read_boolean(text: str) -> bool:
    words = {"true": True, "false": False}
    if text.strip().lower() not in words:
        raise ValueError(text)
    return words[text.strip().lower()]


def _take_boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(value)
    return value


def _read_strings(text: str) -> list[str]:
    if text.lstrip().startswith("["):
        try:
            return _take_strings(json.loads(text))
        except json.JSONDecodeError:
            raise ValueError(text) from None
    return [part.strip() for part in text.split(",") if part.strip()]


def _take_strings(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(value)
    return list(value)


def _read_instant(text: str) -> datetime:
    return _take_instant(datetime.fromisoformat(text.strip()))  # ValueError when it is not one


def _take_instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise ValueError(value)


def _show_instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


TYPES = {
    t.name: t
    for t in (
        ParamType("string", "a string", "Q1 2026", str, _take_string),
        ParamType("integer", "an integer", "30", _read_integer, _take_integer),
        ParamType("number", "a number", "12.5", _read_number, _take_number, lambda v: f"{v:g}"),
        ParamType(
            "boolean",
            "true or false",
            "true",
            _read_boolean,
            _take_boolean,
            lambda v: str(v).lower(),
        ),
        ParamType(
            "list<string>",
            "a list of strings (comma-separated, or a JSON list)",
            "AT_RISK,ACTION_REQUIRED",
            _read_strings,
            _take_strings,
            ",".join,
        ),
        ParamType(
            "instant",
            "an instant (a date, midnight UTC, or an ISO 8601 date-time; no offset means UTC)",
            "2026-03-15",
            _read_instant,
            _take_instant,
            _show_instant,
        ),
    )
}


def param_type(name: str) -> ParamType:
    if name not in TYPES:
        raise ValueError(f"unknown type {name!r} (one of {', '.join(TYPES)})")
    return TYPES[name]


def convert(kind: ParamType, name: str, value: Any, flag: str, example: Any = None) -> Any:
    """`value` (command-line text, or a Python value of the type) as the type's value. `flag`
    is how the user gives this parameter, "--param days=" or "--days ", for the error line."""
    try:
        return kind.read(value) if isinstance(value, str) else kind.take(value)
    except ValueError:
        given = value if isinstance(value, str) else f"{value!r} ({type(value).__name__})"
        shown = kind.example if example is None else kind.show(example)
        raise ParamError(f"{flag}{given}: {name} takes {kind.phrase}, e.g. {flag}{shown}") from None
