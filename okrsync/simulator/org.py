"""A generated, living OKR organisation, held in the API's own wire form.

Entities are stored as the JSON dicts the API would send (nulls and absent fields included), so
serving them is a copy, and what tests compare against is exactly what the client parsed.
Relationship lists the API derives (krIds, childObjectiveIds) are derived here too, at serve
time, from the parent pointers: they can never disagree with each other.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

Json = dict[str, Any]

STATUSES = (
    "ON_TRACK",
    "AT_RISK",
    "ACTION_REQUIRED",
    "NOT_STARTED",
    "SUCCESS",
    "FINISHED",
    "ASSUMPTIONS_CHANGED",
    "DELAYED",
    "CANCELED",
    "FAILED",
    "UNDEFINED",
    "MISSED_TARGET",
)
DISPLAYED = {s: s.replace("_", " ").title() for s in STATUSES} | {"ACTION_REQUIRED": "Off Track"}
UNITS = (
    None,
    {"name": "Currency", "symbol": "$"},
    {"name": "Percent", "symbol": "%"},
    {"name": "Number", "symbol": None},
    {"name": "Deals", "symbol": "deals"},
)
VERBS = (
    "Increase",
    "Reduce",
    "Launch",
    "Improve",
    "Grow",
    "Ship",
    "Automate",
    "Simplify",
    "Modernise",
    "Win",
    "Delight",
    "Harden",
)
THINGS = (
    "revenue",
    "churn",
    "onboarding",
    "platform reliability",
    "NPS",
    "test coverage",
    "the mobile app",
    "enterprise deals",
    "hiring pipeline",
    "cloud costs",
    "search",
    "documentation",
    "support response time",
    "partner network",
    "data quality",
)
TEAM_NAMES = (
    "Platform",
    "Growth",
    "Payments",
    "Mobile",
    "Data",
    "Security",
    "Sales",
    "Marketing",
    "Support",
    "Design",
    "Infra",
    "Search",
    "Identity",
    "Billing",
)
LABEL_NAMES = (
    "Research",
    "High Priority",
    "Customer",
    "Tech Debt",
    "Compliance",
    "Q-Goal",
    "Stretch",
    "Company",
    "Experiment",
    "Cost",
)
TYPE_NAMES = (
    ("Company OKR", "#4C9AFF", "#FFFFFF"),
    ("Team OKR", "#36B37E", "#FFFFFF"),
    ("Personal OKR", "#FFAB00", "#172B4D"),
)
SITE = "https://example.atlassian.net/jira/apps/okr"
COMMENTS = ("Nice progress", "What is blocking this?", "Moved to next sprint", "See the Jira epic")
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def fmt(moment: datetime) -> str:
    """The API's timestamp form: 2021-03-31T23:59:59+0000."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


@lru_cache(maxsize=65536)
def parse_api_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")


def epoch_ms(text: str | None) -> int | None:
    if text is None:
        return None
    return int(parse_api_time(text).timestamp() * 1000)


