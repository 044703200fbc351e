"""Production hardening against the real Neo4j, the simulator and the daemon as a subprocess:
named and bounded transactions, the graph checked before the export, a first load's log that
journald can keep, an enrichment that cannot fail a cycle, READY=1 whatever the dependencies,
a stuck cycle that ends the process, a listener that follows its setting."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import structlog
from structlog.testing import capture_logs

from okrsync import __version__, sync
from okrsync.api import RetryPolicy, Secret
from okrsync.config import Settings
from okrsync.errors import GraphError
from okrsync.graph import Graph
from okrsync.jira import JiraClient
from okrsync.simulator import Org, SimulatorServer
from okrsync.testing import wipe
from okrsync.transform import html_to_text
from tests.helpers import DaemonProcess, NotifySocket, free_port, mirrored, sync_cycle, wait_for
from tests.spec import DATA

# ~20 s of work on a warm server (50M rows finished within 1 s late in a full run): only the
# timeout can end it in time.
SLOW_QUERY = "UNWIND range(1, 1000000000) AS x WITH x WHERE x < 0 RETURN count(*) AS n"


class TestTransactions:
    def test_transactions_carry_okrsync_its_version_and_the_cycle(self, graph: Graph) -> None:
        """SHOW TRANSACTIONS names okrsync's transaction: app, version, the bound cycle id."""
        with structlog.contextvars.bound_contextvars(cycle="20260101T000000Z-abcd1234"):
            rows = graph.read(
                "SHOW TRANSACTIONS YIELD metaData, currentQuery"
                " WHERE currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN metaData"
            )
        assert rows == [
            {
                "metaData": {
                    "app": "okrsync",
                    "version": __version__,
                    "cycle": "20260101T000000Z-abcd1234",
                }
            }
        ]

    def test_a_transaction_past_its_timeout_is_terminated(self, graph: Graph) -> None:
        """With a 1 s transaction timeout, a query that would run for many seconds is
        terminated by the server and reported as one GraphError line."""
        bounded = Graph(graph.driver, graph.database, transaction_timeout=1.0)
        started = time.monotonic()
        with pytest.raises(GraphError, match="TransactionTimedOut"):
            bounded.read(SLOW_QUERY)
        assert time.monotonic() - started < 10


def test_neo4j_is_checked_before_the_export_is_fetched(
    simulator: SimulatorServer, tmp_path: Path
) -> None:
    """Neo4j unreachable: the cycle fails with a GraphError and the API served nothing."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    down = Graph.connect(f"bolt://127.0.0.1:{closed}", "neo4j", "x")
    try:
        with sync_cycle(simulator.url, down, tmp_path / "state") as syncer:
            with pytest.raises(GraphError, match="unreachable"):
                syncer.run()
            time.sleep(1.0)  # a prefetch thread, had one been started, would have asked by now
    finally:
        down.close()
    assert simulator.sim.controls.served == {}


class TestLogVolume:
    def test_a_first_load_logs_a_line_per_batch_and_entities_at_debug(
        self, graph: Graph, simulator: SimulatorServer, tmp_path: Path
    ) -> None:
        """The first load of 60 objectives with batches of 200 rows: no per-entity line at
        info, one load.batch line per batch whose rows add up to what was written; at debug
        each node and relationship still has its line."""
        with (
            sync_cycle(simulator.url, graph, tmp_path / "s", batch_size=200) as syncer,
            capture_logs() as logs,
        ):
            result = syncer.run()
        assert result.mode == "load"
        info = [e for e in logs if e["log_level"] == "info"]
        per_entity = [e for e in info if e["event"].endswith((".created", ".linked"))]
        assert per_entity == []
        batches = [e for e in info if e["event"] == "load.batch"]
        assert all(0 < e["rows"] <= 200 for e in batches)
        created, linked = result.summary()["created"], result.summary()["linked"]
        assert sum(e["rows"] for e in batches) == created + linked
        debug = [e for e in logs if e["log_level"] == "debug"]
        assert len([e for e in debug if e["event"].endswith(".created")]) == created
        assert len([e for e in debug if e["event"] == "relationship.linked"]) == linked
        assert len(info) < len(batches) + 10

    def test_a_bulk_reconcile_logs_counts_at_info_and_entities_at_debug(
        self,
        graph: Graph,
        simulator: SimulatorServer,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A reconcile that rebuilds a wiped graph: a plan over BULK_CHANGES (50 here) logs one
        changes.summarised line with exact counts at info, and each change at debug."""
        monkeypatch.setattr(sync, "BULK_CHANGES", 50)
        with sync_cycle(simulator.url, graph, tmp_path / "s") as syncer:
            assert syncer.run().mode == "load"
            wipe(graph)
            with capture_logs() as logs:
                result = syncer.run()  # the counts differ from the state's: a reconcile
        assert result.mode == "reconcile"
        summary = result.plan.summary()
        info = [e for e in logs if e["log_level"] == "info"]
        assert [e["event"] for e in info if e["event"].endswith((".created", ".linked"))] == []
        (summarised,) = [e for e in info if e["event"] == "changes.summarised"]
        events = summarised["events"]
        assert events["relationship.linked"] == summary["linked"]
        assert (
            sum(n for name, n in events.items() if name.endswith(".created"))
            == (summary["created"])
        )
        debug = [e for e in logs if e["log_level"] == "debug"]
        assert len([e for e in debug if e["event"] == "relationship.linked"]) == summary["linked"]

    def test_an_incremental_cycle_keeps_a_line_per_change(
        self, graph: Graph, simulator: SimulatorServer, tmp_path: Path
    ) -> None:
        """After the load, each changed entity is logged at info as before."""
        with sync_cycle(simulator.url, graph, tmp_path / "s") as syncer:
            syncer.run()
            simulator.sim.mutate(lambda o: o.evolve(5))
            with capture_logs() as logs:
                result = syncer.run()
        assert result.mode == "incremental"
        changes = [
            e
            for e in logs
            if e["log_level"] == "info"
            and e["event"].split(".")[-1] in ("created", "updated", "deleted", "linked", "unlinked")
        ]
        summary = result.plan.summary()
        expected = sum(summary[k] for k in ("created", "updated", "deleted", "linked", "unlinked"))
        assert len(changes) == expected > 0


