"""One writer per organisation per database, enforced in the graph: a lease node per
organisation (holder, expiry). Whoever holds it writes; every write transaction first checks
and extends it (the fence), so a holder that lost it can never write again. A second okrsync
for the same organisation is a hot standby: it takes the lease once it expires."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

import structlog

from okrsync.graph.constraints import Constraints
from okrsync.graph.session import Graph
from okrsync.graph.statements import cypher

log = structlog.get_logger("okrsync.lease")


def holder_id() -> str:
    """Who holds a lease: host, process and a random part (a restarted pid is another)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class LeaseState:
    granted: bool
    holder: str | None
    expires: str | None
    taken: bool  # granted just now, from nobody or from an expired holder


class Lease:
    def __init__(self, graph: Graph, org: str, ttl: float, holder: str | None = None) -> None:
        self.graph = graph
        self.org = org
        self.ttl = ttl
        self.holder = holder or holder_id()
        self.held = False
        self._constraint = False

    def acquire(self) -> LeaseState:
        """Take or renew the lease; `granted` False means another holder's is live."""
        if not self._constraint:  # the lease's own uniqueness is among them
            Constraints(self.graph).create()
            self._constraint = True
        rows: list[dict[str, object]] = []
        self.graph.write(
            cypher("lease/acquire"),
            fenced=False,
            returning=rows,
            org=self.org,
            holder=self.holder,
            ttl=self.ttl,
        )
        row = rows[0]
        state = LeaseState(
            bool(row["granted"]), _str(row["holder"]), _str(row["expires"]), bool(row["taken"])
        )
        if state.taken:
            log.info("lease.taken", org=self.org, holder=self.holder, expires=state.expires)
        self.held = state.granted
        if state.granted:
            # Never unset on a refusal: a cycle in flight on another thread must stay fenced.
            self.graph.fence = self.fence()
        return state

    def fence(self) -> tuple[str, dict[str, object]]:
        params = {"org": self.org, "holder": self.holder, "ttl": self.ttl}
        return cypher("lease/fence"), params

    def release(self) -> None:
        if self.held:
            # The fence stays: after the release it finds no lease of ours, so a cycle still
            # in flight (abandoned at stop_timeout) cannot write another batch.
            self.graph.write(
                cypher("lease/release"), fenced=False, org=self.org, holder=self.holder
            )
            self.held = False
            log.info("lease.released", org=self.org, holder=self.holder)


def _str(value: object) -> str | None:
    return None if value is None else str(value)
