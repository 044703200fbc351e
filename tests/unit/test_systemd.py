"""sd_notify over a real unix datagram socket, and the service unit's security exposure."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from okrsync.config import Settings
from okrsync.systemd import Notifier

ROOT = Path(__file__).resolve().parents[2]


def receive_all(sock: socket.socket) -> list[str]:
    sock.settimeout(0.5)
    out = []
    try:
        while True:
            out.append(sock.recv(4096).decode())
    except TimeoutError:
        return out


def test_notify_sends_ready_status_watchdog_stopping(tmp_path: Path) -> None:
    """READY=1, STATUS=, WATCHDOG=1 and STOPPING=1 arrive on $NOTIFY_SOCKET."""
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        n = Notifier({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "4000000"})
        assert n.watchdog_interval == 2.0
        n.ready("connected")
        n.status("last cycle ok")
        n.watchdog()
        n.stopping()
        assert receive_all(sock) == [
            "READY=1\nSTATUS=connected",
            "STATUS=last cycle ok",
            "WATCHDOG=1",
            "STOPPING=1\nSTATUS=stopping",
        ]


def test_abstract_socket_and_no_socket(tmp_path: Path) -> None:
    """'@name' means the abstract namespace; without NOTIFY_SOCKET nothing is sent."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(f"\0okrsync-test-{tmp_path.name}")
        Notifier({"NOTIFY_SOCKET": f"@okrsync-test-{tmp_path.name}"}).ready("x")
        assert receive_all(sock) == ["READY=1\nSTATUS=x"]
    assert Notifier({}).send("READY=1") is False


def test_watchdog_for_another_pid_is_ignored() -> None:
    """WATCHDOG_PID naming another process means the watchdog is not ours."""
    assert Notifier({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"}).watchdog_interval is None


@pytest.mark.parametrize("unit", ["okrsync.service", "okrsync@.service"])
def test_unit_security_exposure_is_at_most_1_2(unit: str) -> None:
    """`systemd-analyze security --offline=yes` scores the units 1.2 or lower."""
    tool = shutil.which("systemd-analyze")
    assert tool, "systemd-analyze is missing: apt-get install systemd (.ci/run does)"
    out = subprocess.run(
        [tool, "security", "--offline=yes", str(ROOT / "deploy" / unit)],
        capture_output=True,
        text=True,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", out.stdout + out.stderr)
    assert match, out.stdout[-500:] + out.stderr[-500:]
    assert float(match.group(1)) <= 1.2


def test_example_config_documents_every_setting() -> None:
    """Each setting appears in deploy/okrsync.example.toml with its default."""
    text = (ROOT / "deploy" / "okrsync.example.toml").read_text()
    file_names = {
        "api_token": "token",
        "api_token_file": "token_file",
        "window_start_ms": "window_start",
        "window_end_ms": "window_end",
        "neo4j_uri": "uri",
        "neo4j_username": "username",
        "neo4j_password": "password",
        "neo4j_password_file": "password_file",
        "neo4j_database": "database",
        "neo4j_trusted_ca": "trusted_ca",
        "neo4j_transaction_timeout": "transaction_timeout",
        "jira_api_token": "jira_api_token_file",
    }
    for name in Settings.__dataclass_fields__:
        key = file_names.get(name, name)
        assert re.search(rf"^#? ?{key} = ", text, re.M), f"{name} is not documented"
