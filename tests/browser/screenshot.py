"""Neo4j Browser in headless Chromium: connect, load okrsync's style by URL, run the tree query,
count the drawn nodes and save a PNG. `make screenshot` runs it; tests/browser/test_browser.py
asserts on it.

    python -m tests.browser.screenshot --out docs/neo4j-browser.png
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from okrsync import log
from okrsync.graph import Graph
from okrsync.observe import Health, Metrics, ObserveServer
from okrsync.simulator import Org, SimulatorServer
from okrsync.testing import run_tool, wipe
from tests.helpers import sync_cycle

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "fixture_org.json"
TREE_QUERY = "MATCH p=(:Objective)-[:PARENT_OF|HAS_KR*1..3]->() RETURN p"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


@dataclass
class Rendered:
    nodes: int
    captions: list[str]
    style_applied: bool
    png: Path
    fills: dict[str, str]  # each drawn node's first caption word (its key) -> its fill colour
    legend: dict[str, str]  # the Overview's node labels -> their chip's colour (rgb(...))
    frames: int  # result frames on the page: the query's alone once the :style one is cleared
    banner: bool  # whether the Browser's usage-data banner is shown


def browser() -> WebDriver:
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--window-size=1500,1000",
    ):
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


def wait(driver: WebDriver, script: str, timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = driver.execute_script(script)
        except WebDriverException:
            value = None
        if value:
            return value
        time.sleep(0.25)
    raise TimeoutError(f"Neo4j Browser never satisfied: {script}")


def run_command(driver: WebDriver, command: str) -> None:
    editor = driver.find_element(By.CSS_SELECTOR, '[data-testid="activeEditor"]')
    editor.click()
    area = editor.find_element(By.CSS_SELECTOR, "textarea")
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys(command)
    driver.find_element(By.CSS_SELECTOR, '[data-testid="editor-Run"]').click()


def dismiss_usage_banner(driver: WebDriver) -> None:
    """Close the Browser's banner about collecting product usage data (its last child is the
    close button); it is no part of the picture."""
    driver.execute_script(
        "const t = Array.from(document.querySelectorAll('span')).find("
        "  s => (s.textContent || '').startsWith('To help make Neo4j Browser better'));"
        "if (t) t.parentElement.lastElementChild.click();"
    )


def banner_shown(driver: WebDriver) -> bool:
    return bool(driver.execute_script("return document.body.textContent.includes('product usage')"))


def drawn(driver: WebDriver) -> tuple[dict[str, str], dict[str, str]]:
    """Each drawn node's key and fill, and the Overview's label chips and their colours."""
    fills = driver.execute_script(
        "return Array.from(document.querySelectorAll('svg g.node')).map(g => ["
        "  (g.querySelector('text') || {}).textContent,"
        "  g.querySelector('circle.b-outline').getAttribute('fill')])"
    )
    prefix = "property-details-overview-node-label-"
    legend = driver.execute_script(
        f"return Array.from(document.querySelectorAll('[data-testid^=\"{prefix}\"]')).map("
        f"  e => [e.getAttribute('data-testid').slice({len(prefix)}), "
        "  getComputedStyle(e).backgroundColor])"
    )
    return (
        {str(text).split()[0]: str(fill) for text, fill in fills if text},
        {str(label): str(colour) for label, colour in legend},
    )


def load_fixture(graph: Graph, state_dir: Path) -> None:
    wipe(graph)
    org = Org.from_export(json.loads(FIXTURE.read_text()))
    with SimulatorServer(org) as server, sync_cycle(server.url, graph, state_dir) as cycle:
        cycle.run()


def render(
    uri: str,
    user: str,
    password: str,
    http_url: str,
    out: Path,
    style_port: int,
    query: str = TREE_QUERY,
) -> Rendered:
    """Connect the Browser at http_url to uri, apply the style, run query, screenshot."""
    server = ObserveServer(f"127.0.0.1:{style_port}", Health(60), Metrics())
    server.start()
    driver = browser()
    try:
        driver.get(f"{http_url}/browser/")
        address = urlsplit(uri).netloc
        for testid, value in (("boltaddress", address), ("username", user), ("password", password)):
            field = WebDriverWait(driver, 30).until(
                expected_conditions.element_to_be_clickable(
                    (By.CSS_SELECTOR, f'[data-testid="{testid}"]')
                )
            )
            field.send_keys(Keys.CONTROL, "a")
            field.send_keys(Keys.DELETE)
            field.send_keys(value)
        driver.find_element(By.CSS_SELECTOR, '[data-testid="connect"]').click()
        wait(driver, "return !document.querySelector('[data-testid=\"disconnectedBanner\"]')")
        time.sleep(3)  # the Browser finishes its own start-up commands after connecting
        run_command(driver, f":style http://localhost:{style_port}/browser/okrsync.grass")
        style_applied = bool(
            wait(
                driver,
                "return (localStorage.getItem('neo4j.grass') || '').includes('node.Objective')",
                timeout=20,
            )
        )
        time.sleep(1)
        run_command(driver, ":clear")  # the :style frame (and the start-up ones) out of the picture
        wait(driver, "return document.querySelectorAll('[data-testid=\"frame\"]').length == 0")
        run_command(driver, query)
        wait(driver, "return document.querySelectorAll('svg g.node').length > 0")
        dismiss_usage_banner(driver)  # it shows up a while after connecting
        time.sleep(3)  # let the force layout settle before the picture
        nodes = int(driver.execute_script("return document.querySelectorAll('svg g.node').length"))
        captions = driver.execute_script(
            "return Array.from(document.querySelectorAll('svg g.node text'))"
            ".map(t => t.textContent)"
        )
        fills, legend = drawn(driver)
        frames = int(
            driver.execute_script(
                "return document.querySelectorAll('[data-testid=\"frame\"]').length"
            )
        )
        banner = banner_shown(driver)
        out.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(out))
        return Rendered(
            nodes, [str(c) for c in captions], style_applied, out, fills, legend, frames, banner
        )
    finally:
        driver.quit()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/neo4j-browser.png"))
    parser.add_argument("--style-port", type=int, default=9465)
    args = parser.parse_args()
    uri = os.environ["NEO4J_URI"]
    user, password = os.environ.get("NEO4J_USERNAME", "neo4j"), os.environ["NEO4J_PASSWORD"]
    http = f"http://{urlsplit(uri).hostname}:{os.environ.get('NEO4J_HTTP_PORT', '7474')}"
    log.configure("warning")
    graph = Graph.connect(uri, user, password)
    try:
        load_fixture(graph, Path(".state/screenshot"))
    finally:
        graph.close()
    shot = render(uri, user, password, http, args.out, args.style_port)
    print(f"{shot.png}: {shot.nodes} nodes drawn, style applied: {shot.style_applied}")


if __name__ == "__main__":
    sys.exit(run_tool(main))
