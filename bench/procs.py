"""The processes the benchmark runs: the simulator, `okrsync sync` and `okrsync run`, each its
own process, so okrsync's timings hold nothing of the benchmark's and its peak RSS is its own."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from okrsync.api import (
    KEY_RESULT_EXPAND,
    KEY_RESULTS_BY_DATE,
    OBJECTIVE_EXPAND,
    OBJECTIVES_BY_DATE,
    window_params,
)
from okrsync.testing import TEST_ORG

ORG = TEST_ORG  # the organisation the bench mirrors (OKRSYNC_ORG of its okrsync processes)
# The mirror alone, as the reference writes it: no check-in feed, no change journal.
MIRROR_ONLY = {"OKRSYNC_CHECKINS": "false", "OKRSYNC_JOURNAL": "false"}
DEFAULTS: dict[str, str] = {}  # what a user runs: check-ins and the journal on
ENTITIES_PER_OBJECTIVE = 3.5  # the simulator gives each objective 1-4 key results


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Simulator:
    objectives: int
    seed: int = 1
    churn: int = 0  # random changes the simulator makes itself every churn_interval seconds
    churn_interval: float = 2.0
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Simulator:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "okrsync.cli",
                "simulate",
                "--port",
                str(self.port),
                "--objectives",
                str(self.objectives),
                "--seed",
                str(self.seed),
                "--churn",
                str(self.churn),
                "--churn-interval",
                str(self.churn_interval),
            ],
            stderr=subprocess.DEVNULL,
            text=True,
        )
        deadline = time.monotonic() + 300
        while True:
            try:
                httpx.get(f"{self.url}/_sim/stats", timeout=5)
                return self
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the simulator did not start") from None
                time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(30)

    def evolve(self, changes: int) -> None:
        httpx.post(f"{self.url}/_sim/evolve", json={"changes": changes}, timeout=120)

    def stats(self) -> dict[str, Any]:
        answer: dict[str, Any] = httpx.get(f"{self.url}/_sim/stats", timeout=30).json()
        return answer

    def fetch_seconds(self) -> float:
        """The two export answers a cycle reads (objectives by date with their key results,
        then key results by date), downloaded whole and not parsed: the reference's fetch."""
        window = window_params(0, 4_102_444_800_000, OBJECTIVE_EXPAND)
        started = time.monotonic()
        with httpx.Client(base_url=self.url, headers={"API-Token": "bench"}, timeout=600) as c:
            for path, expand in (
                (OBJECTIVES_BY_DATE, OBJECTIVE_EXPAND),
                (KEY_RESULTS_BY_DATE, KEY_RESULT_EXPAND),
            ):
                c.get(path, params={**window, "expand": ",".join(expand)}).raise_for_status()
        return time.monotonic() - started


@dataclass
class SyncRun:
    process_seconds: float  # the whole `okrsync sync` process: start-up, imports, connecting
    summary: dict[str, Any]
    max_rss_mb: float

    @property
    def seconds(self) -> float:
        """The cycle's own wall time, from its summary: what a running daemon pays a cycle."""
        return float(self.summary["seconds"]["total"])


class PeakRss(threading.Thread):
    """A process's peak resident set, read from /proc/<pid>/status (VmHWM) until it exits.

    Not wait4's ru_maxrss: Linux carries the parent's high-water mark into a child at exec
    (fork and vfork alike), so every child of this benchmark, which holds a 100k-entity target
    graph, reported the benchmark's own ~500 MB. VmHWM belongs to the exec'd image alone."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.path = Path(f"/proc/{pid}/status")
        self.kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.01):
            try:
                status = self.path.read_text()
            except OSError:
                return  # gone
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.kb = max(self.kb, int(line.split()[1]))

    def stop(self) -> float:
        self.done.set()
        self.join()
        return self.kb / 1024


def okrsync_env(sim: Simulator, state_dir: Path, settings: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "OKRSYNC_BASE_URL": sim.url,
        "OKRSYNC_API_TOKEN": "bench",
        "OKRSYNC_STATE_DIR": str(state_dir),
        "OKRSYNC_ORG": ORG,
        "OKRSYNC_LOG_LEVEL": "warning",
        "OKRSYNC_HTTP_TIMEOUT": "600",
        # A 300k-entity export is ~300 MB, past the defaults' limits for one answer.
        "OKRSYNC_HTTP_DEADLINE": "1800",
        "OKRSYNC_MAX_ANSWER_MIB": "2048",
        "OKRSYNC_MAX_DELETE_FRACTION": "0.99",  # the bench never wants a refusal
        **settings,
    }


def okrsync_sync(sim: Simulator, state_dir: Path, settings: dict[str, str]) -> SyncRun:
    """One `okrsync sync` process; wall time, its JSON summary and its own peak RSS."""
    run_env = okrsync_env(sim, state_dir, settings)
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "okrsync.cli", "sync"],
            env=run_env,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        rss = PeakRss(proc.pid)
        rss.start()
        out, _ = proc.communicate()
        seconds = time.monotonic() - started
        peak_mb = rss.stop()
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"okrsync sync failed ({proc.returncode}): {err.read()[-500:]}")
    if not peak_mb:
        raise RuntimeError("could not read the peak RSS of okrsync from /proc")
    return SyncRun(seconds, json.loads(out.strip().splitlines()[-1]), peak_mb)
