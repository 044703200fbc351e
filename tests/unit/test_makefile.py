"""Issue 22: the Makefile's ports are variables a newcomer can set, not literals."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_simulate_serves_on_sim_port() -> None:
    """`make simulate SIM_PORT=8123` runs the simulator on 8123; 8089 stays the default."""

    def recipe(*args: str) -> str:
        dry = subprocess.run(
            ["make", "-n", "simulate", *args], cwd=ROOT, capture_output=True, text=True, check=True
        )
        return dry.stdout.splitlines()[-1]

    assert recipe("SIM_PORT=8123") == ".venv/bin/okrsync simulate --port 8123"
    assert recipe() == ".venv/bin/okrsync simulate --port 8089"
