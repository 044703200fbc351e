"""One writer per organisation per database, enforced in the graph by a lease: a second okrsync
is a hot standby that takes over when the active one dies, and a holder that lost the lease can
never write again."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import neo4j
import pytest

from okrsync.config import Settings
from okrsync.errors import LeaseLost
from okrsync.graph import Graph, WriteStats
from okrsync.graph.lease import Lease
from okrsync.simulator import SimulatorServer
from tests.helpers import DaemonProcess, free_port, mirrored, wait_for


def test_the_lease_goes_to_one_holder_and_fences_the_one_that_lost_it(
    graph: Graph, driver: neo4j.Driver
) -> None:
    """A takes it; B is refused while it lives; once it expires B takes it, and A's next write
    is refused before it writes anything; a release hands it over at once."""
    a = Lease(graph, "okrsync-test-acme", ttl=1.0, holder="host-a:1:aa")
    b_graph = Graph(driver)
    b = Lease(b_graph, "okrsync-test-acme", ttl=1.0, holder="host-b:2:bb")
    first = a.acquire()
    assert (first.granted, first.taken, first.holder) == (True, True, "host-a:1:aa")
    refused = b.acquire()
    assert (refused.granted, refused.holder) == (False, "host-a:1:aa")
    again = a.acquire()
    assert (again.granted, again.taken) == (True, False)
    stats = WriteStats()
    graph.write("CREATE (:LeaseProbe {by: 'a'})", stats)  # fenced: A holds it
    assert stats.counters["nodes_created"] == 1
    time.sleep(1.3)
    assert b.acquire().taken
    with pytest.raises(LeaseLost):
        graph.write("CREATE (:LeaseProbe {by: 'a, too late'})")
    probes = graph.read("MATCH (p:LeaseProbe) RETURN p.by AS by")
    assert probes == [{"by": "a"}]
    b.release()
    assert a.acquire().taken
    other_org = Lease(b_graph, "okrsync-test-globex", ttl=1.0, holder="host-b:2:bb")
    assert other_org.acquire().granted  # organisations have a lease each


def test_a_one_shot_sync_refuses_while_another_holds_the_lease(
    graph: Graph, cli_env: dict[str, str], settings: Settings
) -> None:
    """okrsync sync while a live lease is another's: exit 1, one line naming the holder."""
    Lease(graph, settings.org, ttl=60.0, holder="host-a:1:aa").acquire()
    out = subprocess.run(
        [sys.executable, "-m", "okrsync.cli", "sync"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith("okrsync: organisation 'okrsync-test' is being written by host-a:1:aa")
    assert graph.read("MATCH (n:Objective) RETURN count(n) AS n") == [{"n": 0}]


def run_config(settings: Settings, state: Path, port: int, interval: float) -> str:
    return "\n".join(
        [
            f'base_url = "{settings.base_url}"',
            f"interval = {interval}",
            "jitter = 0.0",
            f'http_listen = "127.0.0.1:{port}"',
            f'state_dir = "{state}"',
            "[neo4j]",
            f'uri = "{settings.neo4j_uri}"',
            f'username = "{settings.neo4j_username}"',
        ]
    )


def role(port: int) -> str:
    return str(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["role"])


def test_a_standby_takes_over_after_kill_9_and_the_two_never_write_at_once(
    graph: Graph,
    simulator: SimulatorServer,
    settings: Settings,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """Two `okrsync run` for one organisation (other state dirs, as on two hosts): one is
    active, the other says standby; kill -9 of the active one: the standby takes over within
    about two intervals, reconciles with its stale state and follows the org; the journal's
    runs never overlap."""
    interval = 3.0
    env = {k: v for k, v in cli_env.items() if k not in ("OKRSYNC_BASE_URL", "NEO4J_URI")}
    env.pop("OKRSYNC_STATE_DIR")
    daemons = []
    ports = [free_port(), free_port()]
    for name, port in zip(("a", "b"), ports, strict=True):
        cfg = tmp_path / f"{name}.toml"
        cfg.write_text(run_config(settings, tmp_path / f"state-{name}", port, interval))
        daemons.append(DaemonProcess(["run", "--config", str(cfg)], env))
        if name == "a":
            wait_for(lambda: role(ports[0]) == "active", what="a active")
    a, b = daemons
    try:
        wait_for(lambda: role(ports[1]) == "standby", what="b standby")
        health = httpx.get(f"http://127.0.0.1:{ports[1]}/healthz", timeout=5)
        assert health.status_code == 200 and "standby" in health.json()["reason"]
        simulator.sim.mutate(lambda o: o.evolve(20))
        wait_for(lambda: mirrored(graph, simulator.url), what="a follows the org")
        a.proc.send_signal(signal.SIGKILL)
        killed = datetime.now(UTC)
        taken = wait_for(
            lambda: [e for e in b.events() if e.get("event") == "lease.taken"],
            timeout=30,
            what="b takes the lease",
        )
        takeover = (datetime.fromisoformat(taken[0]["timestamp"]) - killed).total_seconds()
        wait_for(lambda: role(ports[1]) == "active", timeout=30, what="b active")
        simulator.sim.mutate(lambda o: o.evolve(20))
        wait_for(lambda: mirrored(graph, simulator.url), what="b follows the org")
        assert 0 < takeover <= 2 * interval, takeover
    finally:
        for d in daemons:
            if d.proc.poll() is None:
                d.stop()
    runs = graph.read(
        "MATCH (r:SyncRun) RETURN r.writer AS writer, r.startedAt AS s, r.finishedAt AS f "
        "ORDER BY r.startedAt"
    )
    assert len({r["writer"] for r in runs}) == 2  # both wrote, one after the other
    for earlier, later in itertools.pairwise(runs):
        assert earlier["f"] <= later["s"], (earlier, later)
    print(f"takeover after kill -9: {takeover:.1f}s (interval {interval}s)", file=sys.stderr)


def test_holders_asking_at_once_for_an_expired_lease_get_it_one_at_a_time(
    graph: Graph, driver: neo4j.Driver
) -> None:
    """Eight holders race for one expired lease: exactly one is granted (the lease locks before
    it reads, so nobody decides on a stale holder)."""
    Lease(graph, "okrsync-test-acme", ttl=1.0, holder="old:0:00").acquire()
    time.sleep(1.2)
    contenders = [
        Lease(Graph(driver), "okrsync-test-acme", ttl=30.0, holder=f"h{i}:{i}:{i}")
        for i in range(8)
    ]
    barrier = threading.Barrier(len(contenders))
    granted: list[bool] = []

    def ask(lease: Lease) -> None:
        barrier.wait()
        granted.append(lease.acquire().granted)

    threads = [threading.Thread(target=ask, args=(lease,)) for lease in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(granted) == [False] * 7 + [True]
