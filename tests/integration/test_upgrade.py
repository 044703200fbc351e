"""Upgrade in place: a graph and state written by the release before organisations (commit
3abd2b7: tests/data/legacy, made by that release's own code: two cycles with check-ins,
comments and the journal) are adopted by the first cycle as one logged migration."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import neo4j
from structlog.testing import capture_logs

from okrsync.graph import Graph
from okrsync.schema import LABELS
from okrsync.simulator import Org, SimulatorServer
from tests.helpers import assert_mirrors, sync_cycle
from tests.spec import DATA

LEGACY = DATA / "legacy"
# The release's own schema (cypher/schema.cypher at 3abd2b7).
LEGACY_SCHEMA = [
    "CREATE CONSTRAINT objective_id IF NOT EXISTS FOR (n:Objective) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT key_result_id IF NOT EXISTS FOR (n:KeyResult) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT team_id IF NOT EXISTS FOR (n:Team) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT period_id IF NOT EXISTS FOR (n:Period) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT label_id IF NOT EXISTS FOR (n:Label) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT issue_id IF NOT EXISTS FOR (n:Issue) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT user_account_id IF NOT EXISTS FOR (n:User) REQUIRE n.accountId IS UNIQUE",
    "CREATE CONSTRAINT update_id IF NOT EXISTS FOR (n:Update) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX update_entity IF NOT EXISTS FOR (n:Update) ON (n.entityId)",
    "CREATE CONSTRAINT comment_id IF NOT EXISTS FOR (n:Comment) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT sync_run_id IF NOT EXISTS FOR (n:SyncRun) REQUIRE n.id IS UNIQUE",
]
HISTORY = ("Update", "Comment", "SyncRun", "Change")


def load_legacy_graph(driver: neo4j.Driver) -> dict[str, Any]:
    """The release's graph, node for node and relationship for relationship, its DateTime
    values as DateTime values; and its schema."""
    for statement in LEGACY_SCHEMA:
        driver.execute_query(statement)
    dump = json.loads((LEGACY / "graph.json").read_text())
    refs: dict[str, str] = {}
    for label in (*LABELS, *HISTORY):  # a fixed set of labels: no text from the fixture
        rows = [
            {
                "ref": n["ref"],
                "props": {k: v for k, v in n["props"].items() if not isinstance(v, dict)},
                "times": {k: v["$datetime"] for k, v in n["props"].items() if isinstance(v, dict)},
            }
            for n in dump["nodes"]
            if n["labels"] == [label]
        ]
        records, _, _ = driver.execute_query(
            f"UNWIND $rows AS row CREATE (n:{label}) SET n = row.props "
            "FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k])) "
            "RETURN row.ref AS ref, elementId(n) AS id",
            rows=rows,
        )
        refs.update({r["ref"]: r["id"] for r in records})
    for rel_type in sorted({r["type"] for r in dump["relationships"]}):
        assert rel_type.isidentifier()
        rows = [
            {"a": refs[r["from"]], "b": refs[r["to"]], "props": r["props"]}
            for r in dump["relationships"]
            if r["type"] == rel_type
        ]
        driver.execute_query(
            "UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.a "
            f"MATCH (b) WHERE elementId(b) = row.b CREATE (a)-[r:{rel_type}]->(b) "
            "SET r = row.props",
            rows=rows,
        )
    return dump


def legacy_org() -> Org:
    """The org as the simulator served it when the release wrote the fixture."""
    source = json.loads((LEGACY / "source.json").read_text())
    org = Org.from_export(source["export"], seed=21)
    org.updates = source["updates"]
    org.comments = source["comments"]
    org.feed_version += 1
    return org


AFTER = datetime(2026, 6, 1, tzinfo=UTC)


def test_a_mirror_written_by_the_previous_release_is_adopted_in_place(
    graph: Graph, driver: neo4j.Driver, tmp_path: Path
) -> None:
    """Every node and relationship of the release's mirror and history becomes the org's, none
    lost; no property is rewritten; the legacy constraints go; the next cycles are quiet."""
    dump = load_legacy_graph(driver)
    state = tmp_path / "state"
    state.mkdir()
    for name in ("state.db", "checkins.json", "comments.json"):
        shutil.copy(LEGACY / name, state / name)
    labels = Counter(n["labels"][0] for n in dump["nodes"])
    types = Counter(r["type"] for r in dump["relationships"])
    mirror_nodes = sum(labels[label] for label in LABELS)
    with (
        SimulatorServer(legacy_org()) as server,
        # A month after the release's last run: inside the journal's retention, so the
        # adopted runs stay (on a later day they would be pruned like any old entry).
        sync_cycle(
            server.url, graph, state, now=lambda: AFTER, org="okrsync-test-acme", comments=True
        ) as cycle,
    ):
        with capture_logs() as logs:
            first = cycle.run()
        (adopted,) = [e for e in logs if e["event"] == "migration.adopted"]
        assert adopted["nodes"] == mirror_nodes == 106
        mirror_types = ("TRACKS", "COLLABORATES_ON", "OWNS", "BELONGS_TO", "IN_PERIOD")
        mirror_types += ("HAS_LABEL", "HAS_KR", "PARENT_OF")
        assert adopted["relationships"] == sum(types[t] for t in mirror_types) == 330
        assert adopted["checkins"] == labels["Update"] + types["HAS_UPDATE"]
        assert adopted["previous"] == types["PREVIOUS"]
        assert adopted["comments"] == labels["Comment"] + types["HAS_COMMENT"]
        assert adopted["replies"] == types["REPLY_TO"]
        assert adopted["journal"] == labels["SyncRun"]
        assert adopted["changes"] == labels["Change"] + types["RECORDED"]
        assert adopted["about"] == types["ABOUT"]
        # The adopted mirror equals the source: the reconcile that follows writes only what
        # the model has gained since that release (OKR types, displayedStatus, custom fields by
        # name, the status group labels), and deletes or unlinks nothing.
        assert first.mode == "reconcile"
        plan = first.plan
        assert {c.label for c in plan.of_kind("created")} == {"OkrType"}
        assert plan.of_kind("deleted") == [] and plan.unlinked == []
        gained = {f for c in plan.of_kind("updated") for f in c.fields}
        assert all(
            f in ("displayedStatus", "statusGroup") or f.startswith("custom.") for f in gained
        ), gained
        # Every objective and key result gains its status group label.
        grouped = {c.id for c in plan.of_kind("updated") if "statusGroup" in c.fields}
        assert len(grouped) == labels["Objective"] + labels["KeyResult"]
        assert {r.type for r in plan.linked} == {"OF_TYPE"}
        # A reconcile re-reads the whole check-in feed (edits, deletions): every check-in is
        # written again, none is new.
        assert first.checkins == labels["Update"]
        # Every reconcile re-reads the comment feed (edits keep `created`), migration or not.
        assert first.comments == labels["Comment"]
        assert_mirrors(graph, server.url, org="okrsync-test-acme")
        second = cycle.run()
        assert second.mode == "incremental" and second.stats is None
    added_types = len(plan.of_kind("created"))
    journalled, _, _ = driver.execute_query(
        "MATCH (r:SyncRun {id: $id})-[:RECORDED]->(c:Change) RETURN c.field AS field",
        id=first.cycle_id,
    )
    fields = Counter(r["field"] for r in journalled)
    assert set(fields) <= {"type", "displayedStatus"} | {
        f for f in gained if f.startswith("custom.")
    }
    expected_nodes = {(label, "okrsync-test-acme"): n for label, n in labels.items()}
    expected_nodes[("OkrType", "okrsync-test-acme")] = added_types
    expected_nodes[("SyncRun", "okrsync-test-acme")] += 1
    expected_nodes[("Change", "okrsync-test-acme")] += len(journalled)
    nodes, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n)[0] AS label, n.okrsyncOrg AS org, count(*) AS n"
    )
    assert {(r["label"], r["org"]): r["n"] for r in nodes} == expected_nodes
    expected_rels = {(t, "okrsync-test-acme"): n for t, n in types.items()}
    expected_rels[("OF_TYPE", "okrsync-test-acme")] = len(plan.linked)
    expected_rels[("RECORDED", "okrsync-test-acme")] += len(journalled)
    expected_rels[("ABOUT", "okrsync-test-acme")] += len(journalled)
    # Comment authors the mirror holds as users are now linked to what they wrote.
    authored, _, _ = driver.execute_query(
        "MATCH (c:Comment {okrsyncOrg: 'okrsync-test-acme'}) "
        "MATCH (u:User {okrsyncOrg: 'okrsync-test-acme', accountId: c.authorAccountId})"
        " RETURN count(*) AS n"
    )
    expected_rels[("WROTE", "okrsync-test-acme")] = authored[0]["n"]
    rels, _, _ = driver.execute_query(
        "MATCH ()-[r]->() RETURN type(r) AS type, r.okrsyncOrg AS org, count(*) AS n"
    )
    assert {(r["type"], r["org"]): r["n"] for r in rels} == expected_rels
    legacy_left, _, _ = driver.execute_query(
        "SHOW CONSTRAINTS YIELD name WHERE name IN $names RETURN name",
        names=["objective_id", "user_account_id", "update_id", "comment_id", "sync_run_id"],
    )
    assert legacy_left == []
