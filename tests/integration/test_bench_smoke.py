"""The benchmark's smoke version (1k entities, one run), so bench/run.py cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import neo4j

from tests.conftest import ROOT


def test_bench_runs_end_to_end(
    driver: neo4j.Driver, neo4j_auth: tuple[str, str, str], tmp_path: Path
) -> None:
    """Every figure is produced; the no-op cycle sent no statement and Neo4j counted no write."""
    uri, user, password = neo4j_auth
    env = {**os.environ, "NEO4J_URI": uri, "NEO4J_USERNAME": user, "NEO4J_PASSWORD": password}
    out = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--sizes",
            "1000",
            "--runs",
            "1",
            "--out",
            str(tmp_path / "results.md"),
            "--json",
            str(tmp_path / "results.json"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    (result,) = json.loads((tmp_path / "results.json").read_text())
    assert 900 <= result["entities"] <= 1100
    assert result["noop_statements"] == 0
    # The reference wrote the very nodes, values and relationships okrsync wrote.
    assert result["reference_same_graph"] == "values"
    assert result["noop_writes"] == [{}]
    for key in (
        "initial_s",
        "reference_s",
        "naive_ms_per_entity",
        "noop_s",
        "rewrite_total_s",
        "change_s",
        "peak_rss_mb",
    ):
        assert result[key] > 0, key
    report = (tmp_path / "results.md").read_text()
    assert "| **initial / reference**" in report and "Targets (largest size" in report
