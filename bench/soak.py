"""The soak: `okrsync run` for hundreds of cycles against an organisation that keeps changing,
with the settings users run plus comments (check-ins, comments and the journal on), its resident
set and cycle time read after every cycle, and drawn."""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from procs import ENTITIES_PER_OBJECTIVE, Simulator, okrsync_env


@dataclass
class Cycle:
    number: int
    seconds: float  # the cycle's own wall time, from its sync.completed line
    mode: str
    rss_mb: float  # the daemon's resident set just after the cycle
    entities: int  # objectives and key results mirrored (the org grows: creates outnumber deletes)


@dataclass
class Soak:
    entities: int
    churn: int  # changes the simulator makes every 2 s
    cycles: list[Cycle] = field(default_factory=list)
    failed: int = 0  # sync.failed lines
    changes: int = 0  # changes the simulator made meanwhile
    wall_s: float = 0.0

    def rss_ratio(self) -> float:
        """RSS after the last cycle over RSS after cycle 10."""
        return self.cycles[-1].rss_mb / self.cycles[9].rss_mb

    def time_ratio(self) -> float:
        """Median cycle time of the last 10 % of cycles over that of cycles 10-20."""
        early = [c.seconds for c in self.cycles[9:20]]
        late = [c.seconds for c in self.cycles[-max(1, len(self.cycles) // 10) :]]
        return statistics.median(late) / statistics.median(early)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _events(stream: IO[str]) -> Any:
    for line in stream:
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            continue  # not a log line (a warning printed by a library)


def run_soak(
    entities: int, cycles: int, interval: float, churn: int, log: Any, state: Path | None = None
) -> Soak:
    """`okrsync run` until `cycles` cycles completed; the simulator changes `churn` things every
    2 s. The daemon logs JSON lines (its stderr is no terminal); each sync.completed is a cycle."""
    soak = Soak(entities, churn)
    objectives = max(10, round(entities / ENTITIES_PER_OBJECTIVE))
    started = time.monotonic()
    with (
        Simulator(objectives, churn=churn, churn_interval=2.0) as sim,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = {
            "OKRSYNC_INTERVAL": str(interval),
            "OKRSYNC_COMMENTS": "true",
            "OKRSYNC_LOG_LEVEL": "info",
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "okrsync.cli", "run"],
            env=okrsync_env(sim, state or Path(tmp), settings),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        try:
            for event in _events(proc.stderr):
                if event.get("event") == "sync.failed":
                    soak.failed += 1
                if event.get("event") != "sync.completed":
                    continue
                cycle = Cycle(
                    len(soak.cycles) + 1,
                    float(event["seconds"]["total"]),
                    str(event["mode"]),
                    _rss_mb(proc.pid),
                    sum(event["entities"].get(k, 0) for k in ("Objective", "KeyResult")),
                )
                soak.cycles.append(cycle)
                if cycle.number % 50 == 0:
                    log(
                        f"    soak cycle {cycle.number}: {cycle.seconds:.2f}s, "
                        f"RSS {cycle.rss_mb:.0f} MB"
                    )
                if len(soak.cycles) >= cycles:
                    break
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
        soak.changes = int(sim.stats().get("generation", 0)) * churn
    soak.wall_s = time.monotonic() - started
    if len(soak.cycles) < cycles:
        raise RuntimeError(f"the soak's daemon stopped after {len(soak.cycles)} cycles")
    return soak


def plot(soak: Soak, out: Path) -> None:
    """RSS and cycle time per cycle, one panel each; reconcile and load cycles marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    numbers = [c.number for c in soak.cycles]
    fig, (rss, secs) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    rss.plot(numbers, [c.rss_mb for c in soak.cycles], color="tab:blue", linewidth=1)
    rss.set_ylabel("RSS after the cycle, MB")
    rss.set_ylim(bottom=0)
    rss.grid(alpha=0.3)
    incremental = [c for c in soak.cycles if c.mode == "incremental"]
    other = [c for c in soak.cycles if c.mode != "incremental"]
    secs.plot(
        [c.number for c in incremental],
        [c.seconds for c in incremental],
        ".",
        markersize=3,
        color="tab:green",
        label="incremental",
    )
    secs.plot(
        [c.number for c in other],
        [c.seconds for c in other],
        "x",
        markersize=4,
        color="tab:red",
        label="load / reconcile (every 12th)",
    )
    secs.set_yscale("log")
    secs.set_ylabel("cycle time, s")
    secs.set_xlabel("cycle")
    secs.grid(alpha=0.3)
    secs.legend(loc="upper right")
    fig.suptitle(
        f"okrsync run, {soak.entities} entities, {len(soak.cycles)} cycles, "
        f"{soak.changes} simulator changes (check-ins, comments, journal on)"
    )
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
