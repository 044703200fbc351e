"""The org's data, which every part of the simulator reads and writes, and how ids are made."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime

from okrsync.simulator.overlay import Overlay
from okrsync.simulator.wire import Json


class OrgBase:
    """What an org holds (set up by `Org.__init__`), in the API's own wire form."""

    seed: int
    rng: random.Random
    # Comments draw from their own generator and ids: an org's OKRs for a seed stay the same
    # whether or not comments exist.
    comment_rng: random.Random
    clock: datetime
    users: list[str]
    periods: dict[str, Json]
    teams: dict[str, Json]
    labels: dict[str, Json]
    types: dict[str, Json]
    objectives: dict[str, Json]
    key_results: dict[str, Json]
    updates: dict[str, list[Json]]  # entity id -> its check-ins, oldest first
    comments: dict[str, list[Json]]  # update id -> its comments, oldest first
    generation: int  # how many times the org has evolved
    # What is served differently from what is stored; empty unless mess was asked for.
    overlay: Overlay
    messy: bool  # made with mess=True: the org's churn adds mess too
    mess_rng: random.Random  # the mess's own draws: the org under it stays the seed's
    feed_version: int  # bumped by every check-in, comment and delete
    _next_id: int
    _next_key: dict[str, int]
    _next_comment: int
    _generated: bool  # False while the initial org is being made
    _feed: list[Json]
    _feed_key: tuple[int, int] | None

    # --- ids and lookups -----------------------------------------------------------------

    def new_id(self) -> str:
        self._next_id += 1
        # Mongo-ish 24 hex digits like the vendor's, deterministic for a seed.
        return f"{self.seed & 0xFFFF:04x}{self._next_id:020x}"

    def _new_key(self, prefix: str) -> str:
        self._next_key[prefix] += 1
        return f"{prefix}-{self._next_key[prefix]}"

    def entity(self, eid: str) -> tuple[Json, str]:
        if eid in self.objectives:
            return self.objectives[eid], "objective"
        return self.key_results[eid], "keyResult"

    def iter_entities(self) -> Iterator[tuple[str, Json]]:
        yield from (("objective", o) for o in self.objectives.values())
        yield from (("keyResult", k) for k in self.key_results.values())
