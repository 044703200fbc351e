"""The real Neo4j server answers over Bolt: a node written is a node read back."""

from __future__ import annotations

import neo4j
import pytest
from structlog.testing import capture_logs

from okrsync.errors import GraphError
from okrsync.graph import Graph
from tests.helpers import free_port


def test_write_then_read_over_bolt(graph: Graph, driver: neo4j.Driver) -> None:
    """A node created in one transaction is read back, with its properties, in another."""
    records, summary, _ = driver.execute_query(
        "CREATE (n:SmokeTest {name: $name, n: $n}) RETURN n.name AS name", name="hello", n=42
    )
    assert summary.counters.nodes_created == 1
    records, _, _ = driver.execute_query("MATCH (n:SmokeTest) RETURN n.name AS name, n.n AS n")
    assert [(r["name"], r["n"]) for r in records] == [("hello", 42)]


def test_each_test_starts_from_an_empty_database(graph: Graph, driver: neo4j.Driver) -> None:
    """The graph fixture wiped whatever an earlier test left."""
    records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS c")
    assert records[0]["c"] == 0


def test_server_is_neo4j_5(driver: neo4j.Driver) -> None:
    """The server under test is Neo4j 5.x or newer."""
    records, _, _ = driver.execute_query(
        "CALL dbms.components() YIELD name, versions RETURN name, versions[0] AS version"
    )
    assert records[0]["name"] == "Neo4j Kernel"
    major = records[0]["version"].split(".")[0]
    assert int(major) >= 5


def test_neo4j_browser_is_served(neo4j_auth: tuple[str, str, str]) -> None:
    """Neo4j Browser answers on the HTTP port next to the Bolt port under test."""
    import os
    from urllib.parse import urlsplit

    import httpx

    host = urlsplit(neo4j_auth[0]).hostname
    port = os.environ.get("NEO4J_HTTP_PORT", "7474")
    page = httpx.get(f"http://{host}:{port}/browser/", timeout=10)
    assert page.status_code == 200
    assert "<title>Neo4j Browser</title>" in page.text
    discovery = httpx.get(f"http://{host}:{port}/", timeout=10).json()
    assert discovery["neo4j_edition"] == "community"


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_nothing_listening_is_one_line_naming_the_address(scheme: str) -> None:
    """Direct or routed, a port nobody listens on is one GraphError naming it, and the routing
    driver's own error log does not say it a second time."""
    port = free_port()
    graph = Graph.connect(f"{scheme}://127.0.0.1:{port}", "neo4j", "unused")
    with capture_logs() as logs, pytest.raises(GraphError) as failed:
        graph.verify()
    graph.close()
    routed = "Unable to retrieve routing information; " if scheme == "neo4j" else ""
    assert str(failed.value).startswith(
        f"Neo4j is unreachable: {routed}Couldn't connect to 127.0.0.1:{port} "
    )
    assert "Connection refused" in str(failed.value)
    assert "\n" not in str(failed.value)
    assert [e for e in logs if e["log_level"] in ("error", "critical")] == []
