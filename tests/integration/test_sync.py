"""The sync engine against the real Neo4j and the simulator over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import neo4j
import pytest
from structlog.testing import capture_logs

from okrsync.config import Settings
from okrsync.errors import MassDeleteRefused
from okrsync.graph import Graph
from okrsync.simulator import SimulatorServer
from okrsync.state import StateStore
from okrsync.sync import SyncCycle
from okrsync.testing import wipe
from tests.helpers import (
    CHANGE_EVENTS,
    assert_mirrors,
    change_events,
    counts,
    duplicate_keys,
    read_state,
    sync_cycle,
)


@pytest.fixture
def syncer(graph: Graph, simulator: SimulatorServer, settings: Settings) -> Iterator[SyncCycle]:
    with sync_cycle(simulator.url, graph, settings.state_dir) as cycle:
        yield cycle


def count(driver: neo4j.Driver, query: str, **params: Any) -> int:
    records, _, _ = driver.execute_query(query, **params)
    return int(records[0][0])


class TestInitialMirror:
    def test_generated_org_mirrors_exactly(
        self, syncer: SyncCycle, graph: Graph, simulator: SimulatorServer, driver: neo4j.Driver
    ) -> None:
        """Counts derived straight from the org's JSON, and every property, match the graph."""
        org = simulator.org
        result = syncer.run()
        assert_mirrors(graph, simulator.url)
        entities = list(org.objectives.values()) + list(org.key_results.values())
        expected_nodes = {
            "Objective": len(org.objectives),
            "KeyResult": len(org.key_results),
            "Team": len({t for e in entities for t in e["teamIds"]}),
            "Label": len({lb for e in entities for lb in e["labelIds"]}),
            "Period": len({e["periodAliasId"] for e in entities if e["periodAliasId"]}),
            "Issue": len({i for k in org.key_results.values() for i in k["issueIds"]}),
            "OkrType": len({e.get("okrTypeId") or e.get("typeId") for e in entities} - {None}),
            "User": len(
                {u for e in entities for u in [e["ownerAccountId"], *e["collaboratorAccountIds"]]}
            ),
        }
        expected_rels = {
            "PARENT_OF": sum(1 for o in org.objectives.values() if o["parentObjectiveId"]),
            "HAS_KR": len(org.key_results),
            "TRACKS": sum(len(k["issueIds"]) for k in org.key_results.values()),
            "BELONGS_TO": sum(len(e["teamIds"]) for e in entities),
            "HAS_LABEL": sum(len(e["labelIds"]) for e in entities),
            "IN_PERIOD": sum(1 for e in entities if e["periodAliasId"]),
            "OWNS": len(entities),
            "COLLABORATES_ON": sum(len(e["collaboratorAccountIds"]) for e in entities),
            "OF_TYPE": sum(1 for e in entities if e.get("okrTypeId") or e.get("typeId")),
        }
        held = counts(graph)
        assert {k: held[k] for k in expected_nodes} == expected_nodes
        assert {k: held[k] for k in expected_rels} == expected_rels
        assert result.plan.summary()["created"] == sum(expected_nodes.values())
        assert result.plan.summary()["linked"] == sum(expected_rels.values())
        assert result.stats is not None
        assert result.stats.counters["nodes_created"] == sum(expected_nodes.values())
        assert result.stats.counters["relationships_created"] == sum(expected_rels.values())

    def test_properties_and_temporal_values(
        self, syncer: SyncCycle, simulator: SimulatorServer, driver: neo4j.Driver
    ) -> None:
        """A sample KR's properties match the API's JSON; dates are DateTime values."""
        syncer.run()
        kid, kr = next(
            (k, v) for k, v in simulator.org.key_results.items() if v["latestUpdate"] and v["unit"]
        )
        records, _, _ = driver.execute_query(
            "MATCH (k:KeyResult {id: $id}) RETURN k {.*} AS k, valueType(k.deadline) AS t", id=kid
        )
        props, kind = records[0]["k"], records[0]["t"]
        assert kind == "ZONED DATETIME NOT NULL"
        assert props["name"] == kr["name"]
        assert props["key"] == kr["key"]
        assert props["percentDone"] == kr["percentDone"]
        assert props["status"] == kr["latestUpdate"]["status"]
        assert props["currentValue"] == kr["latestUpdate"]["value"]
        assert props["unit"] == kr["unit"]["name"]
        assert props["progressType"] == kr["currentProgressDefinition"]["type"]
        assert props["deadline"].to_native().strftime("%Y-%m-%dT%H:%M:%S+0000") == kr["deadline"]
        nulls = count(
            driver, "MATCH (n) WHERE any(k IN keys(n) WHERE n[k] = 'None') RETURN count(n)"
        )
        assert nulls == 0
        # Judged at a fixed instant, never the real clock: the org's deadlines are fixed dates.
        overdue = count(
            driver,
            "MATCH (o:Objective) WHERE o.deadline < datetime($at) RETURN count(o)",
            at="2026-05-15T00:00:00Z",
        )
        expected = sum(1 for o in simulator.org.objectives.values() if o["deadline"] < "2026-05-15")
        assert 0 < overdue == expected < len(simulator.org.objectives)

    def test_a_cycle_puts_the_whole_schema_in_place(
        self, syncer: SyncCycle, driver: neo4j.Driver
    ) -> None:
        """The mirror's (org, key) constraints and the history's, before the first write."""
        syncer.run()
        records, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name")
        names = {r["name"] for r in records}
        assert {"objective_org_id", "user_org_account_id", "update_org_id"} <= names
        assert {"comment_org_id", "sync_run_org_id", "okrsync_lease_org"} <= names


