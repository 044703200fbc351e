"""The query library on a hand-made org, loaded through the real sync path: exact rows, under
the newest Cypher the server offers (Cypher 25 on calendar releases, the database's default
language set to it) and through routing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import neo4j
import pytest

from okrsync import queries
from okrsync.errors import GraphError
from okrsync.graph import Graph
from okrsync.simulator import Org, SimulatorServer
from tests.helpers import (
    ORG,
    cypher_versions,
    database_name,
    default_cypher,
    newest_cypher_by_default,
    server_version,
    sync_cycle,
    with_scheme,
)
from tests.spec import DATA

AS_OF = "2026-04-01T00:00:00Z"
# Every library query's parameters on the fixture org: the required ones, and a fixed instant
# wherever a query would otherwise judge by the clock.
EVERY_QUERY: dict[str, dict[str, Any]] = {
    "issue_impact": {"issue": "10001"},
    "kr_progress_curve": {"kr": "KR-4"},
    "person_across_orgs": {"accountId": "u2"},
    "status_as_of": {"asOf": AS_OF},
    "overdue": {"asOf": AS_OF},
    "stale_checkins": {"asOf": AS_OF},
    "slipped": {"asOf": AS_OF},
    "rescoped": {"asOf": AS_OF},
}


@pytest.fixture(scope="module", autouse=True)
def newest_cypher(driver: neo4j.Driver) -> Iterator[str]:
    """Every test here, the fixture's sync cycle and `okrsync query` included, runs with the
    database's default Cypher the newest the server offers."""
    with newest_cypher_by_default(driver, os.environ.get("NEO4J_DATABASE") or None) as version:
        yield version


@pytest.fixture
def fixture_graph(graph: Graph, tmp_path: Any) -> Graph:
    org = Org.from_export(json.loads((DATA / "fixture_org.json").read_text()))
    with SimulatorServer(org) as server, sync_cycle(server.url, graph, tmp_path / "state") as cycle:
        cycle.run()
    return graph


@pytest.fixture
def routed_graph(fixture_graph: Graph, neo4j_auth: tuple[str, str, str]) -> Iterator[Graph]:
    """The same database through neo4j://: the driver's routing path, as for Aura and clusters,
    where a read session goes to a server the routing table names as a reader."""
    uri, user, password = neo4j_auth
    graph = Graph.connect(with_scheme(uri, "neo4j"), user, password, fixture_graph.database)
    yield graph
    graph.close()


def rows(graph: Graph, name: str, **params: Any) -> list[dict[str, Any]]:
    return [
        {k: queries.plain(v) for k, v in r.items()} for r in queries.run(graph, name, params, ORG)
    ]


def test_objective_tree(fixture_graph: Graph) -> None:
    """Objectives of Q1 2026 with their KRs, in tree order, with progress and status."""
    got = [
        (r["depth"], r["kind"], r["key"], r["percentDone"], r["status"], r["path"])
        for r in rows(fixture_graph, "objective_tree", period="Q1 2026")
    ]
    assert got == [
        (0, "Objective", "O-1", 50.0, "ON_TRACK", "O-1"),
        (1, "KeyResult", "KR-4", 60.0, "ON_TRACK", "O-1 > KR-4"),
        (1, "Objective", "O-2", 20.0, "AT_RISK", "O-1 > O-2"),
        (2, "KeyResult", "KR-1", 30.0, "AT_RISK", "O-1 > O-2 > KR-1"),
        (1, "Objective", "O-3", 80.0, "ACTION_REQUIRED", "O-1 > O-3"),
        (2, "KeyResult", "KR-2", 100.0, "SUCCESS", "O-1 > O-3 > KR-2"),
        (2, "KeyResult", "KR-3", 10.0, None, "O-1 > O-3 > KR-3"),
    ]


def test_at_risk(fixture_graph: Graph) -> None:
    """AT_RISK and ACTION_REQUIRED items with owner, teams and parent chain."""
    assert rows(fixture_graph, "at_risk") == [
        {
            "kind": "Objective",
            "key": "O-2",
            "name": "Sales pipeline",
            "status": "AT_RISK",
            "owner": "u2",
            "teams": ["Sales"],
            "parents": ["O-1"],
        },
        {
            "kind": "Objective",
            "key": "O-3",
            "name": "Platform",
            "status": "ACTION_REQUIRED",
            "owner": "u3",
            "teams": ["Eng"],
            "parents": ["O-1"],
        },
        {
            "kind": "KeyResult",
            "key": "KR-1",
            "name": "Close 10 deals",
            "status": "AT_RISK",
            "owner": "u2",
            "teams": ["Sales"],
            "parents": ["O-1", "O-2"],
        },
    ]


