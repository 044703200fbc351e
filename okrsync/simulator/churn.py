"""Churn: random changes, weighted as a living org makes them between two syncs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from okrsync.simulator.mess_plan import OrgMessPlan
from okrsync.simulator.vocabulary import TEAM_NAMES, THINGS, VERBS
from okrsync.simulator.wire import STATUSES


class OrgChurn(OrgMessPlan):
    """`evolve`: each change drawn from the org's generator, then made through OrgChanges."""

    def evolve(self, changes: int) -> list[str]:
        """Apply `changes` random edits, as a living org makes between two syncs. What the
        last step held back comes back first; a messy org then makes the step's mess."""
        self.release_hidden()
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
        if self.messy:
            done += self._churn_mess()
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
