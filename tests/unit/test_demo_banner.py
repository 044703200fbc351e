"""Issue 22: the demo's banner on other ports, and which password it may show."""

from __future__ import annotations

from okrsync.api import Secret
from okrsync.commands import demo_banner
from okrsync.config import Settings


def test_banner_on_other_ports_with_the_local_password() -> None:
    """NEO4J_BOLT_PORT=27687 NEO4J_HTTP_PORT=27474: the Browser on 27474, not the Bolt port."""
    settings = Settings(
        neo4j_uri="bolt://127.0.0.1:27687",
        neo4j_password=Secret("okrsync-local"),
        http_listen="127.0.0.1:9500",
        org="demo",
        interval=5.0,
    )
    banner = demo_banner(settings, "a simulated org", "http://127.0.0.1:27474/browser/")
    assert banner.splitlines() == [
        "okrsync demo: syncing a simulated org as organisation 'demo' into"
        " bolt://127.0.0.1:27687 every 5s.",
        "  Open http://127.0.0.1:27474/browser/ (user neo4j, password okrsync-local) and run:",
        "    :style http://localhost:9500/browser/okrsync.grass",
        "    MATCH p=(:Objective {okrsyncOrg: 'demo'})-[:PARENT_OF|HAS_KR*1..3]->()"
        " RETURN p LIMIT 150",
        "  Health: http://127.0.0.1:9500/healthz   Ctrl-C stops.",
    ]


def test_banner_never_shows_another_password() -> None:
    """A configured (production) password is named, never printed; an unknown Browser port
    is said to be unknown, not guessed."""
    settings = Settings(
        neo4j_uri="neo4j+s://graph.example.com:7687",
        neo4j_username="okrsync",
        neo4j_password=Secret("s3cret-from-a-file"),
    )
    banner = demo_banner(settings, "https://api.example.com", None)
    assert "s3cret-from-a-file" not in banner
    assert banner.splitlines()[1] == (
        "  Open Neo4j Browser on the server's HTTP port (user okrsync and the password okrsync"
        " is configured with) and run:"
    )
