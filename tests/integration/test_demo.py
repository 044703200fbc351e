"""Issue 22: what `okrsync demo` (`make run`) tells a newcomer — the Browser's real HTTP port,
the login, the listener it serves — and which of flag, environment and default wins."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from okrsync.commands import LOCAL_NEO4J_PASSWORD
from tests.helpers import DaemonProcess, free_port, wait_for

BROWSER = re.compile(r"Open (http://\S+/browser/) \((.*)\) and run:")


def banner_of(env: dict[str, str], *flags: str) -> str:
    """What the demo prints until its listener answers and its lease is taken; it is stopped
    after."""
    demo = DaemonProcess(["demo", "--objectives", "5", "--churn", "0", *flags], env)
    try:
        wait_for(lambda: "Ctrl-C stops." in demo.text(), timeout=60, what="the demo's banner")
        listen = re.search(r"Health: http://(\S+)/healthz", demo.text())
        assert listen is not None, demo.text()
        wait_for(
            lambda: httpx.get(f"http://{listen[1]}/healthz", timeout=5).status_code in {200, 503},
            timeout=60,
            what="the demo's listener",
        )
        wait_for(lambda: "lease.taken" in demo.event_names(), timeout=60, what="the lease")
        return demo.text()
    finally:
        assert demo.stop() == 0


def test_the_banner_names_the_browser_the_login_and_the_listener(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """The Browser URL is the server's (its discovery document names the Bolt port okrsync
    uses); the login names the user and the local server's password, never another; the
    listener is OKRSYNC_HTTP_LISTEN's over the demo's default, --http-listen's over both."""
    env = {k: v for k, v in cli_env.items() if not k.startswith("OKRSYNC_")}  # the simulator
    env["OKRSYNC_STATE_DIR"] = str(tmp_path / "demo")
    from_env, from_flag = free_port(), free_port()
    env["OKRSYNC_HTTP_LISTEN"] = f"127.0.0.1:{from_env}"
    text = banner_of(env)
    found = BROWSER.search(text)
    assert found is not None, text
    discovery = httpx.get(found[1].removesuffix("browser/"), timeout=5).json()
    assert urlsplit(discovery["bolt_direct"]).port == urlsplit(cli_env["NEO4J_URI"]).port
    user, password = cli_env["NEO4J_USERNAME"], cli_env["NEO4J_PASSWORD"]
    if password == LOCAL_NEO4J_PASSWORD:
        assert found[2] == f"user {user}, password okrsync-local"
    else:
        assert found[2] == f"user {user} and the password okrsync is configured with"
        assert password not in text
    assert f"Health: http://127.0.0.1:{from_env}/healthz" in text
    assert f":style http://localhost:{from_env}/browser/okrsync.grass" in text
    events = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    lease = next(e for e in events if e["event"] == "lease.taken")
    assert lease["org"] == "demo"  # the simulator's token is redacted, not the org's name
    text = banner_of(env, "--http-listen", f"127.0.0.1:{from_flag}")
    assert f"Health: http://127.0.0.1:{from_flag}/healthz" in text
    assert f":style http://localhost:{from_flag}/browser/okrsync.grass" in text