class TestIncremental:
    def test_no_op_cycle_writes_nothing(self, syncer: SyncCycle, graph: Graph) -> None:
        """Nothing changed in the source: no statement sent, all counts 0, in both modes."""
        syncer.run()
        with capture_logs() as logs:
            again = syncer.run()
        assert again.mode == "incremental"
        assert again.parsed == 0  # every fingerprint matched: not one record parsed
        assert again.plan.summary() == dict.fromkeys(CHANGE_EVENTS, 0)
        assert again.stats is None  # not one write statement reached Neo4j
        assert change_events(logs) == []
        full = syncer.run(full=True)
        assert full.mode == "reconcile"
        assert full.plan.empty
        assert full.stats is not None and full.stats.wrote_nothing

    def test_one_changed_kr_touches_only_its_changed_property(
        self, syncer: SyncCycle, simulator: SimulatorServer
    ) -> None:
        """One progress edit: one property set, no node or relationship touched."""
        syncer.run()
        kid = next(iter(simulator.org.key_results))
        simulator.sim.mutate(lambda o: o.set_progress(kid, 12.5))
        with capture_logs() as logs:
            result = syncer.run()
        assert result.parsed == 1  # the other records' fingerprints did not move
        assert result.stats is not None
        assert +result.stats.counters == {"properties_set": 1}
        (event,) = change_events(logs)
        assert event["event"] == "keyresult.updated"
        assert event["id"] == kid
        assert list(event["changes"]) == ["percentDone"]
        assert event["changes"]["percentDone"][1] == 12.5

    def test_evolution_converges_and_logs_exactly_the_changes(
        self, syncer: SyncCycle, graph: Graph, simulator: SimulatorServer
    ) -> None:
        """Status, progress, rename, reparents, a removed label, a deleted objective, a new team."""
        syncer.run()
        org = simulator.org
        objectives = list(org.objectives)
        kr = next(
            k
            for k, v in org.key_results.items()
            if v["latestUpdate"] and v["latestUpdate"]["status"] != "AT_RISK"
        )
        old_status = org.key_results[kr]["latestUpdate"]["status"]
        target_obj = next(o for o in objectives if o != org.key_results[kr]["parentObjectiveId"])
        labelled = next(o for o in objectives if org.objectives[o]["labelIds"])
        label = org.objectives[labelled]["labelIds"][0]
        mover = objectives[-1]
        new_parent = objectives[0]
        doomed = next(
            o
            for o in objectives
            if o not in (target_obj, labelled, mover, new_parent)
            and not any(v["parentObjectiveId"] == o for v in org.objectives.values())
            and o != org.key_results[kr]["parentObjectiveId"]
        )
        doomed_krs = [k for k, v in org.key_results.items() if v["parentObjectiveId"] == doomed]

        def change(o: Any) -> str:
            o.set_status(kr, "AT_RISK")
            o.set_progress(kr, 55.0)
            o.rename(target_obj, "Renamed objective")
            o.reparent_key_result(kr, target_obj)
            o.move_objective(mover, new_parent)
            o.remove_label(labelled, label)
            o.delete_objective(doomed)
            team = o.add_team("Brand new team")
            o.set_teams(target_obj, [team])
            return team

        team = simulator.sim.mutate(change)
        with capture_logs() as logs:
            result = syncer.run()
        assert_mirrors(graph, simulator.url)
        events = change_events(logs)
        updated = {e["id"]: e["changes"] for e in events if e["event"].endswith(".updated")}
        assert updated[kr]["status"][0] == old_status and updated[kr]["status"][1] == "AT_RISK"
        assert updated[kr]["percentDone"][1] == 55.0
        assert updated[target_obj] == {
            "name": [updated[target_obj]["name"][0], "Renamed objective"]
        }
        deleted = {
            e["id"] for e in events if e["event"] in ("objective.deleted", "keyresult.deleted")
        }
        assert deleted == {doomed, *doomed_krs}
        created = [(e["event"], e["id"]) for e in events if e["event"].endswith(".created")]
        assert ("team.created", team) in created
        linked = {
            (e["type"], e["from_id"], e["to_id"])
            for e in events
            if e["event"] == "relationship.linked"
        }
        unlinked = {
            (e["type"], e["from_id"], e["to_id"])
            for e in events
            if e["event"] == "relationship.unlinked"
        }
        assert ("HAS_KR", target_obj, kr) in linked
        assert ("PARENT_OF", new_parent, mover) in linked
        assert ("BELONGS_TO", target_obj, team) in linked
        assert ("HAS_LABEL", labelled, label) in unlinked
        summary = result.plan.summary()
        assert summary["linked"] == len(linked) and summary["unlinked"] == len(unlinked)
        assert summary["deleted"] == sum(1 for e in events if e["event"].endswith(".deleted"))
        # Exactly these entity updates, nothing else among objectives and KRs.
        entity_updates = {
            e["id"] for e in events if e["event"] in ("objective.updated", "keyresult.updated")
        }
        assert entity_updates == {kr, target_obj}
        completed = next(e for e in logs if e["event"] == "sync.completed")
        assert set(completed["seconds"]) >= {"fetch", "diff", "write", "total"}


