"""Issue 22: `make neo4j` in a shell without NEO4J_BOLT_PORT, while this version's server runs
on other ports, must say so, not "already running": the status compares the ports it hands out.
Checked on a stand-in process (no server is started or stopped, no port is touched)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "neo4j" / "local-neo4j.sh"
RUNNING = ("27704", "27494")  # the ports the stand-in "server" was started with


@pytest.fixture
def local_dir(tmp_path: Path) -> Iterator[tuple[Path, str, int]]:
    """A NEO4J_LOCAL_DIR where this version's server (a sleeping stand-in whose command line
    names its home, as the script checks) runs on RUNNING's ports."""
    version = subprocess.run(
        [str(SCRIPT), "version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    home = tmp_path / version / "home"
    (home / "run").mkdir(parents=True)
    stand_in = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)", f"--home-dir={home}"]
    )
    (home / "run" / "neo4j.pid").write_text(f"{stand_in.pid}\n")
    (home / "run" / "neo4j.ports").write_text(" ".join(RUNNING) + "\n")
    yield tmp_path, version, stand_in.pid
    stand_in.kill()
    stand_in.wait()


def script(local: Path, command: str, **ports: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(
        NEO4J_LOCAL_DIR=str(local), OKRSYNC_NEO4J_NO_DOCKER="1", NEO4J_START_TIMEOUT="2", **ports
    )
    return subprocess.run(
        [str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=60
    )


def test_start_on_default_ports_names_the_running_servers_ports(
    local_dir: tuple[Path, str, int],
) -> None:
    """Exit 1 and one line: which ports it runs on, and how to use or stop it."""
    local, version, pid = local_dir
    started = script(local, "start")
    assert started.returncode == 1
    assert started.stderr.splitlines() == [
        f"neo4j: Neo4j {version} already runs (pid {pid}) on bolt/http ports 27704/27494, not"
        " 7687/7474: use NEO4J_BOLT_PORT=27704 NEO4J_HTTP_PORT=27494, or stop it first"
        f" (make neo4j-stop NEO4J_VERSION={version})"
    ]


def test_status_is_false_for_other_ports(local_dir: tuple[Path, str, int]) -> None:
    """`status` with the default ports is not the server on 27704/27494."""
    local, _, _ = local_dir
    assert script(local, "status").returncode == 1
