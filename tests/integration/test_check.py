"""Issue 22: `okrsync check` fails fast on a definite answer — a closed port, an unknown host,
a 404 — with one line for the API and no retry warnings (a wrong region took ~10 s and printed
five api.retry warnings)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from okrsync.cli import main
from okrsync.simulator import SimulatorServer
from tests.helpers import free_port

PING = "/api/v2/api-export/keyResults/byIds"


def check(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, float, list[str], list[str]]:
    """`okrsync check` in this process: its status, seconds, stdout and stderr lines."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    started = time.monotonic()
    code = main(["check"])
    took = time.monotonic() - started
    out = capsys.readouterr()
    return code, took, out.out.splitlines(), out.err.splitlines()


@pytest.mark.parametrize("where", ["closed port", "unknown host", "404"])
def test_check_fails_fast_on_a_definite_answer(
    where: str,
    cli_env: dict[str, str],
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """Under 2 s, exit 1, one FAIL line naming the problem, nothing on stderr."""
    port = free_port()
    base, failure = {
        "closed port": (
            f"http://127.0.0.1:{port}",
            f"cannot reach the OKR API at http://127.0.0.1:{port}:"
            " ConnectError: [Errno 111] Connection refused",
        ),
        "unknown host": (
            "http://okr.invalid",
            # The resolver's words vary (no such name; no resolver at all): the kind does not.
            "cannot reach the OKR API at http://okr.invalid: ConnectError: [Errno ",
        ),
        "404": (
            f"{simulator.url}/wrong-region",
            f"OKR API answered 404 for {PING}: no such endpoint or entity; check the base URL",
        ),
    }[where]
    env = {**cli_env, "OKRSYNC_BASE_URL": base, "OKRSYNC_ALLOW_INSECURE_HTTP": "true"}
    code, took, out, err = check(env, monkeypatch, capsys)
    assert took < 2.0, out
    assert code == 1
    (failed,) = [line for line in out if line.startswith("FAIL")]
    if where == "unknown host":
        assert failed.startswith(f"FAIL OKR API: {failure}"), failed
    else:
        assert failed == f"FAIL OKR API: {failure}"
    assert err == []
