"""Bolt TLS as production servers run it: the local Neo4j requiring TLS with a certificate from a
private CA made here, which okrsync trusts through neo4j_trusted_ca, and refuses in one line
when it does not."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from okrsync.graph import Graph
from okrsync.simulator import Org, SimulatorServer
from okrsync.testing import wipe
from tests.helpers import ORG, assert_mirrors
from tests.tls import Authority, TlsServer, issue_server_certificate, make_authority, tls_server

UNTRUSTED = (
    "okrsync: Neo4j's TLS certificate is not trusted (unable to get local issuer certificate):"
    " set neo4j_trusted_ca to the CA certificate that signed it"
)


@pytest.fixture
def org() -> Org:
    """A small organisation: what is under test is the connection, and a cold server plans
    every statement afresh."""
    return Org(objectives=12, seed=7)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def server(authority: Authority, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    """The local Neo4j of NEO4J_VERSION with Bolt TLS required, for this module's tests."""
    certificates = issue_server_certificate(authority, tmp_path_factory.mktemp("server"))
    try:
        with tls_server(certificates) as running:
            yield running
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def tls_graph(server: TlsServer, authority: Authority) -> Iterator[Graph]:
    """The TLS server's database, emptied, reached through okrsync's own connection code."""
    graph = Graph.connect(
        server.uri("bolt+s"), "neo4j", server.password, trusted_ca=authority.cert_path
    )
    wipe(graph)
    yield graph
    graph.close()


def okrsync(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "okrsync.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # the first sync plans every statement on a freshly started server
    )


def env_for(
    cli_env: dict[str, str], server: TlsServer, uri: str, ca: Path | None
) -> dict[str, str]:
    """The command's environment for the TLS server: the mirror alone (the follow-up steps
    would only add statements for the cold server to plan, over the same connection)."""
    env = {**cli_env, "NEO4J_URI": uri, "NEO4J_PASSWORD": server.password}
    env.update(OKRSYNC_CHECKINS="false", OKRSYNC_JOURNAL="false")
    if ca is not None:
        env["OKRSYNC_NEO4J_TRUSTED_CA"] = str(ca)
    return env


@pytest.mark.parametrize("scheme", ["bolt+s", "neo4j+s"])
def test_sync_and_query_over_tls_trusting_the_private_ca(
    scheme: str,
    server: TlsServer,
    authority: Authority,
    tls_graph: Graph,
    simulator: SimulatorServer,
    cli_env: dict[str, str],
) -> None:
    """`okrsync sync` mirrors the org exactly and `okrsync query` reads it back, direct (bolt+s)
    and through the driver's routing (neo4j+s), the certificate checked against the CA."""
    env = env_for(cli_env, server, server.uri(scheme), authority.cert_path)
    synced = okrsync(env, "sync")
    assert synced.returncode == 0, synced.stderr
    assert_mirrors(tls_graph, simulator.url)
    queried = okrsync(env, "query", "period_summary", "--json")
    assert queried.returncode == 0, queried.stderr
    entities = [*simulator.org.objectives.values(), *simulator.org.key_results.values()]
    per_kind = {"Objective": 0, "KeyResult": 0}
    for row in json.loads(queried.stdout):
        per_kind[row["kind"]] += row["count"]
    assert per_kind == {
        "Objective": sum(1 for o in simulator.org.objectives.values() if o["periodAliasId"]),
        "KeyResult": sum(1 for k in simulator.org.key_results.values() if k["periodAliasId"]),
    }
    assert 0 < sum(per_kind.values()) <= len(entities)


@pytest.mark.parametrize(
    ("scheme", "trusted"),
    [("bolt+s", "nothing"), ("neo4j+s", "nothing"), ("bolt+s", "another CA")],
)
def test_an_untrusted_certificate_is_one_line(
    scheme: str,
    trusted: str,
    server: TlsServer,
    tls_graph: Graph,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """Without the CA (the system's CAs do not know it) or with another CA: exit 1, one line
    saying what to set, no traceback, nothing written."""
    ca = make_authority(tmp_path, "another CA").cert_path if trusted == "another CA" else None
    refused = okrsync(env_for(cli_env, server, server.uri(scheme), ca), "sync")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [UNTRUSTED]
    assert tls_graph.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


def test_a_name_the_certificate_does_not_hold_is_one_line(
    server: TlsServer, authority: Authority, cli_env: dict[str, str]
) -> None:
    """The CA trusted, but the URI names the host by a name outside the certificate (127.1 is
    127.0.0.1 to the resolver, not to the certificate check): exit 1, one line."""
    uri = server.uri("bolt+s", host="127.1")
    refused = okrsync(env_for(cli_env, server, uri, authority.cert_path), "sync")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "okrsync: Neo4j's TLS certificate is for another name (Hostname mismatch, certificate"
        " is not valid for '127.1'.): use a host name in neo4j_uri that the certificate holds"
    ]


def test_ssc_still_accepts_the_certificate_unchecked(
    server: TlsServer, tls_graph: Graph, simulator: SimulatorServer, cli_env: dict[str, str]
) -> None:
    """bolt+ssc:// encrypts without checking the certificate, as before: no CA needed."""
    synced = okrsync(env_for(cli_env, server, server.uri("bolt+ssc"), None), "sync")
    assert synced.returncode == 0, synced.stderr
    assert_mirrors(tls_graph, simulator.url, ORG)


def test_a_plain_scheme_to_a_tls_server_is_one_line(
    server: TlsServer, cli_env: dict[str, str]
) -> None:
    """bolt:// where the server requires TLS: exit 1, one line naming Neo4j, no traceback."""
    refused = okrsync(env_for(cli_env, server, server.uri("bolt"), None), "sync")
    assert refused.returncode == 1
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("okrsync: Neo4j is unreachable: ")
    assert f":{server.port}" in line
