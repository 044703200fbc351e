"""okrsync owns only what it wrote: other applications' nodes with okrsync's own labels and keys,
and other organisations with the same ids, share one Neo4j database untouched."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import neo4j
import pytest

from okrsync import queries
from okrsync.errors import MassDeleteRefused
from okrsync.graph import Graph
from okrsync.simulator import Org, SimulatorServer
from tests.helpers import (
    Clock,
    DaemonProcess,
    assert_mirrors,
    counts,
    free_port,
    read_state,
    sync_cycle,
    wait_for,
)

FOREIGN = {"app": "hr-import", "owner": "someone else"}


def foreign_snapshot(driver: neo4j.Driver) -> list[Any]:
    """Every node and relationship without okrsync's mark, with all its properties."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) WHERE n.okrsyncOrg IS NULL "
        "RETURN labels(n) AS labels, properties(n) AS props ORDER BY elementId(n)"
    )
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) WHERE r.okrsyncOrg IS NULL "
        "WITH r, a, b ORDER BY elementId(r) "
        "RETURN type(r) AS type, properties(a) AS a, properties(b) AS b, properties(r) AS props"
    )
    return [r.data() for r in nodes] + [r.data() for r in rels]


def plant_foreign_data(driver: neo4j.Driver, org: Org) -> int:
    """Another application's nodes with okrsync's labels and the very keys the org uses, with
    their own properties and relationships, some of them between those nodes."""
    user = next(iter(org.users))
    team = next(iter(org.teams))
    label = next(iter(org.labels))
    period = next(iter(org.periods))
    issue = next(i for k in org.key_results.values() for i in k["issueIds"])
    objective = next(iter(org.objectives))
    driver.execute_query(
        "CREATE (u:User {accountId: $user, name: 'Ada', app: $app})"
        "-[:MANAGES {since: 2020}]->(t:Team {id: $team, name: 'HR team', app: $app}),"
        " (:Label {id: $label, app: $app}), (:Period {id: $period, fiscal: true}),"
        " (i:Issue {id: $issue, key: 'JIRA-1', summary: 'from the Jira importer'}),"
        " (o:Objective {id: $objective, name: 'an HR goal'})-[:TRACKS]->(i),"
        " (u)-[:OWNS]->(o)",
        user=user,
        team=team,
        label=label,
        period=period,
        issue=issue,
        objective=objective,
        app=FOREIGN["app"],
    )
    return len(foreign_snapshot(driver))


def test_foreign_nodes_with_okrsyncs_labels_and_keys_survive_every_kind_of_cycle(
    graph: Graph, driver: neo4j.Driver, simulator: SimulatorServer, tmp_path: Path
) -> None:
    """A first load, incremental cycles with churn, --full and a refused cycle: the other
    application's nodes and relationships are exactly as they were, and the mirror is exact."""
    planted = plant_foreign_data(driver, simulator.org)
    before = foreign_snapshot(driver)
    assert planted == 9
    with sync_cycle(simulator.url, graph, tmp_path / "state") as cycle:
        assert cycle.run().mode == "load"
        assert_mirrors(graph, simulator.url)
        simulator.sim.mutate(lambda o: o.evolve(30))
        assert cycle.run().mode == "incremental"
        assert cycle.run(full=True).mode == "reconcile"
        assert_mirrors(graph, simulator.url)
        simulator.sim.controls.empty_tenant = True
        with pytest.raises(MassDeleteRefused):
            cycle.run()
    assert foreign_snapshot(driver) == before


