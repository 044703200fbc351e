"""The picture of `okrsync report` in the README: a small org with a known history, synced
twice, reported, and the page rendered by headless Chromium.

    python -m tests.browser.report_picture --out docs/report.png
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from okrsync import log
from okrsync.graph import Graph
from okrsync.report import write_report
from okrsync.simulator import Org, SimulatorServer
from okrsync.testing import TEST_ORG, run_tool, wipe
from tests.browser.screenshot import FIXTURE, browser
from tests.helpers import Clock, sync_cycle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/report.png"))
    args = parser.parse_args()
    log.configure("warning")
    graph = Graph.connect(
        os.environ["NEO4J_URI"],
        os.environ.get("NEO4J_USERNAME", "neo4j"),
        os.environ["NEO4J_PASSWORD"],
    )
    wipe(graph)
    org = Org.from_export(json.loads(FIXTURE.read_text()))
    clock = Clock(datetime(2026, 1, 15, tzinfo=UTC))
    with (
        tempfile.TemporaryDirectory() as tmp,
        SimulatorServer(org) as server,
        sync_cycle(server.url, graph, Path(tmp) / "state", now=clock) as syncer,
    ):
        steps = [
            (datetime(2026, 1, 15, tzinfo=UTC), {"o1": 20.0, "o2": 10.0, "o3": 30.0}),
            (datetime(2026, 2, 10, tzinfo=UTC), {"o1": 35.0, "o2": 25.0, "o3": 55.0}),
            (datetime(2026, 3, 1, tzinfo=UTC), {"o1": 45.0, "o2": 15.0, "o3": 70.0}),
            (datetime(2026, 3, 20, tzinfo=UTC), {"o1": 50.0, "o2": 20.0, "o3": 80.0}),
        ]
        for moment, progress in steps:
            server.sim.mutate(lambda o, p=progress: [o.set_progress(k, v) for k, v in p.items()])
            server.sim.mutate(
                lambda o: o.set_progress("k1", o.key_results["k1"]["percentDone"] - 5)
            )
            if moment.month == 3 and moment.day == 20:  # something moved, for the page to show
                server.sim.mutate(
                    lambda o: (o.move_objective("o3", "o2"), o.set_teams("k3", ["t2"]))
                )
            clock.at = moment
            syncer.run()
        page = Path(tmp) / "report.html"
        write_report(
            graph, TEST_ORG, "Q1 2026", page, days=30, now=datetime(2026, 3, 25, tzinfo=UTC)
        )
        driver = browser()
        try:
            driver.set_window_size(1100, 1500)
            driver.get(page.as_uri())
            args.out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(args.out))
        finally:
            driver.quit()
    graph.close()
    print(f"{args.out} written")


if __name__ == "__main__":
    sys.exit(run_tool(main))
