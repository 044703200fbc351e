"""Issue 22: output piped into a reader that stops early (`okrsync query team_progress | head -4`)
ends the command quietly with exit status 141 (128 + SIGPIPE, as coreutils end), never a
BrokenPipeError traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from okrsync.graph import Graph

READER_GONE = 141


def with_reader_gone(
    env: dict[str, str], cwd: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """okrsync with its standard output a pipe whose reader has already closed it: the first
    write fails, as it does once `head` has read its lines (without the race of a real head)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "okrsync.cli", *args],
            env=env,
            cwd=cwd,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args",
    [
        ["query", "--list"],
        ["query", "team_progress"],
        ["query", "team_progress", "--json"],
        ["sync", "--dry-run", "--full"],
        ["sync"],
        ["check"],
        ["schema"],
    ],
    ids=" ".join,
)
def test_every_printing_command_stops_quietly(
    graph: Graph, cli_env: dict[str, str], tmp_path: Path, args: list[str]
) -> None:
    """Exit 141, and nothing about a broken pipe on stderr."""
    out = with_reader_gone(cli_env, tmp_path, *args)
    assert out.returncode == READER_GONE, out.stderr
    assert "Traceback" not in out.stderr
    assert "BrokenPipe" not in out.stderr and "Broken pipe" not in out.stderr


def test_report_stops_quietly_after_writing_its_page(
    graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """The page is written before the line saying so is lost."""
    synced = subprocess.run(
        [sys.executable, "-m", "okrsync.cli", "sync"], env=cli_env, capture_output=True, timeout=120
    )
    assert synced.returncode == 0, synced.stderr
    period = graph.read("MATCH (p:Period) RETURN p.name AS name ORDER BY name LIMIT 1")[0]["name"]
    out = with_reader_gone(cli_env, tmp_path, "report", "--period", period, "--out", "r.html")
    assert out.returncode == READER_GONE, out.stderr
    assert "Traceback" not in out.stderr
    assert (tmp_path / "r.html").read_text().startswith("<!doctype html>")


def test_a_reader_that_stays_sees_everything(cli_env: dict[str, str], tmp_path: Path) -> None:
    """The ordinary case is untouched: exit 0, the whole output."""
    out = subprocess.run(
        [sys.executable, "-m", "okrsync.cli", "query", "--list"],
        env=cli_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0
    assert out.stdout.splitlines()[0] == "at_risk                  What is at risk"