def test_team_progress(fixture_graph: Graph) -> None:
    """Weight-aware average: Sales (2*50 + 1*20) / 3 = 40; Eng 80; Q2's objective left out."""
    assert rows(fixture_graph, "team_progress", period="Q1 2026") == [
        {"team": "Eng", "objectives": 1, "progress": 80.0},
        {"team": "Sales", "objectives": 2, "progress": 40.0},
    ]
    assert rows(fixture_graph, "team_progress", period="Q2 2026") == [
        {"team": "Eng", "objectives": 1, "progress": 0.0}
    ]


def test_overdue(fixture_graph: Graph) -> None:
    """Deadline passed, below 100 % and not closed (KR-2 is done), most overdue first."""
    got = [
        (r["key"], r["deadline"], r["daysOverdue"])
        for r in rows(fixture_graph, "overdue", asOf=AS_OF)
    ]
    assert got == [
        ("O-2", "2026-02-15", 45),
        ("KR-3", "2026-03-15", 17),
        ("KR-1", "2026-03-31", 1),
        ("KR-4", "2026-03-31", 1),
        ("O-1", "2026-03-31", 0),
    ]


def test_stale_checkins(fixture_graph: Graph) -> None:
    """Never checked in first, then the longest silence."""
    got = [
        (r["key"], r["lastCheckIn"], r["daysSince"])
        for r in rows(fixture_graph, "stale_checkins", days=14, asOf=AS_OF)
    ]
    assert got == [
        ("KR-3", None, None),
        ("O-4", None, None),
        ("O-2", "2026-01-10", 80),
        ("O-1", "2026-03-01", 30),
        ("KR-1", "2026-03-05", 26),
    ]


def test_krs_without_issues_and_objectives_without_krs(fixture_graph: Graph) -> None:
    """KR-3 tracks nothing; O-4 has no key result."""
    assert rows(fixture_graph, "krs_without_issues") == [
        {"key": "KR-3", "name": "Cut latency", "objective": "O-3", "progressType": "STANDARD"}
    ]
    assert rows(fixture_graph, "objectives_without_krs") == [
        {"key": "O-4", "name": "Hiring", "period": "Q2 2026", "childObjectives": 0}
    ]


def test_issue_impact(fixture_graph: Graph) -> None:
    """Issue 10001 feeds KR-1 and KR-2; each with its objectives, nearest first."""
    assert rows(fixture_graph, "issue_impact", issue="10001") == [
        {
            "keyResult": "KR-1",
            "name": "Close 10 deals",
            "status": "AT_RISK",
            "objectives": ["O-2", "O-1"],
        },
        {"keyResult": "KR-2", "name": "Ship v2", "status": "SUCCESS", "objectives": ["O-3", "O-1"]},
    ]
    assert rows(fixture_graph, "issue_impact", issue="99999") == []


def test_cross_team_alignment(fixture_graph: Graph) -> None:
    """O-3 (Eng) hangs under O-1 (Sales); O-2 shares Sales with O-1."""
    assert rows(fixture_graph, "cross_team_alignment") == [
        {"parent": "O-1", "parentTeams": ["Sales"], "child": "O-3", "childTeams": ["Eng"]}
    ]


def test_period_summary(fixture_graph: Graph) -> None:
    """Counts by status per period, NONE for never checked in."""
    got = [
        (r["period"], r["kind"], r["status"], r["count"])
        for r in rows(fixture_graph, "period_summary")
    ]
    assert got == [
        ("Q1 2026", "Objective", "ACTION_REQUIRED", 1),
        ("Q1 2026", "Objective", "AT_RISK", 1),
        ("Q1 2026", "Objective", "ON_TRACK", 1),
        ("Q1 2026", "KeyResult", "AT_RISK", 1),
        ("Q1 2026", "KeyResult", "NONE", 1),
        ("Q1 2026", "KeyResult", "ON_TRACK", 1),
        ("Q1 2026", "KeyResult", "SUCCESS", 1),
        ("Q2 2026", "Objective", "NONE", 1),
    ]


