"""What each read endpoint of openapi.json answers from an org: parameters, filters, paging.

`Answers.export(path, query)` is the whole vendor API; server.py puts it on a socket.
"""

from __future__ import annotations

from okrsync.simulator.org import Org
from okrsync.simulator.vocabulary import CUSTOM_FIELD_DEFS
from okrsync.simulator.wire import Json, epoch_ms

EXPORT = "/api/v2/api-export"
OBJECTIVE_EXPANDS = {"KEY_RESULTS", "TEAMS", "PERIODS", "LABELS", "TYPES", "CUSTOM_FIELDS"}
KEY_RESULT_EXPANDS = {"OBJECTIVES", "TEAMS", "PERIODS", "LABELS", "TYPES", "CUSTOM_FIELDS"}
# Both feeds take pageSize "from 1 to 1000" (openapi.json); outside that, 400.
MAX_PAGE_SIZE = 1000
Query = dict[str, list[str]]


class BadRequest(Exception):
    pass


class Answers:
    """The read endpoints over one org (the caller holds the org's lock)."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self._feed_key: tuple[object, ...] | None = None
        self._feed_cache: list[Json] = []

    def export(self, path: str, query: Query) -> Json:
        org = self.org
        if path == f"{EXPORT}/objectives/byDate":
            expand = _expand(query, OBJECTIVE_EXPANDS)
            return self._objectives(_in_window_ids(query, org.exported(org.objectives)), expand)
        if path == f"{EXPORT}/objectives/byIds":
            expand = _expand(query, OBJECTIVE_EXPANDS)
            wanted = _required_list(query, "objectiveIds")
            return self._objectives(org.exported_ids(org.objectives, wanted), expand)
        if path == f"{EXPORT}/keyResults/byDate":
            expand = _expand(query, KEY_RESULT_EXPANDS)
            return self._key_results(_in_window_ids(query, org.exported(org.key_results)), expand)
        if path == f"{EXPORT}/keyResults/byIds":
            expand = _expand(query, KEY_RESULT_EXPANDS)
            wanted = _required_list(query, "keyResultIds")
            return self._key_results(org.exported_ids(org.key_results, wanted), expand)
        if path == f"{EXPORT}/updates":
            return self._updates(query)
        if path == f"{EXPORT}/updateComments":
            return self._comments(query)
        raise LookupError(path)

    def _filtered_feed(
        self, entity: str | None, later: int | None, earlier: int | None
    ) -> list[Json]:
        # The pages of one pull ask the same question: answer it once per feed version.
        key = (self.org.feed_version, entity, later, earlier)
        if self._feed_key != key:
            updates = self.org.all_updates_newest_first()
            if entity is not None:
                updates = [u for u in updates if u["entityId"] == entity]
            if later is not None or earlier is not None:
                updates = [
                    u
                    for u in updates
                    if (later is None or (epoch_ms(u["created"]) or 0) > later)
                    and (earlier is None or (epoch_ms(u["created"]) or 0) < earlier)
                ]
            self._feed_cache, self._feed_key = updates, key
        return self._feed_cache

    def _objectives(self, ids: list[str], expand: set[str]) -> Json:
        org = self.org
        children, krs_of = org.indexes()
        out: Json = {"okrs": org.served_objectives(ids, children, krs_of)}
        kids: list[str] = []
        if "KEY_RESULTS" in expand:
            kids = [k for o in ids for k in krs_of.get(o, [])]
            out["krs"] = org.served_key_results(kids)
        entities = [org.objectives[o] for o in ids] + [org.key_results[k] for k in kids]
        self._lookups(out, entities, expand)
        return out

    def _key_results(self, ids: list[str], expand: set[str]) -> Json:
        org = self.org
        krs = [org.key_results[k] for k in ids]
        out: Json = {"krs": org.served_key_results(ids)}
        parents: list[str] = []
        if "OBJECTIVES" in expand:
            children, krs_of = org.indexes()
            wanted = dict.fromkeys(k["parentObjectiveId"] for k in krs if k["parentObjectiveId"])
            parents = org.exported_ids(org.objectives, wanted)
            out["okrs"] = org.served_objectives(parents, children, krs_of)
        self._lookups(out, [org.objectives[o] for o in parents] + krs, expand)
        return out

    def _lookups(self, out: Json, entities: list[Json], expand: set[str]) -> None:
        """The lookup arrays hold what the returned entities reference, as the API's do."""
        org, serve = self.org, self.org.overlay.serve_all
        if "TEAMS" in expand:
            wanted = dict.fromkeys(t for e in entities for t in e["teamIds"])
            out["teams"] = serve("team", [org.teams[t] for t in wanted if t in org.teams])
        if "PERIODS" in expand:
            wanted = dict.fromkeys(e["periodAliasId"] for e in entities if e["periodAliasId"])
            out["periods"] = serve("period", [org.periods[p] for p in wanted if p in org.periods])
        if "LABELS" in expand:
            wanted = dict.fromkeys(lb for e in entities for lb in e["labelIds"])
            out["labels"] = serve("label", [org.labels[lb] for lb in wanted if lb in org.labels])
        if "TYPES" in expand:
            out["okrTypes"] = serve("okrType", org.types.values())
        if "CUSTOM_FIELDS" in expand:
            out["customFields"] = serve("customField", CUSTOM_FIELD_DEFS)

    def _updates(self, query: Query) -> Json:
        later = _optional_int(query, "laterThan")
        earlier = _optional_int(query, "earlierThan")
        entity = query.get("entityId", [None])[0]
        page = _paged(self._filtered_feed(entity, later, earlier), query, "updates")
        page["updates"] = self.org.overlay.serve_all("update", page["updates"], "updateId")
        return page

    def _comments(self, query: Query) -> Json:
        later = _optional_int(query, "laterThan")
        earlier = _optional_int(query, "earlierThan")
        update_ids = {v for raw in query.get("updateId", []) for v in raw.split(",") if v}
        comments = [
            c
            for c in self.org.all_comments_newest_first()
            if (not update_ids or c["updateId"] in update_ids)
            and (later is None or (epoch_ms(c["created"]) or 0) > later)
            and (earlier is None or (epoch_ms(c["created"]) or 0) < earlier)
        ]
        page = _paged(comments, query, "comments")
        page["comments"] = self.org.overlay.serve_all("comment", page["comments"], "commentId")
        return page


