"""What an org serves differently from what it stores: the mess, laid over clean data.

The org's own records stay well formed, so every change and the churn keep working on them;
the mess is applied to copies as they are served. An org without mess has an empty overlay,
and serves its stored records themselves, byte for byte as before the overlay existed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from okrsync.simulator.oddities import ABSENT, Transform
from okrsync.simulator.wire import Json

PENDING: Final = "pending"  # made, checked in, not yet in the export
DELETED: Final = "deleted"  # out of the export, its check-ins out of the feed, until restored


class Overlay:
    """Field rewrites per record, entities held out of the export, children left off lists."""

    def __init__(self) -> None:
        # (record kind, stored id) -> {field or dotted path: transform of the stored value}
        self.patches: dict[tuple[str, str], dict[str, Transform]] = {}
        self.hidden: dict[str, str] = {}  # entity id -> PENDING or DELETED
        self.unlisted: set[str] = set()  # children their parent's krIds/childObjectiveIds omit

    def patch(self, kind: str, rid: str, path: str, transform: Transform) -> None:
        self.patches.setdefault((kind, rid), {})[path] = transform

    def unpatch(self, kind: str, rid: str, path: str | None = None) -> None:
        """Serve a field (or, with no path, the whole record) as stored again."""
        fields = self.patches.get((kind, rid), {})
        if path is None:
            fields.clear()
        else:
            fields.pop(path, None)
        if not fields:
            self.patches.pop((kind, rid), None)

    def serve(self, kind: str, rid: str, record: Json) -> Json:
        """The record as served: itself when nothing is patched, else a patched copy."""
        fields = self.patches.get((kind, rid)) if self.patches else None
        if not fields:
            return record
        out = dict(record)
        for path, transform in fields.items():
            _apply(out, path, transform)
        return out

    def serve_all(self, kind: str, records: Iterable[Json], key: str = "id") -> list[Json]:
        if not self.patches:
            return list(records)
        return [self.serve(kind, r[key], r) for r in records]

    def exported(self, eid: str) -> bool:
        return eid not in self.hidden

    def deleted(self, eid: str) -> bool:
        return self.hidden.get(eid) == DELETED


def _apply(record: Json, path: str, transform: Transform) -> None:
    """Rewrite one field of a copy; a dotted path copies the nested object it goes through."""
    head, _, rest = path.partition(".")
    if rest:
        inner = record.get(head)
        if isinstance(inner, dict):  # null or absent already: nothing inside to rewrite
            record[head] = inner = dict(inner)
            _apply(inner, rest, transform)
        return
    value = transform(record.get(head))
    if value is ABSENT:
        record.pop(head, None)
    else:
        record[head] = value
