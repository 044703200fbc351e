"""Every documented example runs as a user types it, and shows the rows it should.

Examples are found, not listed: every line of a fenced code block in README.md and in
docs/**/*.md that runs `okrsync query` or `okrsync report` (a leading `$ ` prompt or a path
to the executable, `.venv/bin/okrsync`, is dropped), each run through a shell exactly as
written, with the installed `okrsync` first on PATH; and every Cypher query of the Neo4j
Browser guide (deploy/neo4j-browser/guide.html) and of the docs' ```cypher blocks, run through
the driver. Each must have its expected output below, keyed by its text: a new example without
one fails, naming it, and so does an expectation no document shows any more.

The org they run against: the fixture org (tests/data/fixture_org.json) synced two days ago,
then, a day ago, synced again after one check-in and one progress edit: KR-4 went AT_RISK and
KR-1 fell from 30 % to 10 % (so `slipped --param days=7` has something to show).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import neo4j
import pytest

from okrsync import queries
from okrsync.graph import Graph
from okrsync.simulator import Org, SimulatorServer
from okrsync.testing import wipe
from tests.conftest import ROOT
from tests.docs import documents, fenced_blocks, reader_env, without_comment
from tests.helpers import Clock, sync_cycle
from tests.spec import DATA

GUIDE = ROOT / "deploy" / "neo4j-browser" / "guide.html"
EXAMPLES_ORG = "demo"  # the organisation `make run` mirrors, which the docs' examples query
COMMAND = re.compile(r"^(?:\$\s+)?(?:\S*/)?(okrsync\s+(?:query|report)\b.*)$")
BROWSER_ONLY = (":style", ":play")  # Browser commands that read no data


def documented_commands() -> dict[str, tuple[str, str]]:
    """Each documented okrsync query/report command (its trailing comment dropped) -> where it
    is first shown, and the line as written there (from `okrsync` on)."""
    found: dict[str, tuple[str, str]] = {}
    for path in documents():
        for _, number, line in fenced_blocks(path):
            match = COMMAND.match(line.strip())
            if match:
                where = f"{path.relative_to(ROOT)}:{number}"
                found.setdefault(without_comment(match.group(1)), (where, match.group(1)))
    return found


def one_line(cypher: str) -> str:
    return " ".join(cypher.split())


def guide_cypher() -> Iterator[tuple[str, str]]:
    """(query, where) for each runnable block of the Browser guide."""
    guide = GUIDE.read_text(encoding="utf-8")
    for block in re.finditer(r"<pre[^>]*\brunnable\b[^>]*>(.*?)</pre>", guide, re.S):
        line = guide.count("\n", 0, block.start()) + 1
        yield one_line(html.unescape(block.group(1))), f"{GUIDE.relative_to(ROOT)}:{line}"


def markdown_cypher(path: Path) -> Iterator[tuple[str, str]]:
    """(query, where) for each statement of a Markdown file's cypher blocks: a statement runs
    until a line starting a new one (MATCH, or a Browser command) once it has a RETURN;
    trailing `// comments` are dropped."""
    statement: list[str] = []
    where = ""
    for language, number, line in fenced_blocks(path):
        text = re.sub(r"\s+//.*$", "", line).strip() if language == "cypher" else ""
        if statement and text.startswith(("MATCH", ":")) and "RETURN" in " ".join(statement):
            yield one_line(" ".join(statement)), where
            statement = []
        if text:
            where = where if statement else f"{path.relative_to(ROOT)}:{number}"
            statement.append(text)
    if statement:
        yield one_line(" ".join(statement)), where


def documented_cypher() -> dict[str, str]:
    """Each Cypher query of the Browser guide and of the docs' cypher blocks (whitespace
    collapsed) -> where it is first shown."""
    found: dict[str, str] = {}
    for query, where in [*guide_cypher(), *(q for p in documents() for q in markdown_cypher(p))]:
        if not query.startswith(BROWSER_ONLY):
            found.setdefault(query, where)
    return found


# --- the org the examples run against ---------------------------------------------------------


class Moments(NamedTuple):
    now: datetime  # when the example ran
    first_sync: datetime
    second_sync: datetime


@pytest.fixture(scope="module")
def examples_org(
    driver: neo4j.Driver, tmp_path_factory: pytest.TempPathFactory
) -> tuple[datetime, datetime]:
    """The fixture org, synced two days ago, then a day ago after KR-4's AT_RISK check-in and
    KR-1's fall from 30 % to 10 %: the times of the two syncs."""
    graph = Graph(driver, os.environ.get("NEO4J_DATABASE") or None)
    wipe(graph)
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    first, second = hour - timedelta(days=2), hour - timedelta(days=1)
    org = Org.from_export(json.loads((DATA / "fixture_org.json").read_text()))
    clock = Clock(first)
    state = tmp_path_factory.mktemp("examples-state")
    with (
        SimulatorServer(org) as server,
        sync_cycle(server.url, graph, state, now=clock, org=EXAMPLES_ORG) as cycle,
    ):
        cycle.run()

        def week_later(o: Org) -> None:
            o.clock = second - timedelta(hours=3)  # the check-in is made before the sync
            o.set_status("k4", "AT_RISK")
            o.set_progress("k1", 10.0)

        server.sim.mutate(week_later)
        clock.at = second
        cycle.run()
    return first, second


