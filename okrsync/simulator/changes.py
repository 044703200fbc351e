"""The changes tests make by name (and churn makes at random), as the product allows them."""

from __future__ import annotations

from datetime import datetime, timedelta

from okrsync.simulator.history import OrgHistory


class OrgChanges(OrgHistory):
    """Edits to existing OKRs: check-ins, progress, names, parents, labels, teams, deletes."""

    def set_status(self, eid: str, status: str) -> None:
        """A new check-in, later than every earlier one of this entity: it becomes the latest."""
        entity, kind = self.entity(eid)
        history = self.updates.get(eid) or []
        when = self.clock
        if history:
            last = datetime.strptime(history[-1]["created"], "%Y-%m-%dT%H:%M:%S%z")
            when = max(when, last + timedelta(hours=1))
        self._check_in(entity, kind, when=when, status=status)

    def set_progress(self, eid: str, percent: float) -> None:
        entity, _ = self.entity(eid)
        entity["percentDone"] = percent

    def rename(self, eid: str, name: str) -> None:
        self.entity(eid)[0]["name"] = name

    def reparent_key_result(self, kid: str, objective_id: str) -> None:
        self.key_results[kid]["parentObjectiveId"] = objective_id

    def move_objective(self, oid: str, parent_id: str | None) -> None:
        node = parent_id
        while node is not None:  # refuse cycles, as the product does
            if node == oid:
                raise ValueError(f"moving {oid} under {parent_id} would make a cycle")
            node = self.objectives[node]["parentObjectiveId"]
        self.objectives[oid]["parentObjectiveId"] = parent_id

    def remove_label(self, eid: str, label_id: str) -> None:
        entity, _ = self.entity(eid)
        entity["labelIds"] = [lb for lb in entity["labelIds"] if lb != label_id]

    def add_label(self, eid: str, label_id: str) -> None:
        entity, _ = self.entity(eid)
        if label_id not in entity["labelIds"]:
            entity["labelIds"] = [*entity["labelIds"], label_id]

    def set_teams(self, eid: str, team_ids: list[str]) -> None:
        self.entity(eid)[0]["teamIds"] = list(team_ids)

    def delete_objective(self, oid: str) -> list[str]:
        """Delete an objective with its key results; its child objectives become roots."""
        self.feed_version += 1
        del self.objectives[oid]
        self._drop_history(oid)
        gone = [k for k, kr in self.key_results.items() if kr["parentObjectiveId"] == oid]
        for kid in gone:
            del self.key_results[kid]
            self._drop_history(kid)
        for child in self.objectives.values():
            if child["parentObjectiveId"] == oid:
                child["parentObjectiveId"] = None
        return gone

    def delete_key_result(self, kid: str) -> None:
        self.feed_version += 1
        del self.key_results[kid]
        self._drop_history(kid)
