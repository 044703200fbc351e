"""The initial org for a seed: periods, teams, labels, types, then a tree of objectives and KRs.

create_objective and create_key_result also make the OKRs later changes add; their random draws
come from the org's one generator, in a fixed order, so a seed always gives the same org.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from okrsync.simulator.history import OrgHistory
from okrsync.simulator.vocabulary import (
    EPOCH,
    LABEL_NAMES,
    SITE,
    TEAM_NAMES,
    THINGS,
    TYPE_NAMES,
    UNITS,
    VERBS,
)
from okrsync.simulator.wire import Json, fmt, parse_api_time


class OrgGeneration(OrgHistory):
    """Makes the org's catalog and OKRs, each drawn at random from the vocabulary."""

    def _generate(self, n_objectives: int) -> None:
        self._generate_catalog(n_objectives)
        self._generate_tree(n_objectives)

    def _generate_catalog(self, n_objectives: int) -> None:
        """Eight quarters, then teams and labels in proportion to the org, then the OKR types."""
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

    def _generate_tree(self, n_objectives: int) -> None:
        """A few roots, then objectives under random ones at most four deep, each with KRs."""
        rng = self.rng
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