def test_two_organisations_with_colliding_ids_stay_apart(
    graph: Graph, driver: neo4j.Driver, tmp_path: Path
) -> None:
    """Two orgs from one seed share every team, label, period, issue, user and OKR id: each is
    mirrored exactly with its own names, the second one's first sync is a plain first load, a
    change in one never touches the other, and the cross-organisation question sees both."""
    acme, globex = Org(objectives=40, seed=3), Org(objectives=40, seed=3)
    for team in globex.teams.values():
        team["name"] = f"Globex {team['name']}"
    for objective in globex.objectives.values():
        objective["name"] = f"Globex {objective['name']}"
    with (
        SimulatorServer(acme) as a,
        SimulatorServer(globex) as g,
        sync_cycle(
            a.url, graph, tmp_path / "okrsync-test-acme", org="okrsync-test-acme"
        ) as acme_cycle,
        sync_cycle(
            g.url, graph, tmp_path / "okrsync-test-globex", org="okrsync-test-globex"
        ) as globex_cycle,
    ):
        assert acme_cycle.run().mode == "load"
        assert globex_cycle.run().mode == "load"  # another org's mirror is not its business
        assert_mirrors(graph, a.url, org="okrsync-test-acme")
        assert_mirrors(graph, g.url, org="okrsync-test-globex")
        team = next(iter(acme.teams))
        names = graph.read(
            "MATCH (t:Team {id: $id}) RETURN t.okrsyncOrg AS org, t.name AS name ORDER BY org",
            id=team,
        )
        assert names == [
            {"org": "okrsync-test-acme", "name": acme.teams[team]["name"]},
            {"org": "okrsync-test-globex", "name": f"Globex {acme.teams[team]['name']}"},
        ]
        globex_before = read_state(graph, "okrsync-test-globex")
        a.sim.mutate(lambda o: o.evolve(40))
        a.sim.mutate(lambda o: o.delete_objective(next(iter(o.objectives))))
        assert acme_cycle.run().plan.node_deletes() > 0
        assert_mirrors(graph, a.url, org="okrsync-test-acme")
        assert read_state(graph, "okrsync-test-globex") == globex_before
        user = next(iter(acme.users))
        rows = queries.run(graph, "person_across_orgs", {"accountId": user}, "okrsync-test-acme")
        owned = {
            (org, name)
            for org, source in (("okrsync-test-acme", acme), ("okrsync-test-globex", globex))
            for _, e in source.iter_entities()
            if e["ownerAccountId"] == user or user in e["collaboratorAccountIds"]
            for name in [e["name"]]
        }
        assert {(r["org"], r["name"]) for r in rows} == owned
        assert {r["org"] for r in rows} == {"okrsync-test-acme", "okrsync-test-globex"}


def test_the_guard_counts_shared_lookups_and_honours_an_absolute_cap(
    graph: Graph, simulator: SimulatorServer, tmp_path: Path
) -> None:
    """A change that deletes only lookups (labels nobody uses any more) counts against
    max_deletes; nothing is written when it is refused."""
    org = simulator.org
    with sync_cycle(simulator.url, graph, tmp_path / "state", max_deletes=1) as cycle:
        cycle.run()
        used = {lb for _, e in org.iter_entities() for lb in e["labelIds"]}
        assert len(used) >= 2

        def unlabel(o: Org) -> None:
            for _, e in o.iter_entities():
                e["labelIds"] = []

        simulator.sim.mutate(unlabel)
        before = counts(graph)
        with pytest.raises(MassDeleteRefused, match="max_deletes = 1"):
            cycle.run()
        assert counts(graph) == before
        assert cycle.run(allow_mass_delete=True).plan.node_deletes() == len(used)


