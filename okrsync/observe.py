"""Health and metrics: what the daemon knows about itself, served on an optional HTTP listener.

The listener is for probes and scrapes, never for many clients: each connection gets a read
timeout, and at most MAX_CONNECTIONS are served at once (more are closed at once and counted),
so idle or half-sent requests can neither pile up threads nor use up the file descriptors the
daemon's own work needs.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from okrsync.addresses import is_ipv6, is_loopback, parse_listen
from okrsync.log import redact

PHASES = ("fetch", "transform", "diff", "write", "persist")
READ_TIMEOUT = 10.0  # seconds a connection may take to send its request
MAX_CONNECTIONS = 16
DEPENDENCIES = ("api", "neo4j")
# Served for Neo4j Browser: `:style http://localhost:9464/browser/okrsync.grass`,
# `:play http://localhost:9464/browser/guide.html` (localhost is in its default whitelist).
BROWSER_FILES = {
    "/browser/okrsync.grass": ("okrsync.grass", "text/plain; charset=utf-8"),
    "/browser/guide.html": ("guide.html", "text/html; charset=utf-8"),
}
# The origin the guide's text is written with, replaced by the listener's own when served.
GUIDE_ORIGIN = b"http://localhost:9464/"


def browser_origin(listen: str) -> str:
    """The origin Neo4j Browser fetches the style and guide from, for a listener at `listen`:
    localhost for this machine or every interface (the Browser's default allow-list has it)."""
    host, port = parse_listen(listen)
    if is_loopback(host) or host in {"0.0.0.0", "::"}:  # noqa: S104 - recognised, not bound
        host = "localhost"
    elif is_ipv6(host):
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Metrics:
    """The daemon's Prometheus metrics in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.cycles = Counter("okrsync_cycles", "Sync cycles by outcome", ["outcome"], registry=r)
        self.last_success = Gauge(
            "okrsync_last_success_timestamp_seconds",
            "Unix time of the last successful cycle",
            registry=r,
        )
        self.cycle_seconds = Histogram(
            "okrsync_cycle_duration_seconds",
            "Whole cycle duration",
            buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600),
            registry=r,
        )
        self.phase_seconds = Gauge(
            "okrsync_phase_duration_seconds",
            "Duration of each phase in the last successful cycle",
            ["phase"],
            registry=r,
        )
        self.entities = Gauge("okrsync_entities", "Mirrored nodes by label", ["label"], registry=r)
        self.changes = Counter(
            "okrsync_changes", "Changes written to the graph, by kind", ["kind"], registry=r
        )
        self.api_retries = Counter(
            "okrsync_api_retries", "API requests retried, by error", ["error"], registry=r
        )
        self.api_errors = Counter(
            "okrsync_api_errors", "API requests failed, by status or error", ["status"], registry=r
        )
        self.lease_held = Gauge(
            "okrsync_lease_held",
            "1 while this okrsync holds its organisation's write lease (active), 0 as a standby",
            registry=r,
        )
        self._data_metrics(r)
        self._identity_metrics(r)
        self.http_rejected = Counter(
            "okrsync_http_connections_rejected",
            "Connections to /healthz and /metrics closed unserved: the connection cap was reached",
            registry=r,
        )
        # process_resident_memory_bytes, process_open_fds, process_cpu_seconds_total, ...
        ProcessCollector(registry=r)
        for outcome in ("success", "failure", "refused", "standby"):
            self.cycles.labels(outcome)
        for kind in ("created", "updated", "deleted", "linked", "unlinked"):
            self.changes.labels(kind)

    def _data_metrics(self, r: CollectorRegistry) -> None:
        """What the source could not give, and what failed after a good mirror."""
        self.quarantined = Gauge(
            "okrsync_quarantined_records",
            "Records the last cycle could not place (unusable id): their last good version kept",
            registry=r,
        )
        self.step_failures = Counter(
            "okrsync_step_failures",
            "Follow-up steps (check-ins, comments, Jira) that failed after the mirror committed",
            ["step"],
            registry=r,
        )

    def _identity_metrics(self, r: CollectorRegistry) -> None:
        """Which organisation and how often: alert rules join on the one and scale by the other."""
        self.info = Gauge(
            "okrsync_info",
            "Always 1; its org label names the organisation this okrsync mirrors",
            ["org"],
            registry=r,
        )
        self.interval = Gauge(
            "okrsync_interval_seconds", "The configured seconds between cycles", registry=r
        )

    def describe(self, org: str, interval: float) -> Metrics:
        """Set at start and on every reload: a reload may move okrsync to another organisation."""
        self.info.clear()
        self.info.labels(org).set(1)
        self.interval.set(interval)
        return self

    def record_success(
        self,
        timings: Mapping[str, float],
        summary: Mapping[str, Any],
        entities: Mapping[str, int],
        quarantined: int = 0,
        failed_steps: Sequence[str] = (),
    ) -> None:
        self.cycles.labels("success").inc()
        self.quarantined.set(quarantined)
        for step in failed_steps:
            self.step_failures.labels(step).inc()
        self.last_success.set(time.time())
        self.cycle_seconds.observe(timings.get("total", 0.0))
        for phase in PHASES:
            self.phase_seconds.labels(phase).set(timings.get(phase, 0.0))
        for label, n in entities.items():
            self.entities.labels(label).set(n)
        for kind in ("created", "updated", "deleted", "linked", "unlinked"):
            self.changes.labels(kind).inc(int(summary.get(kind, 0)))

    def record_api(self, retries: Mapping[str, int], errors: Mapping[str, int]) -> None:
        for error, n in retries.items():
            self.api_retries.labels(error).inc(n)
        for status, n in errors.items():
            self.api_errors.labels(status).inc(n)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class Health:
    """Healthy while the last cycle succeeded within `max_age` seconds."""

    def __init__(self, max_age: float) -> None:
        self.max_age = max_age
        self.started = time.time()
        self.last_success: float | None = None
        self.last_error: str | None = None
        self.standby_reason: str | None = None
        # What the last cycle learnt of each dependency: "ok", "unknown" or its error.
        self.dependencies = dict.fromkeys(DEPENDENCIES, "unknown")
        self.lock = threading.Lock()

    def success(self) -> None:
        with self.lock:
            self.last_success = time.time()
            self.last_error = None
            self.standby_reason = None
            self.dependencies = dict.fromkeys(DEPENDENCIES, "ok")

    def dependency(self, name: str, state: str) -> None:
        with self.lock:
            self.dependencies[name] = state

    def standby(self, reason: str) -> None:
        """A hot standby is healthy: it is ready to take over, and says so."""
        with self.lock:
            self.standby_reason = reason
            self.last_error = None

    def failure(self, error: str) -> None:
        with self.lock:
            self.last_error = error
            self.standby_reason = None  # a failing cycle, whatever the role, is a failure

    def report(self) -> tuple[bool, dict[str, Any]]:
        with self.lock:
            now = time.time()
            body: dict[str, Any] = {
                "last_success": self.last_success,
                "last_error": self.last_error,
                "max_age_seconds": self.max_age,
                "dependencies": dict(self.dependencies),
            }
            body["role"] = (
                "standby"
                if self.standby_reason
                else "active"
                if self.last_success is not None
                else "starting"
            )
            if self.standby_reason is not None:
                body["reason"] = self.standby_reason
                return True, body
            if self.last_error is not None:
                body["reason"] = f"last cycle failed: {self.last_error}"
                return False, body
            if self.last_success is None:
                body["reason"] = "no successful cycle yet"
                return False, body
            age = now - self.last_success
            body["age_seconds"] = round(age, 3)
            if age > self.max_age:
                body["reason"] = f"last success {age:.0f}s ago (limit {self.max_age:.0f}s)"
                return False, body
            body["reason"] = "ok"
            return True, body


class _Handler(BaseHTTPRequestHandler):
    server: ObserveServer

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.read_timeout)  # a request not sent is dropped

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path in BROWSER_FILES:
            name, content_type = BROWSER_FILES[self.path]
            content = (resources.files("okrsync.browser") / name).read_bytes()
            origin = f"{browser_origin(self.server.listen)}/".encode()
            self._send(200, content.replace(GUIDE_ORIGIN, origin), content_type, cors=True)
        elif self.path == "/healthz":
            healthy, body = self.server.health.report()
            text = redact(json.dumps(body))  # errors quote what a server said: never a secret
            self._send(200 if healthy else 503, text.encode(), "application/json")
        elif self.path == "/metrics":
            self._send(200, self.server.metrics.render(), CONTENT_TYPE_LATEST)
        else:
            self._send(404, b'{"error": "not found"}', "application/json")

    def do_OPTIONS(self) -> None:
        """CORS preflight for the Browser's fetch of the style and guide."""
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "*")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, body: bytes, content_type: str, cors: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if cors:  # Neo4j Browser fetches :style and :play URLs from its own origin
            self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class ObserveServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        listen: str,
        health: Health,
        metrics: Metrics,
        *,
        read_timeout: float = READ_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        host, port = parse_listen(listen)
        self.listen = listen
        self.health = health
        self.metrics = metrics
        self.read_timeout = read_timeout
        self._slots = threading.BoundedSemaphore(max_connections)
        if is_ipv6(host):
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in a thread of its own, unless the cap is reached."""
        if not self._slots.acquire(blocking=False):
            self.metrics.http_rejected.inc()
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def start(self) -> None:
        threading.Thread(target=self.serve_forever, name="observe", daemon=True).start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
