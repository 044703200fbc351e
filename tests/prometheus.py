"""Prometheus's own tools for the tests: promtool and the server, from Debian's `prometheus`
package (.ci/run installs it). A missing one fails the test with one line saying how to get it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "deploy" / "prometheus" / "okrsync.rules.yml"
INSTALL = "apt-get install prometheus (.ci/run does)"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not on PATH: {INSTALL}", pytrace=False)
    return found


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool("promtool"), *args], capture_output=True, text=True, timeout=120)