class Org:
    """The organisation: periods, teams, labels, types, users, objectives, KRs, check-ins."""

    def __init__(self, objectives: int = 60, seed: int = 1) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self._next_id = 0
        self._next_key = {"O": 0, "KR": 0}
        self.clock = EPOCH + timedelta(days=120)
        self.periods: dict[str, Json] = {}
        self.teams: dict[str, Json] = {}
        self.labels: dict[str, Json] = {}
        self.types: dict[str, Json] = {}
        self.objectives: dict[str, Json] = {}
        self.key_results: dict[str, Json] = {}
        self.updates: dict[str, list[Json]] = {}  # entity id -> its check-ins, oldest first
        self.comments: dict[str, list[Json]] = {}  # update id -> its comments, oldest first
        # Comments draw from their own generator and ids: an org's OKRs for a seed stay the
        # same whether or not comments exist.
        self.comment_rng = random.Random(seed * 1_000_003 + 17)
        self._next_comment = 0
        self.users = [
            f"557058:{self.rng.getrandbits(64):016x}" for _ in range(max(4, objectives // 3))
        ]
        self.generation = 0
        self.feed_version = 0
        self._feed: list[Json] = []
        self._feed_key: tuple[int, int] | None = None
        self._generated = False
        self._generate(objectives)
        self._generated = True

    @classmethod
    def from_export(cls, data: Json, seed: int = 1) -> Org:
        """An org holding exactly a fixed export (okrs, krs, teams, periods, labels, okrTypes)."""
        org = cls(objectives=0, seed=seed)
        org.periods = {p["id"]: p for p in data.get("periods", [])}
        org.teams = {t["id"]: t for t in data.get("teams", [])}
        org.labels = {lb["id"]: lb for lb in data.get("labels", [])}
        org.types = {t["id"]: t for t in data.get("okrTypes", [])}
        derived = ("krIds", "childObjectiveIds")
        org.objectives = {
            o["id"]: {k: v for k, v in o.items() if k not in derived} for o in data.get("okrs", [])
        }
        org.key_results = {k["id"]: dict(k) for k in data.get("krs", [])}
        org.updates = {}
        org.feed_version += 1
        for _, entity in org.iter_entities():
            latest = entity.get("latestUpdate")
            org.updates[entity["id"]] = (
                []
                if latest is None
                else [
                    {
                        "updateId": f"u-{entity['id']}",
                        **latest,
                        "displayedStatus": DISPLAYED.get(latest.get("status"), None),
                    }
                ]
            )
        return org

    # --- ids -----------------------------------------------------------------------------

    def new_id(self) -> str:
        self._next_id += 1
        # Mongo-ish 24 hex digits like the vendor's, deterministic for a seed.
        return f"{self.seed & 0xFFFF:04x}{self._next_id:020x}"

    def _new_key(self, prefix: str) -> str:
        self._next_key[prefix] += 1
        return f"{prefix}-{self._next_key[prefix]}"

    # --- generation ----------------------------------------------------------------------

    def _generate(self, n_objectives: int) -> None:
        rng = self.rng
        for year in (2025, 2026):
            for q in range(4):
                start = datetime(year, 1 + 3 * q, 1, tzinfo=UTC)
                next_start = (
                    datetime(year + 1, 1, 1, tzinfo=UTC)
                    if q == 3
                    else datetime(year, 4 + 3 * q, 1, tzinfo=UTC)
                )
                end = next_start - timedelta(seconds=1)
                pid = self.new_id()
                self.periods[pid] = {
                    "id": pid,
                    "name": f"Q{q + 1} {year}",
                    "startDate": fmt(start),
                    "deadline": fmt(end),
                }
        for i in range(max(3, min(500, n_objectives // 8))):
            self.add_team(f"{TEAM_NAMES[i % len(TEAM_NAMES)]} {i // len(TEAM_NAMES) + 1}")
        for i in range(max(4, min(200, n_objectives // 20))):
            lid = self.new_id()
            self.labels[lid] = {
                "id": lid,
                "name": f"{LABEL_NAMES[i % len(LABEL_NAMES)]}"
                + (f" {i // len(LABEL_NAMES)}" if i >= len(LABEL_NAMES) else ""),
            }
        for name, bg, fg in TYPE_NAMES:
            tid = self.new_id()
            self.types[tid] = {"id": tid, "name": name, "backgroundColor": bg, "textColor": fg}
        roots = max(1, n_objectives // 12)
        depth: dict[str, int] = {}
        order: list[str] = []
        for i in range(n_objectives):
            parent = None
            if i >= roots:
                for _ in range(4):
                    pick = order[rng.randrange(len(order))]
                    if depth[pick] < 4:
                        parent = pick
                        break
            oid = self.create_objective(parent)
            order.append(oid)
            depth[oid] = 0 if parent is None else depth[parent] + 1
            for _ in range(rng.randint(1, 4)):
                self.create_key_result(oid)

    def _dates(self, period_id: str | None) -> tuple[datetime, datetime]:
        if period_id is not None:
            p = self.periods[period_id]
            return (
                parse_api_time(p["startDate"]),
                parse_api_time(p["deadline"]),
            )
        start = EPOCH + timedelta(days=self.rng.randint(-300, 300))
        return start, start + timedelta(days=self.rng.randint(30, 200))

    def _maybe_description(self, name: str) -> str | None:
        r = self.rng.random()
        if r < 0.3:
            return None
        if r < 0.35:
            return ""
        return f"<p>{name}: why it matters.</p><p><strong>Scope</strong> &amp; owners.</p>"

    def _common(self, eid: str, name: str, parent: str | None, kind: str, extra: Json) -> Json:
        rng = self.rng
        period_id = rng.choice([*self.periods, None]) if rng.random() < 0.9 else None
        start, deadline = self._dates(period_id)
        created = start - timedelta(days=rng.randint(1, 30))
        entity: Json = {
            **extra,
            "id": eid,
            "key": self._new_key("O" if kind == "objective" else "KR"),
            "name": name,
            "link": f"{SITE}#/details/{'o' if kind == 'objective' else 'kr'}/{eid}",
            "description": self._maybe_description(name),
            "parentObjectiveId": parent,
            "ownerAccountId": rng.choice(self.users),
            "collaboratorAccountIds": rng.sample(
                self.users, k=rng.randint(0, min(3, len(self.users)))
            ),
            "percentDone": round(rng.uniform(0, 100), 1) if rng.random() < 0.9 else 0.0,
            "created": fmt(created),
            "startDate": fmt(start),
            "deadline": fmt(deadline),
            "labelIds": rng.sample(list(self.labels), k=rng.choice((0, 0, 1, 1, 2))),
            "teamIds": rng.sample(list(self.teams), k=rng.choice((0, 1, 1, 1, 2))),
            "periodAliasId": period_id,
            "weight": rng.choice((0, 1, 1, 1, 2, 3)),
        }
        if rng.random() < 0.3:
            entity["expectedEndDate"] = fmt(deadline + timedelta(days=rng.randint(-10, 20)))
        if rng.random() < 0.1:
            entity["finalGrade"] = round(rng.uniform(0, 1), 2)
        if rng.random() < 0.25:
            entity["customFields"] = {
                "cf-budget": rng.randint(1, 100) * 1000,
                "cf-risk": rng.choice(("low", "medium", "high")),
            }
        self.updates[eid] = []
        # History lies in the past: the feed is read "later than the newest seen", so a check-in
        # dated after the clock would hide the ones a later change makes (as no real one can).
        past = self.clock - timedelta(hours=6)
        for i in range(rng.choice((0, 1, 2, 3, 5))):
            when = min(created + timedelta(days=rng.randint(1, 90)), past)
            if self._generated:  # an OKR made by a later change is checked in from now on
                when = self.clock + timedelta(minutes=i)
            self._check_in(entity, kind, when=when)
        if not self.updates[eid]:
            entity["latestUpdate"] = None
        return entity

    def _check_in(
        self,
        entity: Json,
        kind: str,
        when: datetime | None = None,
        status: str | None = None,
        value: float | None = None,
    ) -> Json:
        rng = self.rng
        update: Json = {
            "updateId": self.new_id(),
            "entityId": entity["id"],
            "status": status or rng.choice(STATUSES),
            "created": fmt(when or self.clock),
            "description": rng.choice((None, "", "Weekly check-in", "Blocked on vendor")),
            "source": rng.choice(("MANUAL", "MANUAL", "API", "AUTO")),
        }
        update["displayedStatus"] = DISPLAYED[update["status"]]
        if kind == "keyResult":
            progress = entity.get("currentProgressDefinition") or {}
            update["value"] = value if value is not None else round(rng.uniform(0, 100), 1)
            update["startValue"] = progress.get("startValue")
            update["desiredValue"] = progress.get("desiredValue")
        else:
            update["value"] = None
        history = self.updates.setdefault(entity["id"], [])
        history.append(update)
        self._maybe_comment(update)
        self.feed_version += 1
        history.sort(key=lambda u: u["created"])
        entity["latestUpdate"] = {
            k: history[-1][k] for k in ("entityId", "status", "created", "value", "description")
        }
        return update

    def _maybe_comment(self, update: Json) -> None:
        """About a third of check-ins get a comment, some of those a reply to it."""
        rng = self.comment_rng
        if rng.random() >= 0.35:
            return
        # Hours after the check-in, but not after the clock for a past one: history too.
        when = parse_api_time(update["created"])
        late = max(when, self.clock)
        first = self.add_comment(
            update["updateId"], rng.choice(COMMENTS), min(when + timedelta(hours=2), late)
        )
        if rng.random() < 0.4:
            self.add_comment(
                update["updateId"],
                "Agreed, thanks",
                min(when + timedelta(hours=5), late),
                reply_to=first,
            )

    def add_comment(
        self, update_id: str, text: str, when: datetime, reply_to: str | None = None
    ) -> str:
        self._next_comment += 1
        comment: Json = {
            "commentId": f"c{self.seed & 0xFFFF:04x}{self._next_comment:019x}",
            "updateId": update_id,
            "text": text,
            "authorAccountId": self.comment_rng.choice(self.users),
            "created": fmt(when),
        }
        if reply_to is not None:  # absent rather than null, as the vendor's examples show
            comment["replyToCommentId"] = reply_to
        self.comments.setdefault(update_id, []).append(comment)
        self.feed_version += 1
        return str(comment["commentId"])

    def edit_comment(self, comment_id: str, text: str) -> None:
        comment = next(
            c for cs in self.comments.values() for c in cs if c["commentId"] == comment_id
        )
        comment["text"] = text
        comment["lastEdited"] = fmt(self.clock)
        self.feed_version += 1

    def all_comments_newest_first(self) -> list[Json]:
        out = [c for cs in self.comments.values() for c in cs]
        out.sort(key=lambda c: (c["created"], c["commentId"]), reverse=True)
        return out

    def _drop_history(self, eid: str) -> None:
        """An entity's check-ins and their comments go with it."""
        for update in self.updates.pop(eid, []):
            self.comments.pop(update["updateId"], None)

    def _pick_type(self) -> Json | None:
        return self.rng.choice([*self.types.values(), None, None])

    def create_objective(self, parent: str | None = None, name: str | None = None) -> str:
        oid = self.new_id()
        name = name or f"{self.rng.choice(VERBS)} {self.rng.choice(THINGS)}"
        obj = self._common(oid, name, parent, "objective", {})
        okr_type = self._pick_type()
        if okr_type is not None:
            obj["okrTypeId"], obj["okrTypeName"] = okr_type["id"], okr_type["name"]
            obj["iconBackgroundColor"] = okr_type["backgroundColor"]
            obj["iconTextColor"] = okr_type["textColor"]
        self.objectives[oid] = obj
        return oid

    def create_key_result(self, objective_id: str, name: str | None = None) -> str:
        rng = self.rng
        kid = self.new_id()
        name = name or f"{rng.choice(VERBS)} {rng.choice(THINGS)} to {rng.randint(2, 95)}"
        auto = rng.random() < 0.3
        start, desired = 0.0, float(rng.choice((10, 20, 50, 100, 15000)))
        progress = {
            "type": "AUTO" if auto else "STANDARD",
            "startValue": start,
            "desiredValue": desired,
            "jql": f'project = P{rng.randint(1, 40)} AND fixVersion = "{rng.randint(1, 9)}.0"'
            if auto
            else None,
        }
        kr = self._common(
            kid, name, objective_id, "keyResult", {"currentProgressDefinition": progress}
        )
        kr["unit"] = rng.choice(UNITS)
        kr["issueIds"] = [
            str(10000 + rng.randrange(5 * len(self.users) + 50))
            for _ in range(rng.choice((0, 0, 1, 2, 3, 5)))
        ]
        kr["issueIds"] = sorted(set(kr["issueIds"]))
        okr_type = self._pick_type()
        if okr_type is not None:
            kr["typeId"], kr["typeName"] = okr_type["id"], okr_type["name"]
        self.key_results[kid] = kr
        return kid

    def add_team(self, name: str) -> str:
        tid = str(len(self.teams) + 2 + self._next_id)  # the spec's team ids look like "2", "7"
        self._next_id += 1
        self.teams[tid] = {"id": tid, "name": name}
        return tid

    # --- changes tests and churn make ----------------------------------------------------

    def entity(self, eid: str) -> tuple[Json, str]:
        if eid in self.objectives:
            return self.objectives[eid], "objective"
        return self.key_results[eid], "keyResult"

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

    def evolve(self, changes: int) -> list[str]:
        """Apply `changes` random edits, as a living org makes between two syncs."""
        self.generation += 1
        self.clock += timedelta(hours=6)
        done: list[str] = []
        actions: list[tuple[int, Callable[[], str | None]]] = [
            (30, self._churn_status),
            (25, self._churn_progress),
            (8, self._churn_rename),
            (6, self._churn_create),
            (4, self._churn_delete),
            (5, self._churn_reparent_kr),
            (4, self._churn_move_objective),
            (8, self._churn_labels),
            (5, self._churn_teams),
            (1, self._churn_new_team),
        ]
        weights = [w for w, _ in actions]
        for _ in range(changes):
            action = self.rng.choices([a for _, a in actions], weights=weights)[0]
            result = action()
            if result:
                done.append(result)
        return done

    def _random_entity(self) -> str | None:
        pool = list(self.objectives) + list(self.key_results)
        return self.rng.choice(pool) if pool else None

    def _churn_status(self) -> str | None:
        eid = self._random_entity()
        if eid is None:
            return None
        self.set_status(eid, self.rng.choice(STATUSES))
        return f"status {eid}"

    def _churn_progress(self) -> str | None:
        eid = self._random_entity()
        if eid is None:
            return None
        self.set_progress(eid, round(self.rng.uniform(0, 100), 1))
        return f"progress {eid}"

    def _churn_rename(self) -> str | None:
        eid = self._random_entity()
        if eid is None:
            return None
        self.rename(
            eid, f"{self.rng.choice(VERBS)} {self.rng.choice(THINGS)} (rev {self.generation})"
        )
        return f"rename {eid}"

    def _churn_create(self) -> str | None:
        parent = self.rng.choice([*self.objectives, None]) if self.objectives else None
        oid = self.create_objective(parent)
        for _ in range(self.rng.randint(1, 3)):
            self.create_key_result(oid)
        return f"create {oid}"

    def _churn_delete(self) -> str | None:
        if len(self.objectives) < 5:
            return None
        oid = self.rng.choice(list(self.objectives))
        self.delete_objective(oid)
        return f"delete {oid}"

    def _churn_reparent_kr(self) -> str | None:
        if not self.key_results or len(self.objectives) < 2:
            return None
        kid = self.rng.choice(list(self.key_results))
        self.reparent_key_result(kid, self.rng.choice(list(self.objectives)))
        return f"reparent {kid}"

    def _churn_move_objective(self) -> str | None:
        if len(self.objectives) < 2:
            return None
        oid, parent = self.rng.sample(list(self.objectives), 2)
        try:
            self.move_objective(oid, parent)
        except ValueError:
            return None
        return f"move {oid}"

    def _churn_labels(self) -> str | None:
        eid = self._random_entity()
        if eid is None:
            return None
        entity, _ = self.entity(eid)
        if entity["labelIds"] and self.rng.random() < 0.5:
            self.remove_label(eid, self.rng.choice(entity["labelIds"]))
        else:
            self.add_label(eid, self.rng.choice(list(self.labels)))
        return f"labels {eid}"

    def _churn_teams(self) -> str | None:
        eid = self._random_entity()
        if eid is None:
            return None
        self.set_teams(eid, self.rng.sample(list(self.teams), k=self.rng.choice((0, 1, 1, 2))))
        return f"teams {eid}"

    def _churn_new_team(self) -> str | None:
        tid = self.add_team(f"{self.rng.choice(TEAM_NAMES)} {self.generation}x")
        eid = self._random_entity()
        if eid is not None:
            self.set_teams(eid, [tid])
        return f"team {tid}"

    # --- views the server serves ---------------------------------------------------------

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

    def iter_entities(self) -> Iterator[tuple[str, Json]]:
        yield from (("objective", o) for o in self.objectives.values())
        yield from (("keyResult", k) for k in self.key_results.values())
