"""A real Prometheus scrapes a real `okrsync run` and evaluates the shipped rules against it."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from okrsync.config import Settings
from okrsync.graph import Graph
from okrsync.simulator import SimulatorServer
from tests.helpers import DaemonProcess, free_port, wait_for
from tests.integration.test_daemon import config_text, healthz
from tests.prometheus import PrometheusServer, dashboard_queries

INTERVAL = 2.0
NO_API_TROUBLE = {"API retries and throttling A", "API retries and throttling B"}


def served_names(port: int) -> set[str]:
    """The okrsync sample names the daemon's /metrics serves right now."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return {
        sample.name
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("okrsync_")
    }


def stored_names(prom: PrometheusServer) -> set[str]:
    names = prom.api("label/__name__/values")
    return {name for name in names if name.startswith("okrsync_")}


def dashboard_gaps(prom: PrometheusServer, org: str) -> set[str]:
    """The Grafana dashboard's queries that find no series for the organisation."""
    queries = dashboard_queries(rate_interval="10s", org=org)
    return {name for name, expr in queries.items() if not prom.query(expr)}


def test_prometheus_scrapes_okrsync_and_fires_the_refusal_alert(
    graph: Graph,
    simulator: SimulatorServer,
    settings: Settings,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """okrsync's series arrive in Prometheus with their labels, the recording rules join them
    to the organisation, no alert is active while cycles succeed, the Grafana dashboard's queries
    find data, and an emptied tenant (the
    deletion guard refuses) fires OkrsyncCycleRefused and makes OkrsyncNoRecentSuccess pending."""
    port = free_port()
    target = f"127.0.0.1:{port}"
    cfg = tmp_path / "okrsync.toml"
    org = settings.org  # the tests' organisation: the environment names it too
    cfg.write_text(config_text(settings, port, interval=INTERVAL, org=org))
    env = {k: v for k, v in cli_env.items() if k not in ("OKRSYNC_BASE_URL", "NEO4J_URI")}
    daemon = DaemonProcess(["run", "--config", str(cfg)], env)
    try:
        wait_for(lambda: healthz(port)[0] == 200, timeout=60, what="okrsync healthy")
        prom_dir = tmp_path / "prometheus"
        prom_dir.mkdir()
        with PrometheusServer(prom_dir, target) as prom:
            wait_for(lambda: prom.query("okrsync_lease_held"), what="the first scrape stored")
            assert stored_names(prom) == served_names(port)
            instance = (("instance", target), ("job", "okrsync"))
            assert prom.query("okrsync_info") == {
                (("__name__", "okrsync_info"), *instance, ("org", org)): 1.0
            }
            assert prom.query("okrsync_interval_seconds") == {
                (("__name__", "okrsync_interval_seconds"), *instance): INTERVAL
            }
            outcomes = prom.query("okrsync_cycles_total")
            assert {dict(labels)["outcome"] for labels in outcomes} == {
                "success",
                "failure",
                "refused",
                "standby",
            }
            objectives = prom.query('okrsync_entities{label="Objective"}')
            assert list(objectives.values()) == [float(len(simulator.org.objectives))]
            wait_for(
                lambda: (
                    prom.query("okrsync:lease_held:max_by_org")
                    == {(("__name__", "okrsync:lease_held:max_by_org"), ("org", org)): 1.0}
                ),
                what="the lease recording rule",
            )
            wait_for(lambda: prom.alerts() == {}, what="no active alert while cycles succeed")
            # The dashboard's queries find the organisation's series; only the API's retries
            # and errors have none: this simulator never fails a request.
            wait_for(lambda: dashboard_gaps(prom, org) == NO_API_TROUBLE, what="dashboard data")

            simulator.sim.controls.empty_tenant = True  # every answer empty: a mass delete
            refused = wait_for(
                lambda: prom.alerts().get("OkrsyncCycleRefused", ("", {}))[0] == "firing",
                timeout=60,
                what="OkrsyncCycleRefused firing",
            )
            assert refused
            alerts = prom.alerts()
            assert alerts["OkrsyncCycleRefused"][1] == {
                "alertname": "OkrsyncCycleRefused",
                "org": org,
                "severity": "critical",
            }
            refusals = [e for e in daemon.events() if e.get("event") == "sync.failed"]
            assert refusals and {e["outcome"] for e in refusals} == {"refused"}
            wait_for(
                lambda: (
                    prom.alerts().get("OkrsyncNoRecentSuccess")
                    == (
                        "pending",
                        {
                            "alertname": "OkrsyncNoRecentSuccess",
                            "org": org,
                            "severity": "critical",
                        },
                    )
                ),
                timeout=60,
                what="OkrsyncNoRecentSuccess pending",
            )
    finally:
        assert daemon.stop(timeout=25) == 0
