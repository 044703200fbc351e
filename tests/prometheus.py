"""Prometheus's own tools for the tests: promtool and the server, from Debian's `prometheus`
package (.ci/run installs it). A missing one fails the test with one line saying how to get it."""

from __future__ import annotations

import json
import re
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


# Words of PromQL that are not metric names (functions are told by the "(" after them).
KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}
GROUPING = r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"
SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("_count", "_sum", "_created"),
}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads."""
    expr = re.sub(r'"[^"]*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", expr)
    expr = re.sub(GROUPING, " ", expr)
    names = set()
    for word in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
        if not expr[word.end() :].lstrip().startswith("("):
            names.add(word.group())
    return names - KEYWORDS


def exported_names() -> set[str]:
    """Every sample name okrsync's /metrics can serve, read from its Metrics registry."""
    from okrsync.observe import Metrics

    return {
        family.name + suffix
        for family in Metrics().registry.collect()
        for suffix in SAMPLE_SUFFIXES.get(family.type, ("",))
    }


DASHBOARD = ROOT / "deploy" / "grafana" / "okrsync.json"


def dashboard_queries(**variables: str) -> dict[str, str]:
    """Each query of the Grafana dashboard, named by its panel's title and its refId, with
    Grafana's variables (`rate_interval="5m"` fills `$__rate_interval`) filled in."""
    found = {}
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for name, value in variables.items():
                expr = expr.replace(f"${name}", value).replace(f"$__{name}", value)
            found[f"{panel['title']} {target['refId']}"] = expr
    return found
