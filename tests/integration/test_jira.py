"""Optional Jira enrichment of Issue nodes, against a small local fake of Jira's search API."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from okrsync.api import RetryPolicy, Secret
from okrsync.graph import Graph
from okrsync.jira import JiraClient
from okrsync.simulator import Org, SimulatorServer
from tests.helpers import sync_cycle
from tests.spec import DATA

ISSUES = {
    "10001": {
        "id": "10001",
        "key": "SALES-1",
        "fields": {
            "summary": "Pipeline dashboard",
            "status": {"name": "In Progress"},
            "issuetype": {"name": "Story"},
            "assignee": {"displayName": "Ada Lovelace"},
        },
    },
    "10002": {
        "id": "10002",
        "key": "PLAT-7",
        "fields": {
            "summary": "Ship v2",
            "status": {"name": "Done"},
            "issuetype": {"name": "Epic"},
            "assignee": None,
        },
    },
}
AUTH = "Basic " + base64.b64encode(b"bot@example.com:jira-secret-9").decode()


class FakeJira(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.requests: list[dict[str, list[str]]] = []
        self.faults: list[int] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeJira

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        self.server.requests.append(query)
        if self.server.faults:
            return self._send(self.server.faults.pop(0), {"errorMessages": ["busy"]})
        if self.headers.get("Authorization") != AUTH:
            return self._send(401, {"errorMessages": ["unauthorized"]})
        if url.path != "/rest/api/3/search/jql":
            return self._send(404, {})
        jql = query["jql"][0]
        ids = jql[jql.index("(") + 1 : jql.index(")")].split(",")
        issues = [ISSUES[i] for i in ids if i in ISSUES]
        return self._send(200, {"issues": issues, "isLast": True})

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    server = FakeJira()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_issues_are_enriched_and_survive_repair(
    graph: Graph, jira: FakeJira, tmp_path: Path
) -> None:
    """Known issues get Jira's fields, unknown ones stay id-only, a 429 is retried, a full
    reconcile leaves the enrichment alone, and nothing is written twice."""
    org = Org.from_export(json.loads((DATA / "fixture_org.json").read_text()))
    jira.faults.append(429)
    client = JiraClient(
        jira.url,
        "bot@example.com",
        Secret("jira-secret-9"),
        retry=RetryPolicy(max_attempts=3, base_delay=0.01),
    )
    with (
        SimulatorServer(org) as server,
        sync_cycle(server.url, graph, tmp_path, jira=client) as syncer,
    ):
        syncer.run()
        issues = graph.read("MATCH (i:Issue) RETURN i {.*} AS i ORDER BY i.id")
        assert [r["i"] for r in issues] == [
            {
                "id": "10001",
                "okrsyncOrg": "okrsync-test",
                "key": "SALES-1",
                "summary": "Pipeline dashboard",
                "status": "In Progress",
                "issueType": "Story",
                "assignee": "Ada Lovelace",
                "url": f"{jira.url}/browse/SALES-1",
            },
            {
                "id": "10002",
                "okrsyncOrg": "okrsync-test",
                "key": "PLAT-7",
                "summary": "Ship v2",
                "status": "Done",
                "issueType": "Epic",
                "url": f"{jira.url}/browse/PLAT-7",
            },
            {"id": "10003", "okrsyncOrg": "okrsync-test"},
        ]
        assert len(jira.requests) == 2  # the 429, then the batch
        assert jira.requests[-1]["jql"] == ["id in (10001,10002,10003)"]
        repaired = syncer.run(full=True)
        assert repaired.plan.empty  # Jira's fields are not drift
        assert graph.read("MATCH (i:Issue {id: '10001'}) RETURN i.key AS k") == [{"k": "SALES-1"}]
        assert jira.requests[-1]["jql"] == ["id in (10001,10002,10003)"]  # refreshed in full
        quiet = syncer.run()
        assert quiet.stats is None
        assert jira.requests[-1]["jql"] == ["id in (10003)"]  # only the one Jira did not know
    client.close()


def test_jira_down_never_fails_the_cycle(graph: Graph, tmp_path: Path) -> None:
    """No Jira answering: the cycle mirrors everything and Issue nodes stay id-only."""
    org = Org.from_export(json.loads((DATA / "fixture_org.json").read_text()))
    down = JiraClient(
        "http://127.0.0.1:9", "bot@example.com", Secret("x"), retry=RetryPolicy(max_attempts=1)
    )
    with (
        SimulatorServer(org) as server,
        sync_cycle(server.url, graph, tmp_path, jira=down) as syncer,
    ):
        result = syncer.run()
        assert result.plan.summary()["created"] == 19
        assert graph.read("MATCH (i:Issue) WHERE i.key IS NOT NULL RETURN count(i) AS n") == [
            {"n": 0}
        ]