class TestSafety:
    def test_guard_refuses_an_empty_tenant(
        self, syncer: SyncCycle, graph: Graph, simulator: SimulatorServer, settings: Settings
    ) -> None:
        """An empty answer would delete everything: refused, nothing written, state untouched."""
        syncer.run()
        before = read_state(graph)
        state_bytes = (settings.state_dir / "state.db").read_bytes()
        simulator.sim.controls.empty_tenant = True
        with capture_logs() as logs, pytest.raises(MassDeleteRefused, match="empty tenant") as no:
            syncer.run()
        mirrored = sum(len(nodes) for nodes in before.nodes.values())
        assert (no.value.would_delete, no.value.mirrored) == (mirrored, mirrored)
        # Said once, by whoever catches it (the command's line, the daemon's sync.failed).
        assert [e["event"] for e in logs if e["log_level"] == "error"] == []
        assert read_state(graph) == before
        assert (settings.state_dir / "state.db").read_bytes() == state_bytes
        result = syncer.run(allow_mass_delete=True)
        assert result.plan.entity_deletes() == len(before.nodes["Objective"]) + len(
            before.nodes["KeyResult"]
        )
        assert sum(counts(graph).values()) == 0

    def test_dry_run_writes_nothing(
        self, syncer: SyncCycle, graph: Graph, settings: Settings
    ) -> None:
        """--dry-run plans the full load but neither Neo4j nor the state dir sees a byte."""
        result = syncer.run(dry_run=True)
        assert result.plan.summary()["created"] > 200
        assert sum(counts(graph).values()) == 0
        assert list(settings.state_dir.iterdir()) == []

    def test_crash_between_batches_then_converge(
        self, graph: Graph, simulator: SimulatorServer, settings: Settings, driver: neo4j.Driver
    ) -> None:
        """Die after a few batches; the source then deletes what was half-written; converge."""
        store = StateStore(settings.state_dir)
        batches = 0

        def die(_: str) -> None:
            nonlocal batches
            batches += 1
            if batches == 6:
                raise KeyboardInterrupt("killed mid-write")

        with (
            sync_cycle(
                simulator.url, graph, settings.state_dir, before_batch=die, batch_size=40
            ) as crashing,
            pytest.raises(KeyboardInterrupt),
        ):
            crashing.run()
        assert store.was_interrupted()
        assert not store.path.exists()
        half = counts(graph)
        assert half["Team"] + half["Period"] + half["Objective"] > 0
        # Meanwhile the source deletes an objective the crashed cycle may have written.
        simulator.sim.mutate(lambda o: o.delete_objective(next(iter(o.objectives))))
        with sync_cycle(simulator.url, graph, settings.state_dir, batch_size=40) as fresh:
            result = fresh.run()
        assert result.mode == "reconcile" and result.reason == "previous cycle was interrupted"
        assert_mirrors(graph, simulator.url)
        assert not store.was_interrupted()
        assert duplicate_keys(graph) == 0

    def test_wiped_graph_is_repaired(
        self, syncer: SyncCycle, graph: Graph, simulator: SimulatorServer
    ) -> None:
        """Somebody emptied the database: the count check notices and the cycle rebuilds it."""
        syncer.run()
        wipe(graph)
        with capture_logs() as logs:
            result = syncer.run()
        assert result.mode == "reconcile"
        assert "graph.drift_detected" in [e["event"] for e in logs]
        assert_mirrors(graph, simulator.url)

    def test_hand_edits_are_repaired(
        self, syncer: SyncCycle, graph: Graph, simulator: SimulatorServer, driver: neo4j.Driver
    ) -> None:
        """A property changed by hand (same counts) is put back by a full reconcile."""
        syncer.run()
        kid = next(iter(simulator.org.key_results))
        driver.execute_query(
            "MATCH (k:KeyResult {id: $id}) SET k.name = 'edited', k.extra = 1", id=kid
        )
        assert syncer.run().plan.empty  # counts agree: the cheap check cannot see it
        with capture_logs() as logs:
            syncer.run(full=True)
        (event,) = change_events(logs)
        assert event["event"] == "keyresult.updated"
        assert event["changes"] == {
            "extra": [1, None],
            "name": ["edited", simulator.org.key_results[kid]["name"]],
        }
        assert_mirrors(graph, simulator.url)

    def test_deleted_node_and_relationship_are_repaired(
        self, syncer: SyncCycle, graph: Graph, simulator: SimulatorServer, driver: neo4j.Driver
    ) -> None:
        """A node and a relationship deleted by hand come back in the next ordinary cycle."""
        syncer.run()
        oid = next(iter(simulator.org.objectives))
        driver.execute_query("MATCH (o:Objective {id: $id}) DETACH DELETE o", id=oid)
        driver.execute_query("MATCH ()-[r:TRACKS]->() WITH r LIMIT 1 DELETE r")
        result = syncer.run()
        assert result.mode == "reconcile"
        assert_mirrors(graph, simulator.url)

    def test_corrupt_state_file_is_survived(
        self,
        syncer: SyncCycle,
        graph: Graph,
        simulator: SimulatorServer,
        settings: Settings,
        driver: neo4j.Driver,
    ) -> None:
        """Garbage in state.db: rebuilt from the graph, nothing duplicated or rewritten."""
        syncer.run()
        nodes_before = count(driver, "MATCH (n) RETURN count(n)")
        (settings.state_dir / "state.db").write_bytes(b"{ not a database" * 64)
        result = syncer.run()
        assert result.mode == "reconcile" and result.plan.empty
        assert count(driver, "MATCH (n) RETURN count(n)") == nodes_before
        assert syncer.run().mode == "incremental"  # and the state file is good again


