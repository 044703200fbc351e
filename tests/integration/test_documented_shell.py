"""Every runnable shell block of the docs runs as written, and prints what it says.

A ```sh block in README.md or docs/**/*.md is a script a reader pastes into a shell: it runs
through bash (`-euo pipefail`) from a scratch directory laid out like a checkout (the Makefile,
deploy/, the virtualenv and the Neo4j install linked in, so nothing it writes lands in the
real checkout), against the test Neo4j, and what it prints is checked. Anything it starts in
the background is stopped after it. Shell shown but not meant to be pasted as it stands (a
daemon in the foreground, `make test` itself, a Browser command) is a ```text block, and no
other shell-like language is allowed: a block is either run or visibly not runnable.

A block made only of `okrsync query` / `okrsync report` lines is checked row by row in
test_documented_examples.py, against a known org; it is not run twice.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from okrsync.graph import Graph
from okrsync.testing import TEST_ORG, wipe
from tests.docs import ROOT, code_blocks, documents, reader_env, without_comment

COMMAND = re.compile(r"^(?:\$\s+)?(?:\S*/)?okrsync\s+(?:query|report)\b")
SHELL_LIKE = {"bash", "shell", "console", "zsh", "shell-session"}
# What a scratch checkout links to: enough for the Makefile's Neo4j targets and `.venv/bin/...`.
CHECKOUT = ("Makefile", "deploy", ".venv", ".neo4j", "pyproject.toml")


def shell_blocks() -> dict[str, tuple[str, str]]:
    """Each runnable block (keyed by its first line) -> where it is, and its text."""
    found: dict[str, tuple[str, str]] = {}
    for path in documents():
        for language, number, lines in code_blocks(path):
            if language != "sh":
                continue
            commands = [line for line in lines if line.strip()]
            if all(COMMAND.match(line.strip()) for line in commands):
                continue
            where = f"{path.relative_to(ROOT)}:{number}"
            found.setdefault(without_comment(commands[0].strip()), (where, "\n".join(lines)))
    return found


def summaries(stdout: str) -> list[dict[str, Any]]:
    """The JSON summary lines `okrsync sync` prints last."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def by_hand(stdout: str, scratch: Path) -> None:
    """A dry run, a first sync of the 200-objective simulated org, and a second sync."""
    dry, first, second = summaries(stdout)
    # The simulator churns every 10 s: a sync may see a few changes made since the last one.
    assert dry["dry_run"] is True and first["dry_run"] is False, (dry, first)
    assert isinstance(dry["created"], int) and isinstance(first["created"], int)
    assert dry["created"] > 200 and abs(first["created"] - dry["created"]) <= 25, (dry, first)
    assert first["mode"] == "load" and second["mode"] == "incremental", (first, second)
    assert second["created"] + second["updated"] + second["deleted"] <= 25, second
    assert (scratch / ".state" / "state.db").is_file()


EXPECTED: dict[str, Callable[[str, Path], None]] = {
    'make neo4j && eval "$(make -s neo4j-env)"': by_hand,
}

BLOCKS = shell_blocks()


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    for name in CHECKOUT:
        if (ROOT / name).exists():
            (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


@pytest.mark.parametrize("first", sorted(BLOCKS))
def test_documented_shell_block_runs(
    first: str, scratch: Path, neo4j_auth: tuple[str, str, str], graph: Graph
) -> None:
    """The block, pasted into bash from a checkout, succeeds and prints what the docs say."""
    where, script = BLOCKS[first]
    if first not in EXPECTED:
        pytest.fail(
            f"{where}: runnable block starting `{first}` has no check in "
            "tests/integration/test_documented_shell.py (EXPECTED)",
            pytrace=False,
        )
    wipe(graph)
    # Files, not pipes: a job the block leaves in the background holds its output open.
    out, err = scratch / "block.out", scratch / "block.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=scratch,
            env=reader_env(neo4j_auth, TEST_ORG),  # what it mirrors is the tests' to delete
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # its background jobs are stopped with it
        )
        try:
            proc.wait(timeout=300)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    failed = err.read_text()[-2000:]
    assert proc.returncode == 0, f"{where}: block failed ({proc.returncode}): {failed}"
    EXPECTED[first](out.read_text(), scratch)


def test_every_check_is_still_documented() -> None:
    assert sorted(set(EXPECTED) - set(BLOCKS)) == []


def test_shell_is_either_run_or_marked_not_runnable() -> None:
    """A bash/console/... block would be shell nobody runs: it must be ```sh or ```text."""
    odd = [
        f"{path.relative_to(ROOT)}:{number} ({language})"
        for path in documents()
        for language, number, _ in code_blocks(path)
        if language in SHELL_LIKE or language == ""
    ]
    assert odd == []
