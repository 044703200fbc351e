"""Prometheus's own tools for the tests: promtool and the server, from Debian's `prometheus`
package (.ci/run installs it). A missing one fails the test with one line saying how to get it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "deploy" / "prometheus" / "okrsync.rules.yml"
INSTALL = "apt-get install prometheus (.ci/run does)"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not on PATH: {INSTALL}", pytrace=False)
    return found


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool("promtool"), *args], capture_output=True, text=True, timeout=120)


class PrometheusServer:
    """A real Prometheus on loopback scraping `target` every second and evaluating the rules
    every second, with its data in `workdir`; stopped (and waited for) on exit."""

    def __init__(self, workdir: Path, target: str, rules: Path = RULES) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(rules)],
            "scrape_configs": [
                {"job_name": "okrsync", "static_configs": [{"targets": [target]}]},
            ],
        }
        self.config = workdir / "prometheus.yml"
        self.config.write_text(json.dumps(config))  # YAML is a superset of JSON
        self.log = workdir / "prometheus.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PrometheusServer:
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    tool("prometheus"),
                    f"--config.file={self.config}",
                    f"--storage.tsdb.path={self.workdir / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(self._ready, timeout=60, what="Prometheus ready")
        except AssertionError:
            self.__exit__()
            pytest.fail(f"Prometheus did not start: {self.log.read_text()[-1000:]}", pytrace=False)
        return self

    def __exit__(self, *_: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def _ready(self) -> bool:
        assert self.proc is not None and self.proc.poll() is None, "Prometheus exited"
        return httpx.get(f"{self.url}/-/ready", timeout=5).status_code == 200

    def api(self, path: str, **params: str) -> Any:
        answer = httpx.get(f"{self.url}/api/v1/{path}", params=params, timeout=10).json()
        assert answer["status"] == "success", answer
        return answer["data"]

    def query(self, promql: str) -> dict[tuple[tuple[str, str], ...], float]:
        """An instant query's answer: each series' labels (sorted pairs) and its value."""
        return {
            tuple(sorted(sample["metric"].items())): float(sample["value"][1])
            for sample in self.api("query", query=promql)["result"]
        }

    def alerts(self) -> dict[str, tuple[str, dict[str, str]]]:
        """Each active alert's name, its state (pending or firing) and its labels."""
        return {
            alert["labels"]["alertname"]: (alert["state"], alert["labels"])
            for alert in self.api("alerts")["alerts"]
        }
