"""What okrsync keeps of the past in Neo4j: check-ins, comments, the change journal, and Jira's
fields on Issue nodes. Hand-written statements from cypher/history/."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from okrsync.graph.session import BatchWriter, Graph, WriteStats
from okrsync.graph.statements import cypher
from okrsync.graph.values import instant, to_neo4j


def _with_times(row: Mapping[str, Any]) -> dict[str, Any]:
    """A feed row with its instants apart for datetime()."""
    return {**row, **to_neo4j(row["props"])}


class History:
    """Writes of the history statements, batched like every other write."""

    def __init__(self, graph: Graph, org: str, batch_size: int) -> None:
        self.graph = graph
        self.org = org
        self.batch_size = batch_size

    def _write(
        self,
        name: str,
        items: Sequence[Any],
        stats: WriteStats | None = None,
        row: Any = None,
        param: str = "rows",
        **extra: Any,
    ) -> WriteStats:
        with BatchWriter(self.graph, self.batch_size, stats) as out:
            row = row or (lambda item: item)
            out.add(name, cypher(name), items, row, param, org=self.org, **extra)
        return out.stats

    def write_checkins(self, rows: Sequence[dict[str, Any]]) -> WriteStats:
        return self._write("history/merge_updates", rows, row=_with_times)

    def create_checkins(self, rows: Sequence[dict[str, Any]]) -> WriteStats:
        """write_checkins for a graph holding none of the organisation's check-ins, rows with
        distinct ids: CREATE instead of MERGE."""
        return self._write("history/create_updates", rows, row=_with_times)

    def holds_checkins(self) -> bool:
        return bool(self.graph.read(cypher("history/holds_checkins"), org=self.org)[0]["holds"])

    def write_comments(self, rows: Sequence[dict[str, Any]]) -> WriteStats:
        return self._write("history/merge_comments", rows, row=_with_times)

    def link_replies(self, rows: Sequence[dict[str, Any]], stats: WriteStats) -> None:
        self._write("history/link_replies", rows, stats)

    def link_checkins(self, entity_ids: Sequence[str], stats: WriteStats) -> None:
        self._write("history/link_checkins", entity_ids, stats, param="entityIds")

    def link_authors(self, account_ids: Sequence[str], stats: WriteStats) -> None:
        self._write("history/link_authors", account_ids, stats, param="accountIds")

    def read_checkins(self) -> list[dict[str, Any]]:
        """Every check-in of the organisation: id, entityId, created (transform's text), and
        whether it hangs from its objective or key result."""
        rows = self.graph.read(cypher("history/read_checkins"), org=self.org)
        return [{**row, "created": row["created"] and instant(row["created"])} for row in rows]

    def delete_checkins(self, ids: Sequence[str], stats: WriteStats) -> None:
        self._write("history/delete_updates", ids, stats, param="ids")

    def chain_checkins(self, entity_ids: Sequence[str], stats: WriteStats) -> None:
        self._write("history/chain_updates", entity_ids, stats, param="entityIds")

    def write_journal(self, run: dict[str, Any], changes: Sequence[dict[str, Any]]) -> WriteStats:
        if not changes:  # a run with nothing per field still records its counts
            stats = WriteStats()
            self.graph.write(cypher("history/journal"), stats, run=run, changes=[], org=self.org)
            return stats
        return self._write("history/journal", changes, param="changes", run=run)

    def prune_journal(self, before: str) -> int:
        """Delete journal entries older than `before` (ISO instant) in bounded batches."""
        deleted = 0
        while True:
            stats = WriteStats()
            self.graph.write(
                cypher("history/prune_journal"),
                stats,
                before=before,
                limit=self.batch_size,
                org=self.org,
            )
            deleted += stats.counters["nodes_deleted"]
            if stats.counters["nodes_deleted"] == 0:
                return deleted

    def issues_to_enrich(self, every: bool) -> list[str]:
        rows = self.graph.read(cypher("history/issues_to_enrich"), all=every, org=self.org)
        return [r["id"] for r in rows]

    def enrich_issues(self, rows: Sequence[dict[str, Any]]) -> WriteStats:
        return self._write("history/enrich_issues", rows)
