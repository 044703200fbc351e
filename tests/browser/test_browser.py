"""Neo4j Browser, for real, in headless Chromium: okrsync's style loads by URL and the tree
query draws exactly the fixture's objectives and key results."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from okrsync.graph import Graph
from okrsync.schema import GROUP_LABELS
from tests.browser import screenshot
from tests.helpers import free_port


def test_styled_tree_in_neo4j_browser(
    graph: Graph, neo4j_auth: tuple[str, str, str], tmp_path: Path
) -> None:
    """7 nodes drawn (3 objectives + 4 KRs of the tree), style applied, captions from it, each
    node in its status group's colour and the Overview naming the groups in those colours; the
    usage-data banner and the :style frame are not in the picture."""
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
    colours = grass_colours()
    # The fixture's tree: O-1 on track, the O-2 branch at risk, O-3 off track, KR-2 done and
    # KR-3 without a check-in.
    groups = {
        "O-1": "OnTrack",
        "KR-4": "OnTrack",
        "O-2": "AtRisk",
        "KR-1": "AtRisk",
        "O-3": "OffTrack",
        "KR-2": "Done",
        "KR-3": "NoStatus",
    }
    assert shot.fills == {key: colours[group] for key, group in groups.items()}
    assert shot.legend == {
        "*": rgb("#A5ABB6"),
        "Objective": rgb(colours["Objective"]),
        "KeyResult": rgb(colours["KeyResult"]),
        **{group: rgb(colours[group]) for group in GROUP_LABELS},
    }
    assert (shot.frames, shot.banner) == (1, False)


def grass_colours() -> dict[str, str]:
    """Each node label's fill colour in okrsync's style."""
    text = (Path(__file__).resolve().parents[2] / "deploy/neo4j-browser/okrsync.grass").read_text()
    return dict(re.findall(r"node\.(\w+) \{\n  color: (#[0-9A-F]{6});", text))


def rgb(hex_colour: str) -> str:
    """#2EA043 as the browser computes it: rgb(46, 160, 67)."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"
