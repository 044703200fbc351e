"""Issue 22: a bad setting is reported, through the command line, under the name the user set
it by (the variable, or the file's table and key), never okrsync's internal name."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from okrsync.cli import main

BAD_DATE = "'2026-13-01' is neither epoch milliseconds nor an ISO date"


@pytest.fixture
def okrsync(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, list[str]]]:
    """`okrsync ARGS` in this process, in an environment holding only `env` of okrsync's."""

    def run(env: dict[str, str], *args: str) -> tuple[int, list[str]]:
        for name in os.environ:
            if name.startswith(("OKRSYNC_", "NEO4J_", "CREDENTIALS_DIRECTORY")):
                monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        code = main(list(args))
        return code, capsys.readouterr().err.splitlines()

    return run


def test_through_the_installed_command() -> None:
    """The same line from the `okrsync` process a user runs, and exit status 2."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OKRSYNC_", "NEO4J_"))}
    run = subprocess.run(
        [sys.executable, "-m", "okrsync.cli", "sync"],
        env={**clean, "OKRSYNC_WINDOW_START": "2026-13-01"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (run.returncode, run.stderr.splitlines()) == (
        2,
        [f"okrsync: configuration error: OKRSYNC_WINDOW_START: {BAD_DATE}"],
    )


@pytest.mark.parametrize("command", ["check", "sync"])
@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        ("OKRSYNC_WINDOW_START", "2026-13-01", f"OKRSYNC_WINDOW_START: {BAD_DATE}"),
        ("OKRSYNC_WINDOW_END", "2026-13-01", f"OKRSYNC_WINDOW_END: {BAD_DATE}"),
        ("OKRSYNC_WINDOW_START", "2101-01-01", "window_start must be before window_end"),
    ],
)
def test_a_bad_window_in_the_environment(
    okrsync: Callable[..., tuple[int, list[str]]],
    command: str,
    variable: str,
    value: str,
    line: str,
) -> None:
    """Exit 2 and one line naming the variable (or the file's key), not window_start_ms."""
    code, stderr = okrsync({variable: value}, command)
    assert (code, stderr) == (2, [f"okrsync: configuration error: {line}"])


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[api]\nwindow_start = "2026-13-01"\n', f"api.window_start: {BAD_DATE}"),
        ('window_end = "2026-13-01"\n', f"window_end: {BAD_DATE}"),
        (
            "[api]\nwindow_start = true\n",
            "api.window_start: expected a date or epoch milliseconds, got bool",
        ),
    ],
)
def test_a_bad_window_in_the_config_file(
    okrsync: Callable[..., tuple[int, list[str]]], tmp_path: Path, text: str, line: str
) -> None:
    """The file's path and the key as it is written there."""
    path = tmp_path / "okrsync.toml"
    path.write_text(text)
    code, stderr = okrsync({}, "check", "--config", str(path))
    expected = f"okrsync: configuration error: config file {path}: {line}"
    assert (code, stderr) == (2, [expected])
