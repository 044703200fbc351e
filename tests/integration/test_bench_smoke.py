"""The benchmark's smoke version (1k entities, one run, a short soak), so bench/ cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import neo4j

from tests.conftest import ROOT

FIGURES = (
    "initial_process_s",
    "initial_cycle_s",
    "defaults_process_s",
    "fetch_s",
    "noop_s",
    "rewrite_total_s",
    "change_s",
    "initial_rss_mb",
    "defaults_rss_mb",
    "noop_rss_mb",
)


def test_bench_runs_end_to_end(
    driver: neo4j.Driver, neo4j_auth: tuple[str, str, str], tmp_path: Path
) -> None:
    """Every figure is produced; the no-op cycle sent no statement and Neo4j counted no write;
    the reference wrote okrsync's very graph; the soak ran its cycles and drew them."""
    uri, user, password = neo4j_auth
    env = {**os.environ, "NEO4J_URI": uri, "NEO4J_USERNAME": user, "NEO4J_PASSWORD": password}
    out = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            *("--sizes", "1000", "--runs", "1", "--curve", ""),
            *("--soak-entities", "1000", "--soak-cycles", "22", "--soak-interval", "0.2"),
            # The tests share the server: no restart into a fresh store in the middle of them.
            "--no-fresh-store",
            *("--out", str(tmp_path / "results.md"), "--json", str(tmp_path / "results.json")),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text())
    (result,) = results["sizes"]
    assert results["curve"] == []
    assert 900 <= result["entities"] <= 1100
    assert result["noop_statements"] == 0
    assert result["noop_writes"] == {}
    # The reference wrote the very nodes, values and relationships okrsync wrote.
    assert result["reference_same_graph"] == "values"
    assert sorted(result["references"]) == [
        "one session, 2000-row batches (okrsync's)",
        "one session, 5000-row batches",
        "v1: a session per 10000-row batch",
    ]
    for key in FIGURES:
        assert result[key] > 0, key
    soak = results["soak"]
    assert [c["number"] for c in soak["cycles"]] == list(range(1, 23))
    assert soak["cycles"][0]["mode"] == "load"
    assert all(c["rss_mb"] > 0 for c in soak["cycles"])
    assert (tmp_path / "soak.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (tmp_path / "results.md").read_text()
    assert "| **mirror only / (download + reference)**" in report
    assert "Targets (largest full size" in report
    assert "## Cost curve" in report and "![RSS and cycle time per cycle](soak.png)" in report
