"""What the server serves from an org: objectives with their derived lists, and the feeds."""

from __future__ import annotations

from collections.abc import Iterable

from okrsync.simulator.base import OrgBase
from okrsync.simulator.overlay import DELETED
from okrsync.simulator.wire import Json


class OrgViews(OrgBase):
    """Read-only views, derived at serve time from the stored records and the overlay."""

    def objective_view(
        self, oid: str, children: dict[str, list[str]], krs_of: dict[str, list[str]]
    ) -> Json:
        """The stored objective with the lists the API derives (no overlay: the org's truth)."""
        view = dict(self.objectives[oid])
        view["krIds"] = krs_of.get(oid, [])
        view["childObjectiveIds"] = children.get(oid, [])
        return view

    def served_objectives(
        self, ids: Iterable[str], children: dict[str, list[str]], krs_of: dict[str, list[str]]
    ) -> list[Json]:
        serve = self.overlay.serve
        return [serve("objective", o, self.objective_view(o, children, krs_of)) for o in ids]

    def served_key_results(self, ids: Iterable[str]) -> list[Json]:
        return self.overlay.serve_all("keyResult", (self.key_results[k] for k in ids))

    def exported(self, entities: dict[str, Json]) -> dict[str, Json]:
        """The entities the export shows: all but those the overlay holds back."""
        hidden = self.overlay.hidden
        if not hidden:
            return entities
        return {eid: e for eid, e in entities.items() if eid not in hidden}

    def exported_ids(self, entities: dict[str, Json], ids: Iterable[str]) -> list[str]:
        hidden = self.overlay.hidden
        return [i for i in ids if i in entities and i not in hidden]

    def indexes(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Each objective's children and key results, as its lists name them."""
        children: dict[str, list[str]] = {}
        for oid, obj in self.objectives.items():
            if obj["parentObjectiveId"] is not None:
                children.setdefault(obj["parentObjectiveId"], []).append(oid)
        krs_of: dict[str, list[str]] = {}
        for kid, kr in self.key_results.items():
            krs_of.setdefault(kr["parentObjectiveId"], []).append(kid)
        left_off = self.overlay.unlisted | self.overlay.hidden.keys()
        if left_off:  # a messy org's: filtered after, so a clean org's loops stay as they were
            children = {p: [c for c in cs if c not in left_off] for p, cs in children.items()}
            krs_of = {p: [k for k in ks if k not in left_off] for p, ks in krs_of.items()}
        return children, krs_of

    def all_updates_newest_first(self) -> list[Json]:
        # Cached until the next check-in or delete: a feed is paged through many requests.
        key = (self.feed_version, len(self.updates))
        if self._feed_key != key:
            gone = self.overlay.hidden
            out = [
                u
                for eid, history in self.updates.items()
                if gone.get(eid) != DELETED
                for u in history
            ]
            out.sort(key=lambda u: (u["created"], u["updateId"]), reverse=True)
            self._feed, self._feed_key = out, key
        return self._feed

    def all_comments_newest_first(self) -> list[Json]:
        gone = {
            u["updateId"]
            for eid, why in self.overlay.hidden.items()
            if why == DELETED
            for u in self.updates.get(eid, [])
        }
        out = [c for uid, cs in self.comments.items() if uid not in gone for c in cs]
        out.sort(key=lambda c: (c["created"], c["commentId"]), reverse=True)
        return out
