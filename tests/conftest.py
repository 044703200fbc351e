"""Fixtures shared by the whole suite: a real Neo4j, the simulator on a real socket, settings.

Neo4j comes from, in order: NEO4J_URI (+ NEO4J_USERNAME / NEO4J_PASSWORD); a testcontainers
Neo4jContainer where a Docker engine answers; the local server `make neo4j` provisions. When
none can be had the run FAILS with a message saying so: integration tests never skip.

The tests write organisations named okrsync-test* and wipe the database between tests: on a
database holding anything else (okrsync's own local server aside) the run stops with one line
before touching it, unless OKRSYNC_TEST_WIPE=1 says to wipe it anyway.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from okrsync.api import Secret
from okrsync.config import Settings
from okrsync.graph import Graph
from okrsync.simulator import Org, SimulatorServer
from okrsync.testing import TEST_ORG, ForeignData, claim_for_tests, is_local_server, wipe

ROOT = Path(__file__).resolve().parent.parent
REFUSED = 3  # the exit status of a run that refused to wipe a database (as okrsync's guard)
SHARED = ROOT.parent / "shared"


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _local_server() -> tuple[str, str, str]:
    script = ROOT / "deploy" / "neo4j" / "local-neo4j.sh"
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    env["OKRSYNC_NEO4J_NO_DOCKER"] = "1"
    started = subprocess.run([str(script), "start"], env=env, capture_output=True, text=True)
    if started.returncode != 0:
        pytest.fail(
            "no Neo4j for the integration tests: NEO4J_URI is unset, no Docker engine answers, "
            f"and `make neo4j` failed: {started.stderr.strip()[-500:]}",
            pytrace=False,
        )
    exports = subprocess.run([str(script), "env"], capture_output=True, text=True, check=True)
    values = dict(part.split("=", 1) for part in exports.stdout.replace("export ", "").split())
    return values["NEO4J_URI"], values["NEO4J_USERNAME"], values["NEO4J_PASSWORD"]


@pytest.fixture(scope="session")
def neo4j_auth() -> Iterator[tuple[str, str, str]]:
    uri = os.environ.get("NEO4J_URI")
    if uri:
        yield uri, os.environ.get("NEO4J_USERNAME", "neo4j"), os.environ.get("NEO4J_PASSWORD", "")
        return
    if _docker_answers():
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer("neo4j:5.26-community") as container:
            yield container.get_connection_url(), "neo4j", container.password
        return
    yield _local_server()


@pytest.fixture(scope="session")
def driver(neo4j_auth: tuple[str, str, str]) -> Iterator[neo4j.Driver]:
    uri, user, password = neo4j_auth
    drv = neo4j.GraphDatabase.driver(uri, auth=(user, password), notifications_min_severity="OFF")
    try:
        drv.verify_connectivity()
    except Exception as exc:
        pytest.fail(f"Neo4j at {uri} does not answer: {exc}", pytrace=False)
    graph = Graph(drv, os.environ.get("NEO4J_DATABASE") or None)
    try:
        claim_for_tests(graph)
    except ForeignData as exc:
        drv.close()
        pytest.exit(f"okrsync tests: {exc}", returncode=REFUSED)
    yield drv
    if not is_local_server(graph):  # a scratch database is left as empty as it was found
        wipe(graph)
    drv.close()


@pytest.fixture
def graph(driver: neo4j.Driver) -> Graph:
    """The real database, emptied before the test (nodes, relationships; constraints stay)."""
    g = Graph(driver, os.environ.get("NEO4J_DATABASE") or None)
    wipe(g)
    return g


@pytest.fixture
def org() -> Org:
    return Org(objectives=60, seed=7)


@pytest.fixture
def simulator(org: Org) -> Iterator[SimulatorServer]:
    with SimulatorServer(org) as server:
        yield server


@pytest.fixture
def settings(
    tmp_path: Path, simulator: SimulatorServer, neo4j_auth: tuple[str, str, str]
) -> Settings:
    uri, user, password = neo4j_auth
    return Settings(
        base_url=simulator.url,
        api_token=Secret("test-token-5b1e"),
        neo4j_uri=uri,
        neo4j_username=user,
        neo4j_password=Secret(password),
        neo4j_database=os.environ.get("NEO4J_DATABASE") or None,
        state_dir=tmp_path / "state",
        org=TEST_ORG,
    )


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """The environment an `okrsync` subprocess needs to reach the simulator and Neo4j."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKRSYNC_", "NEO4J_"))}
    assert settings.api_token is not None and settings.neo4j_password is not None
    env.update(
        OKRSYNC_BASE_URL=settings.base_url,
        OKRSYNC_API_TOKEN=settings.api_token.reveal(),
        OKRSYNC_STATE_DIR=str(settings.state_dir),
        OKRSYNC_ORG=settings.org,
        NEO4J_URI=settings.neo4j_uri,
        NEO4J_USERNAME=settings.neo4j_username,
        NEO4J_PASSWORD=settings.neo4j_password.reveal(),
    )
    return env


@pytest.fixture(autouse=True)
def quiet_logs() -> Iterator[None]:
    """Log events go nowhere unless a test captures them (capture_logs still sees them); the
    secrets a test registers with the redactor are forgotten after it."""
    import io

    from okrsync import log

    log.configure("debug", stream=io.StringIO(), json=True)
    yield
    log.reset_secrets()
