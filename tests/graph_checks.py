"""Checks on the real graph that several test suites make."""

from __future__ import annotations

from okrsync.graph import Graph

# Nodes of one label sharing a key: what a non-idempotent write would leave behind. Nodes
# without a key (the journal's Change nodes) are not candidates.
DUPLICATE_KEYS = (
    "MATCH (n) WITH labels(n) AS l, coalesce(n.id, n.accountId) AS k, count(*) AS c "
    "WHERE k IS NOT NULL AND c > 1 RETURN count(*) AS dupes"
)


def duplicate_keys(graph: Graph) -> int:
    return int(graph.read(DUPLICATE_KEYS)[0]["dupes"])
