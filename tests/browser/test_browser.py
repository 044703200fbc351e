"""Neo4j Browser, for real, in headless Chromium: okrsync's style loads by URL and the tree
query draws exactly the fixture's objectives and key results."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from okrsync.graph import Graph
from tests.browser import screenshot
from tests.helpers import free_port


def test_styled_tree_in_neo4j_browser(
    graph: Graph, neo4j_auth: tuple[str, str, str], tmp_path: Path
) -> None:
    """7 nodes drawn (3 objectives + 4 KRs of the tree), style applied, captions from it."""
    assert shutil.which(screenshot.CHROMIUM), "chromium is missing: make browser-test installs it"
    assert shutil.which(screenshot.CHROMEDRIVER), "chromedriver is missing"
    uri, user, password = neo4j_auth
    screenshot.load_fixture(graph, tmp_path / "state")
    http = f"http://{urlsplit(uri).hostname}:{os.environ.get('NEO4J_HTTP_PORT', '7474')}"
    shot = screenshot.render(uri, user, password, http, tmp_path / "shot.png", free_port())
    assert shot.style_applied
    assert shot.nodes == 7
    # The style captions objectives and KRs with "{key} {name}" (wrapped over lines by the Browser).
    text = " ".join(shot.captions)
    for caption in ("O-1", "Company", "O-3", "Platform", "KR-2", "Ship"):
        assert caption in text
    assert shot.png.stat().st_size > 20_000