def test_the_library_runs_under_cypher_25_on_calendar_releases(
    driver: neo4j.Driver, newest_cypher: str
) -> None:
    """From the 2025.06 calendar release the database's default language is Cypher 25 while
    these tests run; on 5.26 Cypher 5 is the only one (CYPHER 25 is refused)."""
    database = database_name(driver, os.environ.get("NEO4J_DATABASE") or None)
    calendar = int(server_version(driver).split(".")[0]) >= 2025
    assert (newest_cypher, default_cypher(driver, database)) == (
        ("25", "25") if calendar else ("5", "5")
    )
    assert cypher_versions(driver) == (("5", "25") if calendar else ("5",))
    if not calendar:
        with pytest.raises(neo4j.exceptions.ClientError, match="Valid options are: 5"):
            driver.execute_query("CYPHER 25 RETURN 1")


def test_every_query_reads_the_same_rows_through_routing(
    fixture_graph: Graph, routed_graph: Graph
) -> None:
    """Each library query, read through the routing driver, returns exactly the rows the direct
    connection returns (those are asserted value by value above)."""
    answered = 0
    for name in queries.library():
        direct = queries.run(fixture_graph, name, EVERY_QUERY.get(name, {}), ORG)
        assert queries.run(routed_graph, name, EVERY_QUERY.get(name, {}), ORG) == direct, name
        answered += bool(direct)
    assert answered == 13  # slipped and rescoped need two cycles' journal: none here


def test_routed_reads_run_in_read_sessions(routed_graph: Graph) -> None:
    """A query runs in a read session: the server refuses a write in it, so a read can be sent to
    any reader of a cluster."""
    with pytest.raises(GraphError) as refused:
        routed_graph.read("CREATE (n:ReadSessionProbe) RETURN n")
    assert str(refused.value).startswith(
        "Neo4j rejected a read: Neo.ClientError.Statement.AccessMode:"
    )
    assert routed_graph.read("MATCH (n:ReadSessionProbe) RETURN count(n) AS n") == [{"n": 0}]


def test_every_library_query_has_a_test_here() -> None:
    """No query in cypher/queries/ goes untested."""
    tested = {
        "objective_tree",
        "at_risk",
        "team_progress",
        "overdue",
        "stale_checkins",
        "krs_without_issues",
        "objectives_without_krs",
        "issue_impact",
        "cross_team_alignment",
        "period_summary",
        # the cross-organisation question is tested in tests/integration/test_ownership.py
        "person_across_orgs",
        # the point-in-time questions are tested in tests/integration/test_history.py
        "slipped",
        "status_as_of",
        "kr_progress_curve",
        "rescoped",
    }
    assert set(queries.library()) - tested == set()


def okrsync_query(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "okrsync.cli", "query", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


class TestCommand:
    @pytest.fixture(params=["bolt", "neo4j"])
    def scheme_env(self, request: pytest.FixtureRequest, cli_env: dict[str, str]) -> dict[str, str]:
        """The command's environment, direct (bolt://) and through routing (neo4j://)."""
        return {**cli_env, "NEO4J_URI": with_scheme(cli_env["NEO4J_URI"], request.param)}

    def run(self, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        return okrsync_query(env, *args)

    def test_list_table_and_json(self, fixture_graph: Graph, scheme_env: dict[str, str]) -> None:
        """--list names every query; a table and --json print the same rows."""
        listing = self.run(scheme_env, "--list")
        assert listing.returncode == 0
        names = [line.split()[0] for line in listing.stdout.splitlines() if line[:1] != " "]
        assert names == sorted(queries.library())
        assert (
            "    days=integer                default 14: how many days without a check-in "
            "make it stale" in listing.stdout.splitlines()
        )
        table = self.run(scheme_env, "team_progress", "--param", "period=Q1 2026")
        assert table.returncode == 0, table.stderr
        assert table.stdout.splitlines() == [
            "team   objectives  progress",
            "-----  ----------  --------",
            "Eng    1           80",
            "Sales  2           40",
            "(2 rows)",
        ]
        as_json = self.run(scheme_env, "overdue", "--param", f"asOf={AS_OF}", "--json")
        assert [r["key"] for r in json.loads(as_json.stdout)] == [
            "O-2",
            "KR-3",
            "KR-1",
            "KR-4",
            "O-1",
        ]

    def test_queries_read_one_organisation(
        self, fixture_graph: Graph, scheme_env: dict[str, str]
    ) -> None:
        """The configured organisation by default, another with --org: its rows only."""
        mine = self.run(scheme_env, "team_progress", "--param", "period=Q1 2026", "--json")
        assert len(json.loads(mine.stdout)) == 2
        other = self.run(scheme_env, "team_progress", "--org", "globex", "--json")
        assert other.returncode == 0, other.stderr
        assert json.loads(other.stdout) == []

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["nope"], "no query named 'nope'"),
            (["overdue", "--param", "asof=x"], "query overdue has no parameter 'asof'"),
            (["issue_impact"], "query issue_impact needs --param issue="),
            (["overdue", "--param", "oops"], "--param 'oops' is not KEY=VALUE"),
            ([], "name a query"),
            (
                ["stale_checkins", "--param", "days=abc"],
                "okrsync: --param days=abc: days takes an integer, e.g. --param days=14",
            ),
            (
                ["status_as_of", "--param", "asOf=yesterday"],
                "okrsync: --param asOf=yesterday: asOf takes an instant (a date, midnight UTC, "
                "or an ISO 8601 date-time; no offset means UTC), e.g. --param asOf=2026-03-15",
            ),
        ],
    )
    def test_errors_are_one_line(
        self, cli_env: dict[str, str], args: list[str], message: str
    ) -> None:
        """Unknown names and parameters, values that do not fit their type: usage errors,
        exit 2, one line, no traceback."""
        out = self.run(cli_env, *args)
        assert out.returncode == 2
        assert out.stderr.strip().splitlines() == [f"okrsync: {out.stderr.strip()[9:]}"]
        assert message in out.stderr


