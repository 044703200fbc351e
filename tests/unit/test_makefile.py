"""Issue 22: the Makefile's ports are variables a newcomer can set, not literals."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_simulate_serves_on_sim_port() -> None:
    """`make simulate SIM_PORT=8123` runs the simulator on 8123; 8089 stays the default."""

    def recipe(*args: str) -> str:
        # Under `make test` the outer make's flags and level would leak into this one.
        env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
        dry = subprocess.run(
            ["make", "-n", "--no-print-directory", "simulate", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return dry.stdout.splitlines()[-1]

    assert recipe("SIM_PORT=8123") == ".venv/bin/okrsync simulate --port 8123"
    assert recipe() == ".venv/bin/okrsync simulate --port 8089"
