"""OKR health at a glance: each objective and key result carries exactly one status-group label
(OnTrack, AtRisk, OffTrack, Done, NoStatus), kept exact by the diff through the first load, an
incremental cycle and a reconcile, on okrsync's own nodes only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import neo4j
import pytest

from okrsync.graph import Graph
from okrsync.schema import GROUP_LABELS, STATUS_GROUP
from okrsync.simulator import SimulatorServer
from okrsync.sync import SyncCycle
from tests.helpers import ORG, assert_mirrors, sync_cycle

pytestmark = pytest.mark.integration


def group_labels(driver: neo4j.Driver, node_id: str, org: str = ORG) -> list[str]:
    """The group labels of one of the organisation's objectives or key results."""
    records, _, _ = driver.execute_query(
        "MATCH (n {okrsyncOrg: $org, id: $id}) WHERE n:Objective OR n:KeyResult "
        "RETURN [l IN labels(n) WHERE l IN $groups] AS groups",
        org=org,
        id=node_id,
        groups=list(GROUP_LABELS),
    )
    (record,) = records
    return sorted(record["groups"])


def every_group(driver: neo4j.Driver) -> dict[str, tuple[str | None, list[str]]]:
    """Each mirrored entity's status and group labels, by id."""
    records, _, _ = driver.execute_query(
        "MATCH (n {okrsyncOrg: $org}) WHERE n:Objective OR n:KeyResult "
        "RETURN n.id AS id, n.status AS status, [l IN labels(n) WHERE l IN $groups] AS groups",
        org=ORG,
        groups=list(GROUP_LABELS),
    )
    return {r["id"]: (r["status"], sorted(r["groups"])) for r in records}


def status_of(simulator: SimulatorServer, eid: str) -> str | None:
    entity = simulator.org.objectives.get(eid) or simulator.org.key_results[eid]
    latest = entity.get("latestUpdate")
    return latest["status"] if latest else None


@pytest.fixture
def syncer(graph: Graph, simulator: SimulatorServer, tmp_path: Path) -> Any:
    with sync_cycle(simulator.url, graph, tmp_path / "state") as cycle:
        yield cycle


def test_the_first_load_gives_each_entity_its_group(
    syncer: SyncCycle, driver: neo4j.Driver, simulator: SimulatorServer
) -> None:
    """Every objective and key result of a first load has exactly the label of its status."""
    result = syncer.run()
    assert result.mode == "load"
    groups = every_group(driver)
    assert len(groups) == len(simulator.org.objectives) + len(simulator.org.key_results)
    assert {i: g for i, (_, g) in groups.items()} == {
        i: [STATUS_GROUP.label_for(status)] for i, (status, _) in groups.items()
    }
    # The generated org has check-ins of several groups, and entities without one.
    assert {g[0] for _, g in groups.values()} >= {"OnTrack", "AtRisk", "NoStatus"}


def test_a_status_change_moves_the_label_incrementally_and_a_no_op_writes_nothing(
    syncer: SyncCycle, driver: neo4j.Driver, graph: Graph, simulator: SimulatorServer
) -> None:
    """ON_TRACK -> AT_RISK: the OnTrack label removed, AtRisk set, nothing else; then a cycle
    with no change writes nothing at all."""
    syncer.run()
    oid = next(o for o in simulator.org.objectives if status_of(simulator, o) == "ON_TRACK")
    assert group_labels(driver, oid) == ["OnTrack"]
    simulator.sim.mutate(lambda o: o.set_status(oid, "AT_RISK"))
    result = syncer.run()
    assert result.mode == "incremental"
    assert group_labels(driver, oid) == ["AtRisk"]
    (change,) = result.plan.nodes
    assert change.fields["statusGroup"] == ("OnTrack", "AtRisk")
    properties = len(change.fields) - 1  # every changed field but the group is a property
    assert result.stats is not None
    assert +result.stats.counters == {
        "properties_set": properties,
        "labels_removed": 1,
        "labels_added": 1,
    }
    assert_mirrors(graph, simulator.url)

    again = syncer.run()
    assert again.mode == "incremental"
    assert again.summary()["statements"] == 0
    assert again.summary()["writes"] == {}
    assert group_labels(driver, oid) == ["AtRisk"]


def test_a_reconcile_moves_the_label_and_repairs_drift(
    syncer: SyncCycle, driver: neo4j.Driver, graph: Graph, simulator: SimulatorServer
) -> None:
    """A status change seen by --full moves the label; a group label removed by hand, or a
    second one added, is put right by the same reconcile."""
    syncer.run()
    oid = next(o for o in simulator.org.objectives if status_of(simulator, o) == "ON_TRACK")
    kid = next(k for k in simulator.org.key_results if status_of(simulator, k) == "AT_RISK")
    other = next(
        o for o in simulator.org.objectives if o != oid and status_of(simulator, o) is None
    )
    simulator.sim.mutate(lambda o: o.set_status(oid, "SUCCESS"))
    driver.execute_query(
        "MATCH (n:KeyResult {okrsyncOrg: $org, id: $kid}) REMOVE n:AtRisk", org=ORG, kid=kid
    )
    driver.execute_query(
        "MATCH (n:Objective {okrsyncOrg: $org, id: $id}) SET n:OffTrack", org=ORG, id=other
    )
    assert group_labels(driver, other) == ["NoStatus", "OffTrack"]
    result = syncer.run(full=True)
    assert result.mode == "reconcile"
    assert group_labels(driver, oid) == ["Done"]
    assert group_labels(driver, kid) == ["AtRisk"]
    assert group_labels(driver, other) == ["NoStatus"]
    assert result.stats is not None
    assert result.stats.counters["labels_added"] >= 2  # Done on oid, AtRisk back on kid
    assert_mirrors(graph, simulator.url)
    assert syncer.run().summary()["writes"] == {}


def test_other_applications_nodes_with_the_same_labels_are_untouched(
    syncer: SyncCycle, driver: neo4j.Driver, simulator: SimulatorServer
) -> None:
    """Another application's (:Objective:AtRisk) with okrsync's very id, and another
    organisation's (:KeyResult:OnTrack), keep their labels through every kind of cycle."""
    oid = next(o for o in simulator.org.objectives if status_of(simulator, o) == "ON_TRACK")
    kid = next(iter(simulator.org.key_results))
    driver.execute_query(
        "CREATE (:Objective:AtRisk {id: $oid, app: 'hr'}), "
        "(:KeyResult:OnTrack:Done {okrsyncOrg: 'elsewhere', id: $kid})",
        oid=oid,
        kid=kid,
    )
    query = (
        "MATCH (n) WHERE n.okrsyncOrg IS NULL OR n.okrsyncOrg = 'elsewhere' "
        "RETURN n.id AS id, labels(n) AS labels, properties(n) AS props ORDER BY id"
    )
    before = [r.data() for r in driver.execute_query(query)[0]]
    assert len(before) == 2
    syncer.run()
    simulator.sim.mutate(lambda o: o.set_status(oid, "ACTION_REQUIRED"))
    simulator.sim.mutate(lambda o: o.set_status(kid, "FINISHED"))
    syncer.run()
    assert group_labels(driver, oid) == ["OffTrack"]
    assert group_labels(driver, kid) == ["Done"]
    simulator.sim.mutate(lambda o: o.set_status(oid, "ON_TRACK"))
    syncer.run(full=True)
    assert group_labels(driver, oid) == ["OnTrack"]
    assert [r.data() for r in driver.execute_query(query)[0]] == before