@pytest.fixture
def numeric_names_graph(graph: Graph, tmp_path: Any) -> Graph:
    """The fixture org with a period named 2026 and a key result keyed 4242: names that look
    like numbers."""
    data = json.loads((DATA / "fixture_org.json").read_text())
    data["periods"][1]["name"] = "2026"
    data["krs"][3]["key"] = "4242"
    with (
        SimulatorServer(Org.from_export(data)) as server,
        sync_cycle(server.url, graph, tmp_path / "state") as cycle,
    ):
        cycle.run()
    return graph


class TestTypedParameters:
    run = staticmethod(okrsync_query)

    def test_ids_and_names_that_look_like_numbers_stay_strings(
        self, numeric_names_graph: Graph, cli_env: dict[str, str]
    ) -> None:
        """Issue 21: --param issue=10001 is the string id "10001", period=2026 the name "2026"."""
        impact = self.run(cli_env, "issue_impact", "--param", "issue=10001")
        assert impact.stdout.splitlines() == [
            "keyResult  name            status   objectives",
            "---------  --------------  -------  ----------",
            "KR-1       Close 10 deals  AT_RISK  O-2, O-1",
            "KR-2       Ship v2         SUCCESS  O-3, O-1",
            "(2 rows)",
        ]
        period = self.run(cli_env, "team_progress", "--param", "period=2026", "--json")
        assert json.loads(period.stdout) == [{"team": "Eng", "objectives": 1, "progress": 0.0}]
        curve = self.run(cli_env, "kr_progress_curve", "--param", "kr=4242", "--json")
        assert json.loads(curve.stdout) == [
            {"at": "2026-03-28T09:00:00Z", "value": 12.0, "status": "ON_TRACK"}
        ]

    @pytest.mark.parametrize(
        ("as_of", "o1_status"),
        [
            ("2026-03-01", None),  # midnight UTC: before O-1's check-in at 09:00 UTC
            ("2026-03-01T10:00:00+02:00", None),  # 08:00 UTC
            ("2026-03-01T11:00:00+02:00", "ON_TRACK"),  # 09:00 UTC, the check-in's moment
            ("2026-03-01T09:00:00Z", "ON_TRACK"),
            ("2026-03-01T09:00:00", "ON_TRACK"),  # no offset: UTC
            ("2026-03-01T08:59:59", None),
        ],
    )
    def test_instants_as_people_type_them(
        self, fixture_graph: Graph, cli_env: dict[str, str], as_of: str, o1_status: str | None
    ) -> None:
        """A date, a date-time with Z, with an offset or with none: the same moment in UTC."""
        out = self.run(cli_env, "status_as_of", "--param", f"asOf={as_of}", "--json")
        assert out.returncode == 0, out.stderr
        assert [(r["key"], r["status"]) for r in json.loads(out.stdout)] == [
            ("O-1", o1_status),
            ("O-2", "AT_RISK"),
            ("O-3", None),
        ]

    def test_report_days_is_typed_like_the_query_parameter(self, cli_env: dict[str, str]) -> None:
        """`okrsync report --days` is slipped's `days`: the same type, the same one line."""
        out = subprocess.run(
            [sys.executable, "-m", "okrsync.cli", "report", "--period", "Q1 2026", "--days", "abc"],
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 2
        assert out.stderr.splitlines() == [
            "okrsync: --days abc: days takes an integer, e.g. --days 7"
        ]
