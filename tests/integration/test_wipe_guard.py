"""Issue 22: the test tooling deletes only what it wrote. A database holding a node no test
wrote (no okrsync organisation, or one not the tests') is refused in one line, unless
OKRSYNC_TEST_WIPE=1 says otherwise; okrsync's own local server is the tests' to wipe."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from okrsync.graph import Graph
from okrsync.testing import ForeignData, is_local_server, wipe
from tests.conftest import ROOT

pytestmark = pytest.mark.integration


@pytest.fixture
def elsewhere(
    graph: Graph, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Graph]:
    """The same database seen as a server this checkout did not provision, over a connection
    of its own (a claim holds per connection)."""
    monkeypatch.setenv("NEO4J_LOCAL_DIR", str(tmp_path / "not-this-server"))
    monkeypatch.delenv("OKRSYNC_TEST_WIPE", raising=False)
    uri, user, password = neo4j_auth
    driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
    yield Graph(driver, graph.database)
    driver.close()


def nodes(graph: Graph) -> int:
    return int(graph.read("MATCH (n) RETURN count(n) AS n")[0]["n"])


def refusal(elsewhere: Graph, seen: str, count: int = 1) -> str:
    address = elsewhere.driver.get_server_info().address
    return (
        f"refusing to wipe the database {elsewhere.database or '(default)'} at {address}: it"
        f" holds {count} nodes the tests did not write (the first: {seen}); point NEO4J_URI at"
        " a scratch database, or set OKRSYNC_TEST_WIPE=1 to delete everything in it"
    )


def test_a_foreign_node_is_refused_then_wiped_when_told(
    graph: Graph, elsewhere: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone's :Person: the wipe refuses and deletes nothing; with OKRSYNC_TEST_WIPE=1 it
    empties the database."""
    graph.write("CREATE (:Person {name: 'Ada'})-[:KNOWS]->(:Person {name: 'Bob'})", fenced=False)
    with pytest.raises(ForeignData) as refused:
        wipe(elsewhere)
    assert str(refused.value) == refusal(elsewhere, ":Person without an okrsyncOrg", 2)
    assert nodes(graph) == 2
    monkeypatch.setenv("OKRSYNC_TEST_WIPE", "1")
    wipe(elsewhere)
    assert nodes(graph) == 0


def test_another_organisation_is_refused_the_tests_own_are_wiped(
    graph: Graph, elsewhere: Graph
) -> None:
    """An okrsync mirror of a real organisation ('default', what okrsync writes unless told)
    is not the tests'; okrsync-test* and the demo's are."""
    graph.write(
        "CREATE (:Objective {okrsyncOrg: 'default', id: '1'}),"
        " (:Objective {okrsyncOrg: 'okrsync-test', id: '1'})",
        fenced=False,
    )
    with pytest.raises(ForeignData) as refused:
        wipe(elsewhere)
    assert str(refused.value) == refusal(elsewhere, ":Objective of organisation 'default'")
    graph.write("MATCH (n {okrsyncOrg: 'default'}) DELETE n", fenced=False)
    graph.write(
        "CREATE (:Objective {okrsyncOrg: 'okrsync-test-acme', id: '1'}),"
        " (:Objective {okrsyncOrg: 'demo', id: '1'})",
        fenced=False,
    )
    wipe(elsewhere)
    assert nodes(graph) == 0


def test_the_checkouts_own_server_is_recognised(graph: Graph) -> None:
    """`make test`'s server is this checkout's (its data under .neo4j/): no variable needed."""
    if os.environ.get("NEO4J_LOCAL_DIR"):
        pytest.fail("run without NEO4J_LOCAL_DIR: this test checks the default layout")
    settings = graph.read(
        "SHOW SETTINGS YIELD name, value WHERE name = 'server.directories.data' RETURN value"
    )
    expected = Path(settings[0]["value"]).resolve().is_relative_to(ROOT / ".neo4j")
    assert is_local_server(graph) is expected


def test_pytest_stops_with_one_line_on_a_foreign_database(
    graph: Graph, neo4j_auth: tuple[str, str, str], tmp_path: Path
) -> None:
    """`make test` against someone's database: exit 3 and the refusal, before any test ran
    (the foreign node is still there)."""
    graph.write("CREATE (:Person {name: 'Ada'})", fenced=False)
    uri, user, password = neo4j_auth
    env = {k: v for k, v in os.environ.items() if k != "OKRSYNC_TEST_WIPE"}
    env.update(
        NEO4J_URI=uri,
        NEO4J_USERNAME=user,
        NEO4J_PASSWORD=password,
        NEO4J_LOCAL_DIR=str(tmp_path / "not-this-server"),
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/integration/test_neo4j_smoke.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 3, run.stdout + run.stderr
    said = [line for line in run.stdout.splitlines() if "refusing to wipe" in line]
    assert len(said) == 1, run.stdout
    assert "okrsync tests: refusing to wipe the database" in said[0]
    assert "(the first: :Person without an okrsyncOrg)" in said[0]
    assert "Traceback" not in run.stdout + run.stderr
    assert nodes(graph) == 1
