"""`okrsync run` as a real subprocess against the simulator and the real Neo4j."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from okrsync.config import Settings
from okrsync.graph import Graph
from okrsync.simulator import SimulatorServer
from tests.conftest import ROOT
from tests.helpers import (
    DaemonProcess,
    NotifySocket,
    counts,
    duplicate_keys,
    free_port,
    mirrored,
    wait_for,
    with_scheme,
)


def config_text(settings: Settings, port: int, interval: float = 1.0, **extra: object) -> str:
    lines = [
        f'base_url = "{settings.base_url}"',
        f"interval = {interval}",
        "jitter = 0.0",
        f'http_listen = "127.0.0.1:{port}"',
        'log_level = "info"',
        f'state_dir = "{settings.state_dir}"',
        "full_reconcile_every = 5",
        *(f"{k} = {v!r}".replace("'", '"') for k, v in extra.items()),
        "[neo4j]",
        f'uri = "{settings.neo4j_uri}"',
        f'username = "{settings.neo4j_username}"',
    ]
    return "\n".join(lines) + "\n"


def healthz(port: int) -> tuple[int, dict]:
    r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    return r.status_code, r.json()


def metric(port: int, name: str) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert match, name
    return float(match.group(1))


@pytest.fixture
def daemon_env(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in cli_env.items() if k not in ("OKRSYNC_BASE_URL", "NEO4J_URI")}
    env["NOTIFY_SOCKET"] = str(tmp_path / "notify.sock")
    return env


def test_daemon_lifecycle(
    graph: Graph,
    simulator: SimulatorServer,
    settings: Settings,
    daemon_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """Mirror, follow churn, lose and regain the API, reload, reject a bad file, stop on TERM."""
    port = free_port()
    cfg = tmp_path / "okrsync.toml"
    cfg.write_text(config_text(settings, port))
    notify = NotifySocket(Path(daemon_env["NOTIFY_SOCKET"]))
    daemon = DaemonProcess(["run", "--config", str(cfg)], daemon_env)
    try:
        # Mirrors the org, says READY=1 and STATUS=, and reports healthy.
        wait_for(lambda: healthz(port)[0] == 200, what="healthy")
        assert mirrored(graph, simulator.url)
        wait_for(lambda: "READY=1" in notify.lines(), what="READY=1")
        assert any(line.startswith("STATUS=last cycle ok") for line in notify.lines())
        # Follows the org as it changes.
        simulator.sim.mutate(lambda o: o.evolve(25))
        wait_for(lambda: mirrored(graph, simulator.url), what="churn mirrored")
        # The gauges are set when the cycle ends, after its follow-up steps: wait for them.
        wanted = len(simulator.org.objectives)
        wait_for(
            lambda: metric(port, 'okrsync_entities{label="Objective"}') == wanted,
            what="entity gauge after churn",
        )
        assert metric(port, 'okrsync_cycles_total{outcome="success"}') >= 2
        # The API goes away: failures are logged, health turns 503, the daemon keeps running.
        simulator.stop()
        wait_for(
            lambda: "cannot reach the OKR API" in healthz(port)[1]["reason"],
            what="health naming the API failure",
        )
        assert healthz(port)[0] == 503
        assert "sync.failed" in daemon.event_names()
        assert daemon.proc.poll() is None
        host_port = int(simulator.url.rsplit(":", 1)[1])
        back = SimulatorServer(simulator.org, port=host_port).start()
        try:
            back.sim.mutate(lambda o: o.evolve(10))
            wait_for(lambda: healthz(port)[0] == 200, what="healthy again")
            wait_for(lambda: mirrored(graph, back.url), what="converged after the API came back")
            assert metric(port, 'okrsync_cycles_total{outcome="failure"}') >= 1
            # Hot reload: a valid edit takes effect, a broken file is rejected and ignored.
            cfg.write_text(config_text(settings, port, interval=0.5, max_delete_fraction=0.4))
            wait_for(lambda: "config.reloaded" in daemon.event_names(), what="reload")
            reloaded = next(e for e in daemon.events() if e.get("event") == "config.reloaded")
            assert sorted(reloaded["changed"]) == ["interval", "max_delete_fraction"]
            cfg.write_text("interval = 'often'\n")
            wait_for(lambda: "config.reload_rejected" in daemon.event_names(), what="rejection")
            rejected = next(
                e for e in daemon.events() if e.get("event") == "config.reload_rejected"
            )
            assert "interval: expected a number" in rejected["error"]
            back.sim.mutate(lambda o: o.evolve(5))
            wait_for(lambda: mirrored(graph, back.url), what="still syncing after a bad file")
            assert healthz(port)[0] == 200
            # SIGHUP reloads too (the file is still broken: rejected again).
            before = daemon.event_names().count("config.reload_rejected")
            daemon.proc.send_signal(signal.SIGHUP)
            wait_for(
                lambda: daemon.event_names().count("config.reload_rejected") > before,
                what="SIGHUP reload",
            )
            # SIGTERM: a clean stop, exit 0, STOPPING=1.
            started = time.monotonic()
            assert daemon.stop(timeout=25) == 0
            assert time.monotonic() - started < 25
            wait_for(lambda: "STOPPING=1" in notify.lines(), timeout=5, what="STOPPING=1")
            assert "daemon.stopped" in daemon.event_names()
        finally:
            back.stop()
    finally:
        daemon.stop()
        notify.close()
    assert daemon_env["OKRSYNC_API_TOKEN"] not in daemon.text()
    assert daemon_env["NEO4J_PASSWORD"] not in daemon.text()
    assert "Traceback" not in daemon.text()


def test_second_daemon_on_the_same_state_dir_exits(
    settings: Settings, graph: Graph, daemon_env: dict[str, str], tmp_path: Path
) -> None:
    """Two okrsync processes never share a state directory: the second one says why."""
    cfg = tmp_path / "okrsync.toml"
    cfg.write_text(config_text(settings, free_port(), interval=5))
    env = {k: v for k, v in daemon_env.items() if k != "NOTIFY_SOCKET"}
    first = DaemonProcess(["run", "--config", str(cfg)], env)
    try:
        wait_for(lambda: "daemon.started" in first.event_names(), what="first daemon")
        second = subprocess.run(
            [os.sys.executable, "-m", "okrsync.cli", "run", "--config", str(cfg)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == 1
        assert f"is already running on state_dir {settings.state_dir}" in second.stderr
        assert f"pid {first.proc.pid}" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        assert first.stop() == 0


def test_invalid_config_at_start_up_stops_with_one_line(
    tmp_path: Path, daemon_env: dict[str, str]
) -> None:
    """A broken file at start-up: exit 2, one line naming the key."""
    cfg = tmp_path / "bad.toml"
    cfg.write_text("batch_size = -3\n")
    out = subprocess.run(
        [os.sys.executable, "-m", "okrsync.cli", "run", "--config", str(cfg)],
        env=daemon_env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "okrsync: configuration error: batch_size must be at least 1"
    ]


@pytest.mark.parametrize("way", ["env", "file", "credentials"])
def test_token_never_logged_whichever_way_it_comes(
    way: str,
    simulator: SimulatorServer,
    settings: Settings,
    daemon_env: dict[str, str],
    tmp_path: Path,
    graph: Graph,
) -> None:
    """Env, *_file or systemd credentials; the API rejects it (401): the token is in no output."""
    token = f"secret-token-{way}-7c1d"
    simulator.sim.controls.token = "a-different-token"
    env = {k: v for k, v in daemon_env.items() if k not in ("OKRSYNC_API_TOKEN", "NOTIFY_SOCKET")}
    if way == "env":
        env["OKRSYNC_API_TOKEN"] = token
    elif way == "file":
        (tmp_path / "token").write_text(token + "\n")
        env["OKRSYNC_API_TOKEN_FILE"] = str(tmp_path / "token")
    else:
        creds = tmp_path / "creds"
        creds.mkdir()
        (creds / "okr-api-token").write_text(token)
        env["CREDENTIALS_DIRECTORY"] = str(creds)
    cfg = tmp_path / "okrsync.toml"
    cfg.write_text(config_text(settings, free_port()))
    env["OKRSYNC_LOG_LEVEL"] = "debug"
    daemon = DaemonProcess(["run", "--config", str(cfg)], env)
    try:
        wait_for(lambda: daemon.event_names().count("sync.failed") >= 2, what="failed cycles")
        failed = next(e for e in daemon.events() if e.get("event") == "sync.failed")
        assert "401" in failed["error"] and "revoked" in failed["error"]
    finally:
        assert daemon.stop() == 0
    assert token not in daemon.text()
    assert daemon_env["NEO4J_PASSWORD"] not in daemon.text()


def test_daemon_survives_neo4j_restart(
    graph: Graph,
    simulator: SimulatorServer,
    settings: Settings,
    daemon_env: dict[str, str],
    tmp_path: Path,
    neo4j_auth: tuple[str, str, str],
) -> None:
    """Neo4j stopped mid-run and started again: failures, then convergence, no duplicates."""
    # The local server of NEO4J_VERSION on NEO4J_BOLT_PORT, the one `make neo4j` starts.
    script = ROOT / "deploy" / "neo4j" / "local-neo4j.sh"
    local = subprocess.run([str(script), "env"], capture_output=True, text=True).stdout
    if f"NEO4J_URI={neo4j_auth[0]} " not in local:
        version = subprocess.run([str(script), "version"], capture_output=True, text=True).stdout
        pytest.fail(
            "this test stops and restarts Neo4j: it needs the local server `make neo4j` starts "
            f"for NEO4J_VERSION={version.strip()} and NEO4J_BOLT_PORT "
            f"({local.split()[1]}), not {neo4j_auth[0]}",
            pytrace=False,
        )
    port = free_port()
    cfg = tmp_path / "okrsync.toml"
    cfg.write_text(config_text(settings, port))
    env = {k: v for k, v in daemon_env.items() if k != "NOTIFY_SOCKET"}
    daemon = DaemonProcess(["run", "--config", str(cfg)], env)
    plain = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    try:
        wait_for(lambda: healthz(port)[0] == 200, timeout=60, what="healthy")
        subprocess.run([str(script), "stop"], env=plain, check=True, capture_output=True)
        simulator.sim.mutate(lambda o: o.evolve(20))
        wait_for(
            lambda: "Neo4j" in healthz(port)[1]["reason"],
            timeout=60,
            what=f"health naming Neo4j; daemon said: {daemon.text()[-1500:]}",
        )
        assert healthz(port)[0] == 503
        subprocess.run([str(script), "start"], env=plain, check=True, capture_output=True)
        # Bolt answers before the database is available, and the driver's last retry delay
        # before giving up on a transaction can reach ~18 s: on a loaded 2-core machine the
        # server's own start took 62 s, so the daemon is given two minutes after it.
        try:
            wait_for(lambda: healthz(port)[0] == 200, timeout=120, what="healthy after restart")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; daemon said: {daemon.text()[-3000:]}") from None
        wait_for(lambda: mirrored(graph, simulator.url), what="converged after the restart")
        assert duplicate_keys(graph) == 0
    finally:
        assert daemon.stop() == 0
        subprocess.run([str(script), "start"], env=plain, capture_output=True)
    assert "Traceback" not in daemon.text()


def test_routing_uri_works_and_tls_against_plain_server_fails_cleanly(
    settings: Settings, graph: Graph, cli_env: dict[str, str]
) -> None:
    """neo4j:// (routing, as for clusters) syncs; bolt+s:// to a plain server is one clear line."""
    routed = {**cli_env, "NEO4J_URI": with_scheme(settings.neo4j_uri, "neo4j")}
    ok = subprocess.run(
        [os.sys.executable, "-m", "okrsync.cli", "sync"],
        env=routed,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert counts(graph)["Objective"] == 60
    tls = {**cli_env, "NEO4J_URI": with_scheme(settings.neo4j_uri, "bolt+s")}
    bad = subprocess.run(
        [os.sys.executable, "-m", "okrsync.cli", "sync"],
        env=tls,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines()[-1].startswith("okrsync: Neo4j is unreachable")
