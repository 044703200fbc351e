"""A generated, living OKR organisation, held in the API's own wire form.

Entities are stored as the JSON dicts the API would send (nulls and absent fields included), so
serving them is a copy, and what tests compare against is exactly what the client parsed.
Relationship lists the API derives (krIds, childObjectiveIds) are derived here too, at serve
time, from the parent pointers: they disagree only where a messy org's overlay says so.

`Org` composes the parts: its data and ids (base), check-ins and comments (history), the
initial org (generation), named changes (changes), the mess of real exports (mess_fields,
mess_export, mess_plan, laid on the overlay), random churn (churn), served views (views).
"""

from __future__ import annotations

import random
from datetime import timedelta

from okrsync.simulator.churn import OrgChurn
from okrsync.simulator.overlay import Overlay
from okrsync.simulator.views import OrgViews
from okrsync.simulator.vocabulary import EPOCH
from okrsync.simulator.wire import DISPLAYED, Json, epoch_ms, fmt, parse_api_time

__all__ = ["Json", "Org", "epoch_ms", "fmt", "parse_api_time"]


class Org(OrgChurn, OrgViews):
    """The organisation: periods, teams, labels, types, users, objectives, KRs, check-ins.
    With mess=True, the seed's org with every kind of mess on it (okrsync.simulator)."""

    def __init__(self, objectives: int = 60, seed: int = 1, *, mess: bool = False) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self._next_id = 0
        self._next_key = {"O": 0, "KR": 0}
        self.clock = EPOCH + timedelta(days=120)
        self.periods = {}
        self.teams = {}
        self.labels = {}
        self.types = {}
        self.objectives = {}
        self.key_results = {}
        self.updates = {}
        self.comments = {}
        self.comment_rng = random.Random(seed * 1_000_003 + 17)
        self._next_comment = 0
        self.users = [
            f"557058:{self.rng.getrandbits(64):016x}" for _ in range(max(4, objectives // 3))
        ]
        self.generation = 0
        self.overlay = Overlay()
        self.messy = False
        self.mess_rng = random.Random(seed * 7_919 + 5)
        self.mess_log = []
        self.feed_version = 0
        self._feed = []
        self._feed_key = None
        self._generated = False
        self._generate(objectives)
        self._generated = True
        if mess:
            self._make_mess()

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
