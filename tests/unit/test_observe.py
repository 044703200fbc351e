"""The health/metrics listener: health logic, Prometheus text, Browser files with CORS."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from okrsync.observe import Health, Metrics, ObserveServer, browser_origin


@pytest.fixture
def server() -> Iterator[ObserveServer]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = ObserveServer(f"127.0.0.1:{port}", Health(max_age=60), Metrics())
    srv.start()
    yield srv
    srv.stop()


def url(server: ObserveServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_health_follows_cycles(server: ObserveServer) -> None:
    """503 before any success, 200 after one, 503 with the error after a failure."""
    r = httpx.get(url(server, "/healthz"))
    assert (r.status_code, r.json()["reason"]) == (503, "no successful cycle yet")
    server.health.success()
    assert httpx.get(url(server, "/healthz")).status_code == 200
    server.health.failure("Neo4j is unreachable")
    r = httpx.get(url(server, "/healthz"))
    assert (r.status_code, r.json()["reason"]) == (503, "last cycle failed: Neo4j is unreachable")
    server.health.success()
    server.health.max_age = -1
    r = httpx.get(url(server, "/healthz"))
    assert r.status_code == 503 and r.json()["reason"].startswith("last success")


def test_metrics_are_prometheus_text(server: ObserveServer) -> None:
    """Counters and gauges appear with their labels and values."""
    server.metrics.record_success(
        {"total": 1.5, "fetch": 0.5}, {"created": 3, "linked": 4}, {"Objective": 7}
    )
    server.metrics.record_api({"429": 2}, {"401": 1})
    text = httpx.get(url(server, "/metrics")).text
    for line in (
        'okrsync_cycles_total{outcome="success"} 1.0',
        'okrsync_changes_total{kind="created"} 3.0',
        'okrsync_changes_total{kind="linked"} 4.0',
        'okrsync_entities{label="Objective"} 7.0',
        'okrsync_phase_duration_seconds{phase="fetch"} 0.5',
        'okrsync_api_retries_total{error="429"} 2.0',
        'okrsync_api_errors_total{status="401"} 1.0',
    ):
        assert line in text.splitlines()


def test_browser_files_are_served_with_cors(server: ObserveServer) -> None:
    """The grass style and the guide, readable cross-origin by Neo4j Browser."""
    grass = httpx.get(url(server, "/browser/okrsync.grass"))
    assert grass.status_code == 200
    assert grass.headers["access-control-allow-origin"] == "*"
    assert "node.Objective {" in grass.text and 'caption: "{key} {name}";' in grass.text
    guide = httpx.get(url(server, "/browser/guide.html"))
    assert guide.status_code == 200 and '<article class="guide">' in guide.text
    preflight = httpx.options(url(server, "/browser/okrsync.grass"))
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert httpx.get(url(server, "/nothing")).status_code == 404


def test_guide_names_the_listener_it_is_served_from(server: ObserveServer) -> None:
    """The guide's `:style` line fetches from this daemon's port, not a hard-coded 9464."""
    port = server.server_address[1]
    guide = httpx.get(url(server, "/browser/guide.html")).text
    assert f":style http://localhost:{port}/browser/okrsync.grass</pre>" in guide
    assert "9464" not in guide


@pytest.mark.parametrize(
    ("listen", "origin"),
    [
        ("127.0.0.1:9464", "http://localhost:9464"),
        ("[::1]:9500", "http://localhost:9500"),
        ("0.0.0.0:9464", "http://localhost:9464"),
        (":9464", "http://localhost:9464"),
        ("10.1.2.3:8080", "http://10.1.2.3:8080"),
        ("[fd00::5]:8080", "http://[fd00::5]:8080"),
    ],
)
def test_browser_origin_of_a_listener(listen: str, origin: str) -> None:
    """This machine (or every interface) is localhost, the Browser's allowed host; another
    address is itself."""
    assert browser_origin(listen) == origin


def test_quarantined_records_and_failed_steps_are_metrics() -> None:
    """What a cycle could not place, and a follow-up step that failed after a good mirror."""
    metrics = Metrics()
    metrics.record_success({"total": 1.0}, {}, {}, quarantined=2, failed_steps=["checkins"])
    metrics.record_success({"total": 1.0}, {}, {}, quarantined=1, failed_steps=["checkins"])
    text = metrics.render().decode()
    assert "okrsync_quarantined_records 1.0" in text
    assert 'okrsync_step_failures_total{step="checkins"} 2.0' in text


def test_organisation_and_interval_are_metrics() -> None:
    """okrsync_info names the organisation (alert rules join on it); a reload to another
    organisation leaves no series of the old one behind."""
    metrics = Metrics()
    metrics.describe("acme", 300.0)
    metrics.describe("globex", 60.0)
    lines = metrics.render().decode().splitlines()
    assert [line for line in lines if line.startswith("okrsync_info")] == [
        'okrsync_info{org="globex"} 1.0'
    ]
    assert "okrsync_interval_seconds 60.0" in lines