def empty_answer(path: str) -> Json:
    if path.endswith("/updates"):
        return {"updates": []}
    if path.endswith("/updateComments"):
        return {"comments": []}
    return {"okrs": [], "krs": [], "teams": [], "periods": [], "labels": []}


def _paged(items: list[Json], query: Query, key: str) -> Json:
    """One page of a newest-first feed: `cursor` is the offset, `nextCursor` while more remain."""
    page_size = _page_size(query)
    cursor = query.get("cursor", [None])[0]
    start = 0
    if cursor is not None:
        try:
            start = int(cursor)
        except ValueError:
            raise BadRequest("invalid cursor") from None
    out: Json = {key: [dict(i) for i in items[start : start + page_size]]}
    if start + page_size < len(items):
        out["nextCursor"] = str(start + page_size)
    return out


def _in_window_ids(query: Query, entities: dict[str, Json]) -> list[str]:
    """The byDate endpoints: ids whose start and/or deadline fall in the asked window."""
    start = _required_int(query, "startDateEpochMilli")
    end = _required_int(query, "deadlineEpochMilli")
    return [eid for eid, entity in entities.items() if _in_window(entity, start, end)]


def _in_window(entity: Json, start: int, end: int) -> bool:
    s, d = epoch_ms(entity.get("startDate")), epoch_ms(entity.get("deadline"))
    return (s is not None and start <= s <= end) or (d is not None and start <= d <= end)


def _expand(query: Query, allowed: set[str]) -> set[str]:
    values = {v for raw in query.get("expand", []) for v in raw.split(",") if v}
    unknown = values - allowed
    if unknown:
        raise BadRequest(f"unknown expand value(s): {', '.join(sorted(unknown))}")
    return values


def _required_int(query: Query, name: str) -> int:
    value = _optional_int(query, name)
    if value is None:
        raise BadRequest(f"missing required parameter {name}")
    return value


def _optional_int(query: Query, name: str) -> int | None:
    if name not in query:
        return None
    try:
        return int(query[name][0])
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None


def _required_list(query: Query, name: str) -> list[str]:
    values = [v for raw in query.get(name, []) for v in raw.split(",") if v]
    if not values:
        raise BadRequest(f"missing required parameter {name}")
    return values


def _page_size(query: Query) -> int:
    size = _optional_int(query, "pageSize")
    if size is None:
        return MAX_PAGE_SIZE  # the spec's default
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequest(f"pageSize must be between 1 and {MAX_PAGE_SIZE}")
    return size