class TestFollowUpSteps:
    def test_a_failing_step_never_fails_the_mirror(
        self, graph: Graph, simulator: SimulatorServer, settings: Settings
    ) -> None:
        """A step that raises is named in the summary; the mirror committed and the steps
        after it ran."""

        class Broken:
            name = "broken"

            def run(self, ctx: object) -> dict[str, int]:
                raise RuntimeError("the feed fell over")

        with sync_cycle(simulator.url, graph, settings.state_dir) as cycle:
            cycle.steps.insert(0, Broken())
            with capture_logs() as logs:
                result = cycle.run()
        assert result.failed_steps == ["broken"]
        assert result.summary()["failed_steps"] == ["broken"]
        assert result.checkins > 0  # the check-in feed after it still ran
        assert_mirrors(graph, simulator.url)
        (failed,) = [e for e in logs if e["event"] == "step.failed"]
        assert (failed["step"], failed["error"]) == ("broken", "the feed fell over")


class TestCommandLine:
    def run(self, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "okrsync.cli", "sync", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def test_sync_prints_a_json_summary_last(
        self, graph: Graph, cli_env: dict[str, str], simulator: SimulatorServer
    ) -> None:
        """Exit 0 and a last stdout line with integer created/updated/deleted/linked/unlinked."""
        first = self.run(cli_env)
        assert first.returncode == 0, first.stderr
        summary = json.loads(first.stdout.strip().splitlines()[-1])
        assert summary["created"] > 0 and summary["linked"] > 0
        second = json.loads(self.run(cli_env).stdout.strip().splitlines()[-1])
        assert {k: second[k] for k in CHANGE_EVENTS} == dict.fromkeys(CHANGE_EVENTS, 0)
        log_lines = [json.loads(line) for line in first.stderr.splitlines()]
        assert "sync.completed" in [e["event"] for e in log_lines]
        # One cycle id on every line of the cycle, and it names the journal's SyncRun.
        (cycle_id,) = {e["cycle"] for e in log_lines if "cycle" in e}
        # Only the write lease, taken before the cycle and given back after it, is outside.
        outside = {e["event"] for e in log_lines if "cycle" not in e}
        assert outside == {"lease.taken", "lease.released"}
        assert graph.read("MATCH (r:SyncRun) RETURN r.id AS id") == [{"id": cycle_id}]
        assert cli_env["OKRSYNC_API_TOKEN"] not in first.stderr + first.stdout
        assert cli_env["NEO4J_PASSWORD"] not in first.stderr + first.stdout

    def test_dry_run_prints_plan(self, graph: Graph, cli_env: dict[str, str]) -> None:
        """--dry-run lists the changes and leaves the graph empty."""
        out = self.run(cli_env, "--dry-run")
        assert out.returncode == 0, out.stderr
        lines = out.stdout.strip().splitlines()
        assert any(line.startswith("create Objective ") for line in lines)
        assert json.loads(lines[-1])["dry_run"] is True
        assert sum(counts(graph).values()) == 0

    def test_guard_exit_code_3(
        self, graph: Graph, cli_env: dict[str, str], simulator: SimulatorServer
    ) -> None:
        """An empty tenant after a full mirror: exit 3 and a one-line reason."""
        assert self.run(cli_env).returncode == 0
        simulator.sim.controls.empty_tenant = True
        out = self.run(cli_env)
        assert out.returncode == 3
        reason = out.stderr.strip().splitlines()[-1]
        assert reason.startswith("okrsync: refusing to delete")
        assert self.run(cli_env, "--allow-mass-delete").returncode == 0

    @pytest.mark.parametrize(
        ("change", "exit_code", "message"),
        [
            ({"OKRSYNC_API_TOKEN": ""}, 2, "api_token is not set"),
            ({"NEO4J_URI": "http://localhost:7474"}, 2, "neo4j_uri 'http://localhost:7474'"),
            ({"OKRSYNC_BATCH_SIZE": "x"}, 2, "OKRSYNC_BATCH_SIZE: expected an integer"),
            ({"NEO4J_PASSWORD": "wrong-password"}, 1, "Neo4j refused the credentials"),
            ({"OKRSYNC_BASE_URL": "http://127.0.0.1:9"}, 1, "cannot reach the OKR API"),
        ],
    )
    def test_bad_settings_are_one_line(
        self, cli_env: dict[str, str], change: dict[str, str], exit_code: int, message: str
    ) -> None:
        """Expected failures: a one-line reason on stderr naming the problem, no traceback."""
        env = {**cli_env, **change, "OKRSYNC_HTTP_TIMEOUT": "2"}
        out = self.run(env)
        assert out.returncode == exit_code
        assert "Traceback" not in out.stderr
        assert message in out.stderr.strip().splitlines()[-1]


def test_read_state_under_a_concurrent_writer(graph: Graph, driver: neo4j.Driver) -> None:
    """Neo4j reads committed data: a read-back that looked up keys(n) and then n[key] saw keys
    whose values a concurrent writer had just removed, and failed (a daemon test caught it)."""
    org = "okrsync-test-race"
    driver.execute_query(
        "UNWIND range(1, 2000) AS i "
        "CREATE (:Objective {okrsyncOrg: $org, id: toString(i), name: 'o', created: datetime()})",
        org=org,
    )
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            driver.execute_query("MATCH (n:Objective {okrsyncOrg: $org}) REMOVE n.created", org=org)
            driver.execute_query(
                "MATCH (n:Objective {okrsyncOrg: $org}) SET n.created = datetime()", org=org
            )

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(25):
            objectives = read_state(graph, org).nodes["Objective"]
            assert len(objectives) == 2000
            assert {frozenset(props) - {"created"} for props in objectives.values()} == {
                frozenset({"id", "name"})
            }
    finally:
        stop.set()
        thread.join()
