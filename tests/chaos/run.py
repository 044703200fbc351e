"""Chaos and soak: the real daemon, the real Neo4j and the simulator, with faults thrown at them
on a seeded schedule; at the end the graph must equal the source, exactly.

    python -m tests.chaos.run --duration 300 --seed 7        # make chaos
    python -m tests.chaos.run --duration 45 --seed 3         # the short version in make test

Each step injects one fault, holds it, ends it, and measures how long the graph then stays
stale (until it equals the simulator's org again). Needs the local Neo4j (`make neo4j`).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from okrsync import log
from okrsync.api import OkrApiClient
from okrsync.graph import Graph, Mirror
from okrsync.testing import TEST_ORG, fetch_snapshot, run_tool, to_graph, wipe
from okrsync.transform import GraphState
from tests.helpers import DaemonProcess, duplicate_keys, free_port

ROOT = Path(__file__).resolve().parents[2]
NEO4J_SCRIPT = ROOT / "deploy" / "neo4j" / "local-neo4j.sh"
TOKEN = "chaos-token-4f1b9e"
KINDS = (
    "kill9_mid_write",
    "neo4j_restart",
    "api_429_storm",
    "api_500s",
    "api_slow",
    "api_truncated",
    "api_html",
    "api_revoked_token",
    "empty_tenant",
    "state_deleted",
    "state_corrupted",
    "drift_node_deleted",
    "drift_property_changed",
    "config_broken",
)


@dataclass
class Report:
    seed: int
    duration: float = 0.0
    faults: Counter[str] = field(default_factory=Counter)
    stale_after: dict[str, float] = field(default_factory=dict)
    daemon_starts: int = 0
    cycles_ok: int = 0
    cycles_failed: int = 0
    guard_held: bool | None = None
    equal: bool = False
    differences: list[str] = field(default_factory=list)
    duplicates: int = -1
    secrets_in_logs: int = -1

    def text(self) -> str:
        worst = max(self.stale_after.items(), key=lambda kv: kv[1], default=("-", 0.0))
        lines = [
            f"chaos run, seed {self.seed}: {self.duration:.0f}s",
            f"faults injected ({sum(self.faults.values())}): "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items())),
            f"daemon processes started: {self.daemon_starts}",
            f"cycles: {self.cycles_ok} succeeded, {self.cycles_failed} failed and recovered from",
            f"deletion guard held against the empty tenant: {self.guard_held}",
            f"longest stale time after a fault ended: {worst[1]:.1f}s ({worst[0]})",
            f"final graph equals source: {'yes' if self.equal else 'NO'}",
            f"duplicate keys: {self.duplicates}",
            f"log lines containing the API token or Neo4j password: {self.secrets_in_logs}",
        ]
        lines += [f"  difference: {d}" for d in self.differences[:10]]
        return "\n".join(lines)

    @property
    def passed(self) -> bool:
        return (
            self.equal
            and self.duplicates == 0
            and self.secrets_in_logs == 0
            and self.guard_held is not False
        )


class Chaos:
    def __init__(self, seed: int, objectives: int, workdir: Path) -> None:
        self.rng = random.Random(seed)
        self.report = Report(seed)
        self.workdir = workdir
        self.uri = os.environ["NEO4J_URI"]
        self.user = os.environ.get("NEO4J_USERNAME", "neo4j")
        self.password = os.environ["NEO4J_PASSWORD"]
        self.state_dir = workdir / "state"
        self.config = workdir / "okrsync.toml"
        self.port = free_port()
        self.sim_port = free_port()
        self.objectives = objectives
        self.sim: subprocess.Popen[str] | None = None
        self.daemon: DaemonProcess | None = None
        self.outputs: list[str] = []
        self.graph = Graph.connect(self.uri, self.user, self.password)
        self.mirror = Mirror(self.graph, TEST_ORG, 5000)

    # --- the parts -----------------------------------------------------------------------

    @property
    def sim_url(self) -> str:
        return f"http://127.0.0.1:{self.sim_port}"

    def start_simulator(self) -> None:
        self.sim = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "okrsync.cli",
                "simulate",
                "--port",
                str(self.sim_port),
                "--objectives",
                str(self.objectives),
                "--seed",
                str(self.report.seed),
                "--token",
                TOKEN,
            ],
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.wait(
            lambda: httpx.get(f"{self.sim_url}/_sim/stats", timeout=2).status_code == 200,
            60,
            "simulator up",
        )

    def control(self, path: str, body: dict[str, Any]) -> Any:
        return httpx.post(f"{self.sim_url}/_sim/{path}", json=body, timeout=30).json()

    def write_config(self, valid: bool = True) -> None:
        if not valid:
            self.config.write_text("interval = 'soon'\n[neo4j]\nuri = 42\n")
            return
        self.config.write_text(
            "\n".join(
                [
                    f'base_url = "{self.sim_url}"',
                    "interval = 1.0",
                    "jitter = 0.0",
                    f'http_listen = "127.0.0.1:{self.port}"',
                    "full_reconcile_every = 3",
                    "http_timeout = 3.0",
                    f'state_dir = "{self.state_dir}"',
                    "health_intervals = 5",
                    "[neo4j]",
                    f'uri = "{self.uri}"',
                    f'username = "{self.user}"',
                    "",
                ]
            )
        )

    def start_daemon(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OKRSYNC_", "NEO4J_"))}
        env.update(OKRSYNC_API_TOKEN=TOKEN, NEO4J_PASSWORD=self.password, OKRSYNC_ORG=TEST_ORG)
        self.daemon = DaemonProcess(["run", "--config", str(self.config)], env)
        self.report.daemon_starts += 1

    def stop_daemon(self, sig: int = signal.SIGTERM) -> None:
        if self.daemon is None:
            return
        if self.daemon.proc.poll() is None:
            self.daemon.proc.send_signal(sig)
        self.daemon.stop(timeout=40)
        self.outputs.extend(self.daemon.output)
        self.count_cycles(self.daemon)
        self.daemon = None

    def count_cycles(self, daemon: DaemonProcess) -> None:
        for event in daemon.events():
            if event.get("event") == "sync.completed":
                self.report.cycles_ok += 1
            elif event.get("event") == "sync.failed":
                self.report.cycles_failed += 1

    def neo4j(self, action: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
        subprocess.run([str(NEO4J_SCRIPT), action], env=env, check=True, capture_output=True)

    @staticmethod
    def wait(condition: Callable[[], Any], timeout: float, what: str) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            try:
                if condition():
                    return time.monotonic() - started
            except (httpx.HTTPError, OSError, ValueError, KeyError):
                pass
            time.sleep(0.3)
        raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")

    def source(self) -> GraphState:
        with OkrApiClient(self.sim_url, TOKEN, timeout=60) as client:
            state, _ = to_graph(fetch_snapshot(client))
        return state

    def differences(self) -> list[str]:
        held, wanted = self.mirror.read_state(), self.source()
        out = []
        for label, nodes in wanted.nodes.items():
            have = held.nodes.get(label, {})
            out += [f"missing {label} {i}" for i in sorted(nodes.keys() - have.keys())[:5]]
            out += [f"stale {label} {i}" for i in sorted(have.keys() - nodes.keys())[:5]]
            out += [
                f"{label} {i} differs: {sorted(set(have[i].items()) ^ set(p.items()))[:4]}"
                for i, p in nodes.items()
                if i in have and have[i] != p
            ][:5]
        out += [f"missing relationship {r}" for r in sorted(wanted.rels - held.rels)[:5]]
        out += [f"stale relationship {r}" for r in sorted(held.rels - wanted.rels)[:5]]
        return out

    def converge(self, fault: str, timeout: float = 90) -> None:
        """After a fault ended: how long until the graph equals the source again."""
        stale = self.wait(lambda: not self.differences(), timeout, f"convergence after {fault}")
        self.report.stale_after[fault] = max(stale, self.report.stale_after.get(fault, 0.0))

    def healthz(self) -> tuple[int, dict[str, Any]]:
        r = httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=3)
        return r.status_code, r.json()

    # --- the faults ----------------------------------------------------------------------

    def fault(self, kind: str) -> None:
        self.report.faults[kind] += 1
        self.control("evolve", {"changes": self.rng.randint(5, 40)})
        getattr(self, kind)()
        self.converge(kind)

    def kill9_mid_write(self) -> None:
        # Many changes make the next cycle write for a while; kill it while it does.
        self.control("evolve", {"changes": self.objectives * 2})
        assert self.daemon is not None
        marker = len(self.daemon.output)
        self.wait(
            lambda: (
                any(
                    '"event": "objective.' in line or "relationship." in line
                    for line in self.daemon.output[marker:]
                )
                if self.daemon
                else False
            ),
            60,
            "a write to start",
        )
        time.sleep(self.rng.uniform(0.0, 0.3))
        self.stop_daemon(signal.SIGKILL)
        self.start_daemon()

    def neo4j_restart(self) -> None:
        self.neo4j("stop")
        time.sleep(self.rng.uniform(2, 6))
        self.control("evolve", {"changes": 10})
        self.neo4j("start")

    def api_faults(self, faults: list[str], hold: float) -> None:
        self.control("faults", {"faults": faults})
        time.sleep(hold)
        self.control("controls", {"clear_faults": True})

    def api_429_storm(self) -> None:
        self.api_faults(["429"] * 40, 6)

    def api_500s(self) -> None:
        self.api_faults(["500", "502", "503"] * 8, 5)

    def api_slow(self) -> None:
        self.api_faults(["slow:5"] * 6, 12)

    def api_truncated(self) -> None:
        self.api_faults(["truncated"] * 4, 4)

    def api_html(self) -> None:
        self.api_faults(["html"] * 4, 4)

    def api_revoked_token(self) -> None:
        self.control("controls", {"token": "rotated-elsewhere"})
        self.wait(lambda: "401" in self.healthz()[1].get("reason", ""), 30, "health to show 401")
        self.control("controls", {"token": TOKEN})

    def empty_tenant(self) -> None:
        # Let the churn that fault() just made land first: a cycle still writing it when the
        # tenant empties would change the counts for a reason that is not the guard's.
        self.wait(lambda: not self.differences(), 90, "the churn to be mirrored")
        before = self.mirror.counts()
        self.control("controls", {"empty_tenant": True})
        self.wait(
            lambda: "refusing to delete" in self.healthz()[1].get("reason", ""),
            30,
            "health to report the refused cycle",
        )
        held = self.healthz()[0] == 503 and self.mirror.counts() == before
        self.report.guard_held = (
            held if self.report.guard_held is None else (self.report.guard_held and held)
        )
        self.control("controls", {"empty_tenant": False})

    def state_deleted(self) -> None:
        self.stop_daemon()
        (self.state_dir / "state.db").unlink(missing_ok=True)
        self.start_daemon()

    def state_corrupted(self) -> None:
        self.stop_daemon()
        path = self.state_dir / "state.db"
        data = path.read_bytes() if path.exists() else b"{}"
        path.write_bytes(data[: len(data) // 3] + b"\x00garbage")
        self.start_daemon()

    def drift_node_deleted(self) -> None:
        self._write("MATCH (o:Objective) WITH o LIMIT 1 DETACH DELETE o")

    def drift_property_changed(self) -> None:
        self._write("MATCH (k:KeyResult) WITH k LIMIT 3 SET k.name = 'edited by hand', k.x = 1")

    def _write(self, query: str) -> None:
        with self.graph.driver.session() as session:
            session.execute_write(lambda tx: tx.run(query).consume())

    def config_broken(self) -> None:
        assert self.daemon is not None
        before = self.daemon.event_names().count("config.reload_rejected")
        self.write_config(valid=False)
        self.wait(
            lambda: (
                self.daemon is not None
                and self.daemon.event_names().count("config.reload_rejected") > before
            ),
            30,
            "the broken config to be rejected",
        )
        self.write_config(valid=True)

    # --- the run -------------------------------------------------------------------------

    def run(self, duration: float, kinds: tuple[str, ...] = KINDS) -> Report:
        started = time.monotonic()
        wipe(self.graph)
        self.write_config()
        self.start_simulator()
        self.start_daemon()
        try:
            self.converge("start", timeout=120)
            schedule = list(kinds)  # every kind at least once, in a seeded order
            self.rng.shuffle(schedule)
            while True:
                kind = schedule.pop(0) if schedule else self.rng.choice(kinds)
                print(
                    f"chaos: {time.monotonic() - started:5.0f}s {kind}", file=sys.stderr, flush=True
                )
                self.fault(kind)
                if not schedule and time.monotonic() - started > duration:
                    break
            # The faults are over: one clean cycle, then the verdict.
            self.control("evolve", {"changes": 20})
            self.converge("final")
            self.report.differences = self.differences()
            self.report.equal = not self.report.differences
            self.report.duplicates = duplicate_keys(self.graph)
        finally:
            self.stop_daemon()
            if self.sim is not None:
                self.sim.terminate()
                self.sim.wait(10)
            self.neo4j("start")
            self.graph.close()
        secrets = (TOKEN, self.password)
        self.report.secrets_in_logs = sum(
            1 for line in self.outputs if any(s in line for s in secrets)
        )
        self.report.duration = time.monotonic() - started
        return self.report


def parse_summary(text: str) -> dict[str, str]:
    """The summary's 'key: value' lines, for the test that runs the short version."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^([^:\n]+): (.*)$", text, re.M)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=300.0, help="seconds (default 300)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--objectives", type=int, default=300)
    parser.add_argument(
        "--kinds", default=",".join(KINDS), help="comma-separated fault kinds (default: all)"
    )
    parser.add_argument("--out", type=Path, help="also write the summary here (RESULTS.md)")
    args = parser.parse_args()
    kinds = tuple(k for k in args.kinds.split(",") if k)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        parser.error(f"unknown fault kinds: {', '.join(sorted(unknown))}")
    log.configure("warning")
    with tempfile.TemporaryDirectory() as tmp:
        report = Chaos(args.seed, args.objectives, Path(tmp)).run(args.duration, kinds)
    summary = report.text()
    print(summary)
    if args.out:
        args.out.write_text(
            "# Chaos run summary\n\n`python -m tests.chaos.run "
            f"--duration {args.duration:g} --seed {args.seed} --objectives "
            f"{args.objectives}`\n\n```\n{summary}\n```\n"
        )
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(run_tool(main))
