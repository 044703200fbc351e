"""Issue 22: the deletion guard's refusal, through `okrsync sync` with no terminal, is said once
on stderr: the command's line (it was a log event and the same reason again)."""

from __future__ import annotations

import json
import subprocess
import sys

from okrsync.graph import Graph
from okrsync.simulator import SimulatorServer
from tests.helpers import read_state


def sync(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "okrsync.cli", "sync"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_refused_sync_says_so_in_one_line(
    graph: Graph, cli_env: dict[str, str], simulator: SimulatorServer
) -> None:
    """Exit 3; one line on stderr gives the refusal, its numbers and what to do; the only log
    events are the lease's, taken and given back."""
    assert sync(cli_env).returncode == 0
    mirrored = sum(len(nodes) for nodes in read_state(graph).nodes.values())
    simulator.sim.controls.empty_tenant = True
    out = sync(cli_env)
    assert out.returncode == 3
    lines = out.stderr.splitlines()
    said = [line for line in lines if not line.startswith("{")]
    assert said == [
        f"okrsync: refusing to delete {mirrored} of the {mirrored} nodes this organisation"
        " mirrors (more than 50%); nothing was written. Likely causes, most likely first: the"
        " API answered an empty tenant (wrong region or base URL), the token's user lost"
        " access to projects, the date window now excludes most OKRs. Re-run with"
        " --allow-mass-delete if the deletion is real."
    ]
    events = [json.loads(line) for line in lines if line.startswith("{")]
    assert [(e["event"], e["level"]) for e in events] == [
        ("lease.taken", "info"),
        ("lease.released", "info"),
    ]
    assert out.stdout == ""