@pytest.fixture(scope="module")
def shell_env(
    neo4j_auth: tuple[str, str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """A user's shell, as the README's tour sets it after `make run`, with a state directory."""
    bin_dir = Path(sys.executable).parent
    assert shutil.which("okrsync", path=str(bin_dir)), f"no okrsync script in {bin_dir}"
    env = reader_env(neo4j_auth, EXAMPLES_ORG)
    env["OKRSYNC_STATE_DIR"] = str(tmp_path_factory.mktemp("examples-home"))
    return env


# --- what each documented command shows --------------------------------------------------------


@dataclass(frozen=True)
class Shows:
    """The output an example should print (table lines, or JSON rows for --json), as a function
    of the moments involved; `files` checks what it writes in its working directory."""

    stdout: Callable[[Moments], list[Any]]
    files: Callable[[Path, Moments], None] | None = None


def days_since(now: datetime, at: str) -> int:
    return (now - datetime.fromisoformat(at)).days


def stale_checkins(m: Moments) -> list[dict[str, Any]]:
    def row(kind: str, key: str, name: str, at: str | None) -> dict[str, Any]:
        since = None if at is None else days_since(m.now, at)
        return {
            "kind": kind,
            "key": key,
            "name": name,
            "lastCheckIn": None if at is None else at[:10],
            "daysSince": since,
        }

    return [
        row("KeyResult", "KR-3", "Cut latency", None),
        row("Objective", "O-4", "Hiring", None),
        row("Objective", "O-2", "Sales pipeline", "2026-01-10T09:00:00+00:00"),
        row("Objective", "O-1", "Company growth", "2026-03-01T09:00:00+00:00"),
        row("KeyResult", "KR-1", "Close 10 deals", "2026-03-05T09:00:00+00:00"),
        row("Objective", "O-3", "Platform", "2026-03-20T09:00:00+00:00"),
        row("KeyResult", "KR-2", "Ship v2", "2026-03-25T09:00:00+00:00"),
    ]  # KR-4 checked in a day ago: not stale


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def slipped(m: Moments) -> list[str]:
    at = stamp(m.second_sync)
    return [
        "id  key   name            field        old       new      at",
        "--  ----  --------------  -----------  --------  -------  " + "-" * len(at),
        f"k1  KR-1  Close 10 deals  percentDone  30        10       {at}",
        f"k4  KR-4  Revenue +20%    status       ON_TRACK  AT_RISK  {at}",
        "(2 rows)",
    ]


def report_page(cwd: Path, m: Moments) -> None:
    page = (cwd / "report.html").read_text(encoding="utf-8")
    assert page.count("<section class='objective'>") == 3
    when = m.second_sync.astimezone(UTC)
    day = f"{when.day} {when:%b %Y}"
    assert (
        f"<td>KR-1 Close 10 deals</td><td>progress</td><td>30 %</td><td>10 %</td><td>{day}</td>"
    ) in page
    assert (
        "<td>KR-4 Revenue +20%</td><td>status</td>"
        "<td><span class='status' style='background:#36B37E;color:#FFFFFF'>On track</span></td>"
        "<td><span class='status' style='background:#FFAB00;color:#172B4D'>At risk</span></td>"
        f"<td>{day}</td>"
    ) in page
    first = m.first_sync.strftime("%Y-%m-%d %H:%M UTC")
    assert f"Progress is known from okrsync's first recorded sync, {first}" in page


EXPECTED: dict[str, Shows] = {
    "okrsync query --list": Shows(lambda m: queries.listing()),
    'okrsync query objective_tree --param period="Q1 2026"': Shows(
        lambda m: [
            "depth  kind       key   name            percentDone  status           path",
            "-----  ---------  ----  --------------  -----------  ---------------  "
            "----------------",
            "0      Objective  O-1   Company growth  50           ON_TRACK         O-1",
            "1      KeyResult  KR-4  Revenue +20%    60           AT_RISK          O-1 > KR-4",
            "1      Objective  O-2   Sales pipeline  20           AT_RISK          O-1 > O-2",
            "2      KeyResult  KR-1  Close 10 deals  10           AT_RISK          "
            "O-1 > O-2 > KR-1",
            "1      Objective  O-3   Platform        80           ACTION_REQUIRED  O-1 > O-3",
            "2      KeyResult  KR-2  Ship v2         100          SUCCESS          "
            "O-1 > O-3 > KR-2",
            "2      KeyResult  KR-3  Cut latency     10                            "
            "O-1 > O-3 > KR-3",
            "(7 rows)",
        ]
    ),
    "okrsync query stale_checkins --param days=30 --json": Shows(stale_checkins),
    # Issue 21: the README's own example, the issue id typed as a number.
    "okrsync query issue_impact --param issue=10001": Shows(
        lambda m: [
            "keyResult  name            status   objectives",
            "---------  --------------  -------  ----------",
            "KR-1       Close 10 deals  AT_RISK  O-2, O-1",
            "KR-2       Ship v2         SUCCESS  O-3, O-1",
            "(2 rows)",
        ]
    ),
    "okrsync query slipped --param days=7": Shows(slipped),
    # The README's tour.
    "okrsync query at_risk": Shows(
        lambda m: [
            "kind       key   name            status           owner  teams  parents",
            "---------  ----  --------------  ---------------  -----  -----  --------",
            "Objective  O-2   Sales pipeline  AT_RISK          u2     Sales  O-1",
            "Objective  O-3   Platform        ACTION_REQUIRED  u3     Eng    O-1",
            "KeyResult  KR-1  Close 10 deals  AT_RISK          u2     Sales  O-1, O-2",
            "KeyResult  KR-4  Revenue +20%    AT_RISK          u1     Sales  O-1",
            "(4 rows)",
        ]
    ),
    'okrsync query team_progress --param period="Q1 2026"': Shows(
        lambda m: [
            "team   objectives  progress",
            "-----  ----------  --------",
            "Eng    1           80",
            "Sales  2           40",
            "(2 rows)",
        ]
    ),
    'okrsync query status_as_of --param period="Q1 2026" --param asOf=2026-03-15T00:00:00Z': Shows(
        lambda m: [
            "key  name            status    percentDone",
            "---  --------------  --------  -----------",
            "O-1  Company growth  ON_TRACK  50",
            "O-2  Sales pipeline  AT_RISK   20",
            "O-3  Platform                  80",
            "(3 rows)",
        ]
    ),
    'okrsync report --period "Q1 2026" --out report.html': Shows(
        lambda m: ["report.html: 3 objectives charted"], files=report_page
    ),
}


DOCUMENTED = documented_commands()


def run_example(command: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, shell=True, env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("command", sorted(DOCUMENTED))
def test_documented_command_shows_its_rows(
    command: str, examples_org: tuple[datetime, datetime], shell_env: dict[str, str]
) -> None:
    """The command, run through a shell exactly as documented, prints exactly its rows."""
    where, as_written = DOCUMENTED[command]
    if command not in EXPECTED:
        pytest.fail(
            f"{where}: documented example `{command}` has no expected output in "
            "tests/integration/test_documented_examples.py (EXPECTED)",
            pytrace=False,
        )
    shows = EXPECTED[command]
    with tempfile.TemporaryDirectory() as tmp:
        before = datetime.now(UTC)
        out = run_example(as_written, shell_env, Path(tmp))
        after = datetime.now(UTC)
        assert out.returncode == 0, f"{where}: `{command}` failed: {out.stderr.strip()}"
        got = json.loads(out.stdout) if "--json" in command.split() else out.stdout.splitlines()
        assert got not in ([], ["(no rows)"]), f"{where}: `{command}` shows nothing"
        # A day boundary may pass while it runs: either side's rows are right.
        wanted = [shows.stdout(Moments(t, *examples_org)) for t in (before, after)]
        assert got in wanted or got == wanted[-1], f"{where}: `{command}`"
        if shows.files:
            shows.files(Path(tmp), Moments(after, *examples_org))


def test_every_expectation_is_still_documented() -> None:
    """An expectation whose example left the docs is stale: fail, naming it."""
    assert sorted(set(EXPECTED) - set(DOCUMENTED)) == []


# --- the Cypher queries of the Browser guide and the docs ---------------------------------------


def caption(node: neo4j.graph.Node) -> str:
    props = dict(node)
    return str(props.get("key") or props.get("name") or props.get("id") or props.get("accountId"))


def describe(path: neo4j.graph.Path) -> str:
    """A path as one line of captions and arrows, each relationship in its own direction."""
    text, here = caption(path.start_node), path.start_node
    for rel in path.relationships:
        assert rel.start_node is not None and rel.end_node is not None
        forward = rel.start_node.element_id == here.element_id
        there = rel.end_node if forward else rel.start_node
        arrow = f" -[:{rel.type}]-> " if forward else f" <-[:{rel.type}]- "
        text, here = text + arrow + caption(there), there
    return text


TREE = [
    "O-1 -[:HAS_KR]-> KR-4",
    "O-1 -[:PARENT_OF]-> O-2",
    "O-1 -[:PARENT_OF]-> O-2 -[:HAS_KR]-> KR-1",
    "O-1 -[:PARENT_OF]-> O-3",
    "O-1 -[:PARENT_OF]-> O-3 -[:HAS_KR]-> KR-2",
    "O-1 -[:PARENT_OF]-> O-3 -[:HAS_KR]-> KR-3",
    "O-2 -[:HAS_KR]-> KR-1",
    "O-3 -[:HAS_KR]-> KR-2",
    "O-3 -[:HAS_KR]-> KR-3",
]
AT_RISK_OWNERS = [
    "u1 -[:OWNS]-> KR-4",
    "u2 -[:OWNS]-> KR-1",
    "u2 -[:OWNS]-> O-2",
    "u3 -[:OWNS]-> O-3",
]
TEAMS = [
    "Eng <-[:BELONGS_TO]- O-3",
    "Eng <-[:BELONGS_TO]- O-4",
    "Sales <-[:BELONGS_TO]- O-1",
    "Sales <-[:BELONGS_TO]- O-2",
]
ISSUE_IMPACT = [
    "10001 <-[:TRACKS]- KR-1 <-[:HAS_KR]- O-2",
    "10001 <-[:TRACKS]- KR-1 <-[:HAS_KR]- O-2 <-[:PARENT_OF]- O-1",
    "10001 <-[:TRACKS]- KR-2 <-[:HAS_KR]- O-3",
    "10001 <-[:TRACKS]- KR-2 <-[:HAS_KR]- O-3 <-[:PARENT_OF]- O-1",
    "10002 <-[:TRACKS]- KR-2 <-[:HAS_KR]- O-3",
    "10002 <-[:TRACKS]- KR-2 <-[:HAS_KR]- O-3 <-[:PARENT_OF]- O-1",
    "10003 <-[:TRACKS]- KR-4 <-[:HAS_KR]- O-1",
]
EXPECTED_PATHS: dict[str, list[str]] = {
    "MATCH p = (:Objective)-[:PARENT_OF|HAS_KR*1..3]->() RETURN p LIMIT 150": TREE,
    "MATCH p = (:Objective {okrsyncOrg: 'demo'})-[:PARENT_OF|HAS_KR*1..3]->() RETURN p LIMIT 150": (
        TREE
    ),
    "MATCH p = (:Period)<-[:IN_PERIOD]-(o:Objective)-[:HAS_KR]->(:KeyResult) WITH p LIMIT 100 "
    "RETURN p": [
        "Q1 2026 <-[:IN_PERIOD]- O-1 -[:HAS_KR]-> KR-4",
        "Q1 2026 <-[:IN_PERIOD]- O-2 -[:HAS_KR]-> KR-1",
        "Q1 2026 <-[:IN_PERIOD]- O-3 -[:HAS_KR]-> KR-2",
        "Q1 2026 <-[:IN_PERIOD]- O-3 -[:HAS_KR]-> KR-3",
    ],
    "MATCH p = (:User)-[:OWNS]->(n) WHERE n.status IN ['AT_RISK', 'ACTION_REQUIRED'] RETURN p": (
        AT_RISK_OWNERS
    ),
    "MATCH p = (:Team)<-[:BELONGS_TO]-(:Objective) RETURN p LIMIT 200": TEAMS,
    "MATCH p = (i:Issue)<-[:TRACKS]-(:KeyResult)<-[:HAS_KR]-(:Objective)<-[:PARENT_OF*0..]-"
    "(:Objective) RETURN p LIMIT 100": ISSUE_IMPACT,
}

DOCUMENTED_CYPHER = documented_cypher()


@pytest.mark.parametrize("query", sorted(DOCUMENTED_CYPHER))
def test_documented_cypher_shows_its_paths(
    query: str, examples_org: tuple[datetime, datetime], driver: neo4j.Driver
) -> None:
    """Each query of the Browser guide and the docs, through the driver: exactly its paths."""
    where = DOCUMENTED_CYPHER[query]
    if query not in EXPECTED_PATHS:
        pytest.fail(
            f"{where}: documented query `{query}` has no expected paths in "
            "tests/integration/test_documented_examples.py (EXPECTED_PATHS)",
            pytrace=False,
        )
    with driver.session(database=os.environ.get("NEO4J_DATABASE") or None) as session:
        records = list(session.run(query))
    got = sorted(describe(r["p"]) for r in records)
    assert got, f"{where}: `{query}` returns nothing"
    assert got == EXPECTED_PATHS[query], where


def test_every_expected_query_is_still_documented() -> None:
    assert sorted(set(EXPECTED_PATHS) - set(DOCUMENTED_CYPHER)) == []
    # The guide's queries are found (a discovery that finds nothing would pass vacuously).
    assert sum(w.startswith("deploy/") for w in DOCUMENTED_CYPHER.values()) == 5
