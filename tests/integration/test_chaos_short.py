"""The short chaos run: a subset of faults against the real daemon, Neo4j and simulator."""

from __future__ import annotations

import os
import subprocess
import sys

import neo4j

from tests.chaos.run import parse_summary
from tests.conftest import ROOT

SHORT = (
    "kill9_mid_write,empty_tenant,api_429_storm,api_truncated,state_corrupted,"
    "drift_property_changed,drift_node_deleted,config_broken"
)


def test_short_chaos_run_converges(driver: neo4j.Driver, neo4j_auth: tuple[str, str, str]) -> None:
    """Every fault of the short list, then: equal graph, no duplicates, no secret in any log."""
    uri, user, password = neo4j_auth
    env = {**os.environ, "NEO4J_URI": uri, "NEO4J_USERNAME": user, "NEO4J_PASSWORD": password}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.chaos.run",
            "--duration",
            "0",
            "--seed",
            "3",
            "--objectives",
            "150",
            "--kinds",
            SHORT,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    summary = parse_summary(out.stdout)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert summary["final graph equals source"] == "yes"
    assert summary["duplicate keys"] == "0"
    assert summary["log lines containing the API token or Neo4j password"] == "0"
    assert summary["deletion guard held against the empty tenant"] == "True"
    injected = summary[next(k for k in summary if k.startswith("faults injected"))]
    assert all(f"{kind} 1" in injected for kind in SHORT.split(","))
