"""Property values between okrsync's form (instants as canonical ISO text) and Neo4j's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from neo4j.time import Date, DateTime, Duration, Time

from okrsync.schema import GROUP_NAMES, INSTANTS
from okrsync.transform import iso


def to_neo4j(props: Mapping[str, Any]) -> dict[str, Any]:
    """A node's properties as a statement row: `props`, with the instants apart in `times`
    (ISO text, or None to remove) for the statement to store as DateTime values via datetime(),
    and the group label apart in `group`.

    Why not hand the driver datetime objects: its datetime encoding is pure Python (~60 us a
    value); at 100k entities it was 15 s of the 19 s spent writing KeyResult nodes."""
    plain: dict[str, Any] = {}
    times: dict[str, str | None] = {}
    group = None
    for k, v in props.items():
        if k in INSTANTS and (v is None or isinstance(v, str)):
            times[k] = v
        elif k in GROUP_NAMES:  # a label, not a property: `group` (None: leave the labels be)
            group = v
        else:
            plain[k] = v
    return {"props": plain, "times": times, "group": group}


def instant(text: str) -> str:
    """A DateTime as Cypher's toString() wrote it (2026-03-31T23:59:59Z) in transform's form."""
    try:
        return iso(datetime.fromisoformat(text)) or text
    except ValueError:  # a named zone ("...[Europe/Paris]"): not ours, so it reads as changed
        return text


def native(value: Any) -> Any:
    """A property read back from Neo4j in the form transform produces (DateTime -> ISO text)."""
    if isinstance(value, DateTime):
        return iso(value.to_native())
    if isinstance(value, Date | Time | Duration):
        return str(value)
    return value
