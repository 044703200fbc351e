"""Progress of a first load: on a terminal `okrsync sync` draws entities fetched and rows
written, with rate and time left; piped, nothing of it appears and stderr stays JSON lines."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from okrsync.graph import Graph
from okrsync.simulator import SimulatorServer

pytestmark = pytest.mark.integration

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


def on_a_terminal(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str]:
    """okrsync with stdout and stderr a pseudo-terminal; its exit code and what it drew."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "okrsync.cli", *args],
        env={**env, "COLUMNS": "160", "TERM": "xterm"},
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the last writer has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def summary_of(text: str) -> dict[str, object]:
    line = next(ln for ln in text.splitlines() if ln.startswith("{") and '"mode"' in ln)
    summary: dict[str, object] = json.loads(line)
    return summary


def test_a_first_load_on_a_terminal_shows_its_progress(
    graph: Graph, cli_env: dict[str, str], simulator: SimulatorServer, tmp_path: Path
) -> None:
    """Both bars end complete: every entity fetched, every node and relationship written."""
    code, drawn = on_a_terminal(cli_env, tmp_path, "sync")
    text = ANSI.sub("", drawn)
    assert code == 0, text
    summary = summary_of(text)
    assert summary["mode"] == "load"
    entities = len(simulator.org.objectives) + len(simulator.org.key_results)
    rows = int(summary["created"]) + int(summary["linked"])  # type: ignore[call-overload]
    assert re.search(rf"first load: entities fetched .* {entities}/{entities} ", text), text
    assert re.search(rf"first load: rows written .* {rows}/{rows} ", text), text
    assert re.search(r"entities fetched .* [\d,]+/s ", text), text  # the rate
    assert "left" in text


def test_piped_there_is_no_progress_and_stderr_stays_json(
    graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """The same first load piped: stderr is JSON lines only, and no bar anywhere."""
    out = subprocess.run(
        [sys.executable, "-m", "okrsync.cli", "sync"],
        env={**cli_env, "COLUMNS": "160"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1])["mode"] == "load"
    lines = out.stderr.splitlines()
    assert lines, "a first load logs its batches"
    assert [json.loads(line)["event"] for line in lines if line]  # every line is JSON
    for text in (out.stdout, out.stderr):
        assert "entities fetched" not in text
        assert "rows written" not in text
        assert "\x1b[" not in text
