"""The database schema okrsync needs: the mirror's (organisation, key) constraints and
relationship indexes (generated from the model), the history's (cypher/history/schema.cypher),
and dropping the single-key constraints of the releases before organisations."""

from __future__ import annotations

import structlog

from okrsync.errors import GraphError
from okrsync.graph import statements as st
from okrsync.graph.session import Graph

log = structlog.get_logger("okrsync.graph")

# The history's single-key constraints of the releases before organisations: name -> label.
LEGACY_HISTORY = {"update_id": "Update", "comment_id": "Comment", "sync_run_id": "SyncRun"}


class Constraints:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def apply(self) -> None:
        """Everything, idempotent: run before a cycle's first write and by `okrsync schema`."""
        self.create()
        self.drop_legacy()

    def create(self) -> None:
        for statement in [*st.constraints(), *st.split_statements(st.cypher("history/schema"))]:
            try:
                self.graph.write(statement, fenced=False)
            except GraphError as exc:
                if "EquivalentSchemaRuleAlreadyExists" not in str(exc):
                    raise

    def drop_legacy(self) -> None:
        """Only constraints with okrsync's old names and exact definitions (they refuse another
        organisation's nodes with the same ids), and only while no node of that label lacks an
        organisation: otherwise the constraint may be another application's, or guard a mirror
        an earlier release wrote that this state does not know; it is kept, and said."""
        legacy = dict(st.legacy_constraints())
        legacy.update({name: (label, "id") for name, label in LEGACY_HISTORY.items()})
        for name, (label, key) in legacy.items():
            found = self.graph.read(
                "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties "
                "WHERE name = $name AND labelsOrTypes = [$label] AND properties = [$key] "
                "RETURN name",
                name=name,
                label=label,
                key=key,
            )
            if not found:
                continue
            unmarked = self.graph.read(
                f"MATCH (n:{label}) WHERE n.okrsyncOrg IS NULL RETURN count(n) > 0 AS any"
            )
            if unmarked[0]["any"]:
                log.warning(
                    "schema.legacy_constraint_kept",
                    name=name,
                    label=label,
                    key=key,
                    reason=f"{label} nodes without an organisation exist: another application's,"
                    " or a mirror an earlier okrsync wrote whose state directory this one lacks"
                    " (upgrade from the host that has it)",
                )
                continue
            self.graph.write(f"DROP CONSTRAINT {name} IF EXISTS", fenced=False)
            log.info("schema.legacy_constraint_dropped", name=name, label=label, key=key)