def test_jira_enrichment_never_fails_the_cycle(graph: Graph, tmp_path: Path) -> None:
    """An issue id of superscript digits ('²' passes str.isdigit()) and a Jira that answers
    nonsense: the cycle has no failed step, and the mirror is whole."""
    export = json.loads((DATA / "fixture_org.json").read_text())
    krs = export["krs"]
    first = next(k for k in krs if k.get("issueIds"))
    first["issueIds"] = [*first["issueIds"], "1²", "٣"]
    org = Org.from_export(export)
    jira = JiraClient(
        "http://127.0.0.1:9", "bot@example.com", Secret("x"), retry=RetryPolicy(max_attempts=1)
    )
    with SimulatorServer(org) as server, sync_cycle(server.url, graph, tmp_path, jira=jira) as s:
        result = s.run()
        assert result.failed_steps == []
        assert result.steps["jira"] == {"enriched": 0}
        assert mirrored(graph, server.url)
    jira.close()


def test_descriptions_are_decoded_once_in_the_graph(
    graph: Graph, simulator: SimulatorServer, tmp_path: Path
) -> None:
    """An objective whose description reads '&amp;lt;b&amp;gt;' keeps the text '&lt;b&gt;'."""
    target = next(iter(simulator.org.objectives))
    simulator.sim.mutate(
        lambda o: o.objectives[target].update(description="<p>&amp;lt;b&amp;gt; bold</p>")
    )
    with sync_cycle(simulator.url, graph, tmp_path / "s") as syncer:
        syncer.run()
    rows = graph.read("MATCH (o:Objective {id: $id}) RETURN o.descriptionText AS t", id=target)
    assert rows == [{"t": "&lt;b&gt; bold"}]
    assert html_to_text("<p>&amp;lt;b&amp;gt; bold</p>") == "&lt;b&gt; bold"


# --- the daemon ------------------------------------------------------------------------------


def daemon_config(settings: Settings, port: int, **extra: object) -> str:
    lines = [
        f'base_url = "{settings.base_url}"',
        "interval = 1.0",
        "jitter = 0.0",
        f'http_listen = "127.0.0.1:{port}"',
        f'state_dir = "{settings.state_dir}"',
        *(f"{k} = {json.dumps(v)}" for k, v in extra.items()),
    ]
    return "\n".join(lines) + "\n"


def env_for(cli_env: dict[str, str], tmp_path: Path, neo4j_uri: str) -> dict[str, str]:
    env = {k: v for k, v in cli_env.items() if k != "OKRSYNC_BASE_URL"}
    env.update(NEO4J_URI=neo4j_uri, NOTIFY_SOCKET=str(tmp_path / "notify.sock"))
    return env


def healthz(port: int) -> tuple[int, dict]:
    r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    return r.status_code, r.json()


