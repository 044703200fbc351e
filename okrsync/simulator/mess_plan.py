"""The messy org (`Org(mess=True)`): the seed's clean org, then every kind of mess on it.

Records are drawn from the org's own mess generator, so a seed always makes the same mess.
Each mess of the export (lists, windows, identities, odd types, timestamp styles) gets records
of its own, with their parents; nulls go on the records left, so no null hides another mess.
"""

from __future__ import annotations

from collections.abc import Callable

from okrsync.simulator.mess_export import OrgExportMess
from okrsync.simulator.oddities import ODD_TYPES, OPTIONAL_FIELDS, TIME_STYLES, UNUSABLE_IDS
from okrsync.simulator.wire import Json

MIN_MESSY_OBJECTIVES = 40  # enough records for each mess to have its own


class _Picker:
    """Hands out records in a shuffled order, each once; `spare` keeps one from ever going."""

    def __init__(self, org: OrgMessPlan) -> None:
        self.org = org
        self.taken: set[tuple[str, str]] = set()

    def spare(self, kind: str, rid: str | None) -> None:
        if rid is not None:
            self.taken.add((kind, rid))

    def take(self, kind: str, where: Callable[[Json], bool] = lambda _: True) -> str:
        for rid, record in self.org.shuffled(kind):
            if (kind, rid) not in self.taken and where(record):
                self.taken.add((kind, rid))
                return rid
        raise ValueError(f"the org is too small for its mess: no {kind} left")

    def left(self, kind: str) -> list[tuple[str, Json]]:
        return [(rid, r) for rid, r in self.org.shuffled(kind) if (kind, rid) not in self.taken]


def _has_parent(record: Json) -> bool:
    return record["parentObjectiveId"] is not None


class OrgMessPlan(OrgExportMess):
    """Makes the messy org, and the mess each `evolve` of it adds."""

    _shuffled: dict[str, list[tuple[str, Json]]]

    def shuffled(self, kind: str) -> list[tuple[str, Json]]:
        if kind not in self._shuffled:
            records = list(self._records(kind).items())
            self.mess_rng.shuffle(records)
            self._shuffled[kind] = records
        return self._shuffled[kind]

    def _make_mess(self) -> None:
        if len(self.objectives) < MIN_MESSY_OBJECTIVES:
            raise ValueError(f"a messy org needs {MIN_MESSY_OBJECTIVES} objectives or more")
        self.messy, self._shuffled = True, {}
        pick = _Picker(self)
        self._mess_lists(pick)
        self.inject_parent_outside_window(pick.take("objective"))
        self._mess_types(pick)
        self._mess_times(pick)
        self._mess_nulls(pick)
        kid = self.create_key_result(pick.take("objective"))
        self.check_in_before_export(kid)
        self.check_in_before_export(self.create_objective(None))

    def _mess_lists(self, pick: _Picker) -> None:
        """Child lists against parent pointers, both ways, for a key result and an objective;
        their parents are spared, so no null takes the list the mess is about."""
        for kind in ("keyResult", "objective"):
            for mess in (self.list_without_pointer, self.point_without_listing):
                pick.spare("objective", mess(pick.take(kind, _has_parent)))

    def _mess_types(self, pick: _Picker) -> None:
        for kind in ("objective", "keyResult"):
            for field in ODD_TYPES:
                where = _has_parent if field == "parentObjectiveId" else lambda _: True
                self.inject_odd_type(pick.take(kind, where), field)
        self.inject_unusable_identity("objective", pick.take("objective"), "null")
        self.inject_unusable_identity("keyResult", pick.take("keyResult"), "object")
        self.inject_unusable_identity("update", pick.take("update"), next(iter(UNUSABLE_IDS)))
        checked_in = pick.take("keyResult", lambda r: r.get("latestUpdate") is not None)
        self.misattribute_latest_update(checked_in, pick.take("keyResult"))

    def _mess_times(self, pick: _Picker) -> None:
        periods = self._served_lookups()["period"]
        for style in TIME_STYLES:
            for kind in ("objective", "keyResult", "update", "comment", "period"):
                where = (lambda r: r["id"] in periods) if kind == "period" else (lambda _: True)
                self.restyle_times(kind, pick.take(kind, where), style)

    def _served_lookups(self) -> dict[str, set[str]]:
        """The teams, labels and periods some OKR references: the only ones ever served."""
        entities = [e for _, e in self.iter_entities()]
        return {
            "team": {t for e in entities for t in e["teamIds"]},
            "label": {lb for e in entities for lb in e["labelIds"]},
            "period": {e["periodAliasId"] for e in entities},
        }

    def _mess_nulls(self, pick: _Picker) -> None:
        """Every optional field null on one record and absent from another, of every kind."""
        served = self._served_lookups()
        for kind, fields in OPTIONAL_FIELDS.items():
            records = [(i, r) for i, r in pick.left(kind) if i in served.get(kind, (i,))]
            turn = 0
            for field in fields:
                for absent in (False, True):
                    rid, turn = self._holder(kind, records, field, turn)
                    self.inject_null(kind, rid, field, absent=absent)

    def _holder(
        self, kind: str, records: list[tuple[str, Json]], field: str, turn: int
    ) -> tuple[str, int]:
        """The next record in turn that serves the object a dotted field reaches into."""
        head, dot, _ = field.partition(".")
        for step in range(len(records)):
            rid, record = records[(turn + step) % len(records)]
            served = head not in self.overlay.patches.get((kind, rid), {})
            if not dot or (served and isinstance(record.get(head), dict)):
                return rid, turn + step + 1
        raise ValueError(f"no record has {head} to null {field} in")

    def _churn_mess(self) -> list[str]:
        """A step's mess: a key result checked in before it is exported, and an OKR that was
        exported going for the step (both back at the next one)."""
        visible = [o for o in self.objectives if self.overlay.exported(o)]
        kid = self.create_key_result(self.mess_rng.choice(visible))
        self.check_in_before_export(kid)
        done = [f"check-in before export {kid}"]
        checked_in = [
            eid
            for _, record in self.iter_entities()
            if self.overlay.exported(eid := record["id"]) and self.updates.get(eid)
        ]
        if checked_in:
            gone = self.mess_rng.choice(checked_in)
            self.delete_for_a_step(gone)
            done.append(f"delete for a step {gone}")
        return done