def test_the_demo_runs_as_its_own_organisation_whatever_the_database_holds(
    graph: Graph, simulator: SimulatorServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """`make run` after a test run (another organisation's mirror is in the database): the
    demo mirrors an organisation of its own, says which, and touches nothing else."""
    with sync_cycle(simulator.url, graph, tmp_path / "other") as cycle:
        cycle.run()
    other = read_state(graph)
    port = free_port()
    env = {k: v for k, v in cli_env.items() if not k.startswith("OKRSYNC_")}
    env["OKRSYNC_STATE_DIR"] = str(tmp_path / "demo")
    demo = DaemonProcess(
        ["demo", "--objectives", "20", "--churn", "0", "--http-listen", f"127.0.0.1:{port}"], env
    )
    try:
        wait_for(
            lambda: httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200,
            timeout=60,
            what="the demo healthy",
        )
        assert "as organisation 'demo'" in demo.text()
        assert "MATCH p=(:Objective {okrsyncOrg: 'demo'})" in demo.text()
        assert counts(graph, "demo")["Objective"] == 20
        assert read_state(graph) == other
    finally:
        assert demo.stop() == 0


def test_history_belongs_to_its_organisation_and_pruning_stays_inside_it(
    graph: Graph, tmp_path: Path
) -> None:
    """Two orgs journal their cycles; one prunes its old entries: the other's stay whole."""
    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 9, 1, tzinfo=UTC)
    acme, globex = Org(objectives=10, seed=4), Org(objectives=10, seed=4)
    with SimulatorServer(acme) as a, SimulatorServer(globex) as g:
        for org, server in (("okrsync-test-acme", a), ("okrsync-test-globex", g)):
            with sync_cycle(server.url, graph, tmp_path / org, org=org, now=Clock(early)) as c:
                c.run()
                server.sim.mutate(lambda o: o.evolve(10))
                c.run()
        runs = graph.read(
            "MATCH (r:SyncRun) RETURN r.okrsyncOrg AS org, count(*) AS n ORDER BY org"
        )
        assert runs == [
            {"org": "okrsync-test-acme", "n": 2},
            {"org": "okrsync-test-globex", "n": 2},
        ]
        globex_journal = graph.read(
            "MATCH (r:SyncRun {okrsyncOrg: 'okrsync-test-globex'})-[:RECORDED]->(c:Change)"
            " RETURN count(c) AS n"
        )
        assert globex_journal[0]["n"] > 0
        a.sim.mutate(lambda o: o.evolve(5))
        with sync_cycle(
            a.url,
            graph,
            tmp_path / "okrsync-test-acme",
            org="okrsync-test-acme",
            now=Clock(late),
            journal_retention_days=30,
        ) as c:
            c.run()
    after = graph.read("MATCH (r:SyncRun) RETURN r.okrsyncOrg AS org, count(*) AS n ORDER BY org")
    assert after == [{"org": "okrsync-test-acme", "n": 1}, {"org": "okrsync-test-globex", "n": 2}]
    assert (
        graph.read(
            "MATCH (r:SyncRun {okrsyncOrg: 'okrsync-test-globex'})-[:RECORDED]->(c:Change)"
            " RETURN count(c) AS n"
        )
        == globex_journal
    )
    updates = graph.read("MATCH (u:Update) WHERE u.okrsyncOrg IS NULL RETURN count(u) AS n")
    assert updates == [{"n": 0}]  # every check-in belongs to an organisation


def test_a_node_another_application_points_at_is_disowned_not_deleted(
    graph: Graph, driver: neo4j.Driver, simulator: SimulatorServer, tmp_path: Path
) -> None:
    """The source deletes an objective another application has linked to: okrsync removes its
    own relationships and its mark, and leaves the node and that application's edge alone."""
    doomed = next(
        o
        for o, v in simulator.org.objectives.items()
        if not any(c["parentObjectiveId"] == o for c in simulator.org.objectives.values())
    )
    with sync_cycle(simulator.url, graph, tmp_path / "state") as cycle:
        cycle.run()
        driver.execute_query(
            "MATCH (o:Objective {okrsyncOrg: 'okrsync-test', id: $id}) "
            "CREATE (:Board {name: 'exec'})-[:PINS {since: 2026}]->(o)",
            id=doomed,
        )
        simulator.sim.mutate(lambda o: o.delete_objective(doomed))
        result = cycle.run()
        assert ("deleted", "Objective", doomed) in {
            (c.kind, c.label, c.id) for c in result.plan.nodes
        }
        assert_mirrors(graph, simulator.url)
    left, _, _ = driver.execute_query(
        "MATCH (b:Board)-[p:PINS]->(o:Objective {id: $id}) "
        "RETURN b.name AS board, p.since AS since, o.okrsyncOrg AS org, COUNT { (o)--() } AS edges",
        id=doomed,
    )
    assert [r.data() for r in left] == [{"board": "exec", "since": 2026, "org": None, "edges": 1}]