def test_ready_is_sent_while_neo4j_is_down(
    settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """Neo4j down at boot: READY=1 comes at once, STATUS= and /healthz say Neo4j is what is
    missing, and the daemon keeps running."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    port = free_port()
    cfg = tmp_path / "okrsync.toml"
    cfg.write_text(daemon_config(settings, port))
    env = env_for(cli_env, tmp_path, f"bolt://127.0.0.1:{closed}")
    notify = NotifySocket(Path(env["NOTIFY_SOCKET"]))
    daemon = DaemonProcess(["run", "--config", str(cfg)], env)
    try:
        wait_for(lambda: "READY=1" in notify.lines(), timeout=20, what="READY=1")
        wait_for(
            lambda: healthz(port)[1]["dependencies"]["neo4j"].startswith("Neo4j is unreachable"),
            timeout=30,
            what="health naming Neo4j",
        )
        status, body = healthz(port)
        assert status == 503
        assert body["dependencies"]["api"] == "unknown"
        wait_for(
            lambda: any("waiting for neo4j" in line for line in notify.lines()),
            what="STATUS naming Neo4j",
        )
        assert daemon.proc.poll() is None
    finally:
        assert daemon.stop() == 0
        notify.close()


def test_a_stuck_cycle_ends_the_process_and_the_watchdog_pings(
    settings: Settings, simulator: SimulatorServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """An answer that takes 30 s against max_cycle_seconds = 3: the daemon stops pinging the
    watchdog and exits 1 with one line, for systemd to restart it."""
    port = free_port()
    cfg = tmp_path / "okrsync.toml"
    cfg.write_text(daemon_config(settings, port, max_cycle_seconds=3.0, http_timeout=60.0))
    env = env_for(cli_env, tmp_path, settings.neo4j_uri)
    env["WATCHDOG_USEC"] = "1000000"  # a ping every 0.5 s while all is well
    notify = NotifySocket(Path(env["NOTIFY_SOCKET"]))
    simulator.sim.push_faults("slow:30", "slow:30")  # the ping, then the export
    daemon = DaemonProcess(["run", "--config", str(cfg)], env)
    try:
        code = daemon.proc.wait(timeout=30)
    finally:
        daemon.stop()
        notify.close()
    assert code == 1
    assert "daemon.cycle_stuck" in daemon.event_names()
    assert daemon.output[-1] == (
        "okrsync: a cycle has run longer than max_cycle_seconds (3s): exiting for the service"
        " manager to restart okrsync"
    )
    lines = notify.lines()
    last_ping = max(i for i, line in enumerate(lines) if line == "WATCHDOG=1")
    stuck = next(i for i, line in enumerate(lines) if "max_cycle_seconds" in line)
    assert last_ping < stuck
    assert "Traceback" not in daemon.text()


def test_a_changed_http_listen_moves_the_listener(
    settings: Settings, graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """Editing http_listen while the daemon runs: the new address answers, the old is gone."""
    old, new = free_port(), free_port()
    cfg = tmp_path / "okrsync.toml"
    cfg.write_text(daemon_config(settings, old))
    env = env_for(cli_env, tmp_path, settings.neo4j_uri)
    daemon = DaemonProcess(["run", "--config", str(cfg)], env)
    try:
        wait_for(lambda: healthz(old)[0] == 200, what="healthy on the first address")
        cfg.write_text(daemon_config(settings, new))
        wait_for(lambda: healthz(new)[0] == 200, what="healthy on the new address")
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{old}/healthz", timeout=2)
        reloaded = next(e for e in daemon.events() if e.get("event") == "config.reloaded")
        assert reloaded["changed"] == ["http_listen"]
    finally:
        assert daemon.stop() == 0


def test_a_token_with_a_crlf_ending_syncs(
    simulator: SimulatorServer, graph: Graph, cli_env: dict[str, str]
) -> None:
    """OKRSYNC_API_TOKEN='tok\\r\\n' (a CRLF env file): `okrsync sync` authenticates with
    'tok' and mirrors the organisation."""
    simulator.sim.controls.token = "crlf-token-81d2"
    env = {**cli_env, "OKRSYNC_API_TOKEN": "crlf-token-81d2\r\n"}
    out = subprocess.run(
        [sys.executable, "-m", "okrsync.cli", "sync"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-1000:]
    simulator.sim.controls.token = None  # the comparison reads the source with another token
    assert mirrored(graph, simulator.url)
    assert "crlf-token-81d2" not in out.stderr + out.stdout
    assert os.environ.get("OKRSYNC_API_TOKEN") != "crlf-token-81d2"
