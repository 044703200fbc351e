"""What the server serves from an org: objectives with their derived lists, and the feeds."""

from __future__ import annotations

from okrsync.simulator.base import OrgBase
from okrsync.simulator.wire import Json


class OrgViews(OrgBase):
    """Read-only views, derived at serve time so they can never disagree with the data."""

    def objective_view(
        self, oid: str, children: dict[str, list[str]], krs_of: dict[str, list[str]]
    ) -> Json:
        view = dict(self.objectives[oid])
        view["krIds"] = krs_of.get(oid, [])
        view["childObjectiveIds"] = children.get(oid, [])
        return view

    def indexes(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        children: dict[str, list[str]] = {}
        for oid, obj in self.objectives.items():
            if obj["parentObjectiveId"] is not None:
                children.setdefault(obj["parentObjectiveId"], []).append(oid)
        krs_of: dict[str, list[str]] = {}
        for kid, kr in self.key_results.items():
            krs_of.setdefault(kr["parentObjectiveId"], []).append(kid)
        return children, krs_of

    def all_updates_newest_first(self) -> list[Json]:
        # Cached until the next check-in or delete: a feed is paged through many requests.
        key = (self.feed_version, len(self.updates))
        if self._feed_key != key:
            out = [u for history in self.updates.values() for u in history]
            out.sort(key=lambda u: (u["created"], u["updateId"]), reverse=True)
            self._feed, self._feed_key = out, key
        return self._feed

    def all_comments_newest_first(self) -> list[Json]:
        out = [c for cs in self.comments.values() for c in cs]
        out.sort(key=lambda c: (c["created"], c["commentId"]), reverse=True)
        return out
