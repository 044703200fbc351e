"""Reading the docs' fenced code blocks: what the documentation tests run."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def fenced_blocks(path: Path) -> Iterator[tuple[str, int, str]]:
    """(language, line number, line) of every line inside a fenced code block."""
    language = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fence = re.match(r"\s*```\s*(\w*)", line)
        if fence:
            language = fence.group(1) if language is None else None
        elif language is not None:
            yield language, number, line


def without_comment(line: str) -> str:
    """The command without a trailing `# comment` (a `#` outside quotes, after a space)."""
    for match in re.finditer(r"\s+#", line):
        before = line[: match.start()]
        if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
            return before
    return line


def code_blocks(path: Path) -> Iterator[tuple[str, int, list[str]]]:
    """(language, line number of the first line, lines) of each fenced code block."""
    current: tuple[str, int, list[str]] | None = None
    for language, number, line in fenced_blocks(path):
        if current is None or current[0] != language or number != current[1] + len(current[2]):
            if current is not None:
                yield current
            current = (language, number, [])
        current[2].append(line)
    if current is not None:
        yield current


def reader_env(neo4j_auth: tuple[str, str, str], org: str) -> dict[str, str]:
    """A reader's shell: the installed okrsync first on PATH, the test Neo4j's address and
    database, `org` as the organisation, and no other okrsync or Neo4j setting of ours."""
    uri, user, password = neo4j_auth
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKRSYNC_", "NEO4J_"))}
    env.update(NEO4J_URI=uri, NEO4J_USERNAME=user, NEO4J_PASSWORD=password, OKRSYNC_ORG=org)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if os.environ.get("NEO4J_DATABASE"):
        env["NEO4J_DATABASE"] = os.environ["NEO4J_DATABASE"]
    return env
