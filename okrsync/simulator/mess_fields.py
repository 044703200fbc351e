"""Messy fields: nulls, timestamp styles, odd types, unusable ids, on a chosen record.

Each method lays its mess on the org's overlay (overlay.py): the stored records stay clean, so
later changes and churn work on them as before, and the mess is what the API serves. Every
call is logged in `mess_log`, which says exactly what an org serves awry and where.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

from okrsync.simulator.changes import OrgChanges
from okrsync.simulator.generation import OrgGeneration
from okrsync.simulator.oddities import (
    ABSENT,
    IDENTITY_FIELD,
    ODD_TYPES,
    OPTIONAL_FIELDS,
    TIME_FIELDS,
    TIME_STYLES,
    UNUSABLE_IDS,
    restyle,
)
from okrsync.simulator.vocabulary import CUSTOM_FIELD_DEFS
from okrsync.simulator.wire import Json


class Mess(NamedTuple):
    """One piece of mess: what, on which record (kind, stored id), and its particular."""

    what: str
    kind: str
    rid: str
    detail: str


class OrgFieldMess(OrgChanges, OrgGeneration):
    """What a record's fields can look like in a real export, one method per kind of mess."""

    mess_log: list[Mess]

    def record(self, kind: str, rid: str) -> Json:
        """The stored record of any kind the API serves (a LookupError names what is missing)."""
        found = self._records(kind).get(rid)
        if found is None:
            raise LookupError(f"no {kind} {rid!r}")
        return found

    def _records(self, kind: str) -> dict[str, Json]:
        if kind == "update":
            return {u["updateId"]: u for us in self.updates.values() for u in us}
        if kind == "comment":
            return {c["commentId"]: c for cs in self.comments.values() for c in cs}
        tables: dict[str, dict[str, Json]] = {
            "objective": self.objectives,
            "keyResult": self.key_results,
            "team": self.teams,
            "period": self.periods,
            "label": self.labels,
            "okrType": self.types,
            "customField": {d["id"]: d for d in CUSTOM_FIELD_DEFS},
        }
        if kind not in tables:
            raise ValueError(f"unknown record kind {kind!r}; known: {', '.join(OPTIONAL_FIELDS)}")
        return tables[kind]

    def _kind_of(self, eid: str) -> str:
        if eid in self.objectives:
            return "objective"
        if eid in self.key_results:
            return "keyResult"
        raise LookupError(f"no objective or key result {eid!r}")

    def _log(self, what: str, kind: str, rid: str, detail: str = "") -> None:
        self.mess_log.append(Mess(what, kind, rid, detail))

    # --- fields ----------------------------------------------------------------------------

    def inject_null(self, kind: str, rid: str, field: str, *, absent: bool = False) -> None:
        """Serve `field` as null (or leave it out); a dotted path reaches into an object."""
        self.record(kind, rid)
        if field not in OPTIONAL_FIELDS[kind]:
            raise ValueError(f"{field!r} is not an optional field of a {kind}")
        value = ABSENT if absent else None
        self.overlay.patch(kind, rid, field, lambda _: value)
        self._log("absent" if absent else "null", kind, rid, field)

    def restyle_times(self, kind: str, rid: str, style: str) -> None:
        """Serve each date-time field of the record at another offset or with milliseconds:
        the same instants, written as TIME_STYLES[style] says."""
        self.record(kind, rid)
        if style not in TIME_STYLES or kind not in TIME_FIELDS:
            raise ValueError(f"no timestamp style {style!r} for a {kind}")
        for field in TIME_FIELDS[kind]:
            self.overlay.patch(kind, rid, field, partial(restyle, style=style))
        self._log("time", kind, rid, style)

    def inject_odd_type(self, eid: str, field: str) -> None:
        """Serve an objective's or key result's field with the wrong type (ODD_TYPES)."""
        kind = self._kind_of(eid)
        if field not in ODD_TYPES:
            raise ValueError(f"no odd type for {field!r}; known: {', '.join(ODD_TYPES)}")
        self.overlay.patch(kind, eid, field, ODD_TYPES[field][0])
        self._log("odd_type", kind, eid, field)

    def inject_unusable_identity(self, kind: str, rid: str, form: str = "null") -> None:
        """Serve the record's own id as null or an object (UNUSABLE_IDS): one to quarantine."""
        self.record(kind, rid)
        if kind not in IDENTITY_FIELD or form not in UNUSABLE_IDS:
            raise ValueError(f"no unusable identity {form!r} for a {kind}")
        self.overlay.patch(kind, rid, IDENTITY_FIELD[kind], UNUSABLE_IDS[form][0])
        self._log("identity", kind, rid, form)

    def misattribute_latest_update(self, eid: str, other_id: str) -> None:
        """Serve the entity's latestUpdate as another entity's (entityId), as the vendor's own
        example response does."""
        kind = self._kind_of(eid)
        self.overlay.patch(kind, eid, "latestUpdate.entityId", lambda _: other_id)
        self._log("misattributed", kind, eid, other_id)

    def clear_mess(self, kind: str, rid: str) -> None:
        """Serve the record as stored again, listed where its parent pointer says."""
        self.overlay.unpatch(kind, rid)
        self.overlay.unlisted.discard(rid)
