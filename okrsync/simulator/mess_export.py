"""Messy exports: lists that disagree with parent pointers, parents outside the window,
check-ins for OKRs not yet exported, OKRs that go for a step and come back.
"""

from __future__ import annotations

from datetime import UTC, datetime

from okrsync.simulator.mess_fields import OrgFieldMess
from okrsync.simulator.overlay import DELETED, PENDING
from okrsync.simulator.wire import fmt

# The window the messy org's tests ask for: every generated OKR starts or ends inside it,
# and a parent put "outside the window" lies wholly before it.
MESS_WINDOW_MS = (
    int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000),
    int(datetime(2028, 1, 1, tzinfo=UTC).timestamp() * 1000),
)
OUTSIDE_WINDOW = {
    "created": datetime(2018, 12, 1, tzinfo=UTC),
    "startDate": datetime(2019, 1, 1, tzinfo=UTC),
    "deadline": datetime(2019, 3, 31, 23, 59, 59, tzinfo=UTC),
}


class OrgExportMess(OrgFieldMess):
    """What the export includes, made to disagree with itself the ways a real one does."""

    def _parent_of(self, eid: str) -> str:
        parent = self.entity(eid)[0]["parentObjectiveId"]
        if parent is None:
            raise ValueError(f"{eid} has no parent objective")
        return str(parent)

    def list_without_pointer(self, eid: str) -> str:
        """The entity stays in its parent's krIds / childObjectiveIds while its own
        parentObjectiveId is served null. Returns the parent that lists it."""
        parent = self._parent_of(eid)
        self.overlay.unlisted.discard(eid)
        self.overlay.patch(self._kind_of(eid), eid, "parentObjectiveId", lambda _: None)
        self._log("listed_without_pointer", self._kind_of(eid), eid, parent)
        return parent

    def point_without_listing(self, eid: str) -> str:
        """The converse: parentObjectiveId is served, the parent's list leaves the entity out."""
        parent = self._parent_of(eid)
        self.overlay.unlisted.add(eid)
        self._log("pointer_without_listing", self._kind_of(eid), eid, parent)
        return parent

    def inject_parent_outside_window(self, oid: str) -> str:
        """Move the objective under a new one dated wholly before MESS_WINDOW_MS: the window's
        export names a parent it does not carry, which objectives/byIds serves."""
        parent = self.create_objective(None, name="Legacy goal from an earlier plan")
        record = self.objectives[parent]
        for field, moment in OUTSIDE_WINDOW.items():
            record[field] = fmt(moment)
        record["periodAliasId"] = None
        record.pop("expectedEndDate", None)
        self.move_objective(oid, parent)
        self._log("parent_outside_window", "objective", oid, parent)
        return parent

    def check_in_before_export(self, eid: str, status: str = "ON_TRACK") -> str:
        """A check-in on an entity the export holds back until the next step (`release_hidden`,
        which `evolve` calls first): the feed names an OKR the export does not have yet.
        Meant for one just made (`create_key_result`). Returns the check-in's id."""
        kind = self._kind_of(eid)
        self.overlay.hidden[eid] = PENDING
        self.set_status(eid, status)
        update_id = str(self.updates[eid][-1]["updateId"])
        self._log("check_in_before_export", kind, eid, update_id)
        return update_id

    def delete_for_a_step(self, eid: str) -> list[str]:
        """The entity (an objective with its key results) leaves the export and its check-ins
        the feed, until `restore` or the next step brings them back under the same ids."""
        held = [eid]
        if eid in self.objectives:
            held += [k for k, kr in self.key_results.items() if kr["parentObjectiveId"] == eid]
        for hid in held:
            self.overlay.hidden[hid] = DELETED
        self.feed_version += 1
        self._log("deleted_for_a_step", self._kind_of(eid), eid, ",".join(held[1:]))
        return held

    def restore(self, eid: str) -> None:
        """An entity deleted for a step comes back, with its key results and check-ins."""
        back = [eid] if self.overlay.hidden.get(eid) == DELETED else []
        back += [
            k
            for k, kr in self.key_results.items()
            if kr["parentObjectiveId"] == eid and self.overlay.hidden.get(k) == DELETED
        ]
        for bid in back:
            del self.overlay.hidden[bid]
        self.feed_version += 1

    def release_hidden(self) -> list[str]:
        """The next step: what was held back (not yet exported, deleted for a step) is back."""
        released = list(self.overlay.hidden)
        if released:
            self.overlay.hidden.clear()
            self.feed_version += 1
        return released
