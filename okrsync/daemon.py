"""`okrsync run`: the loop, signals, hot reload, health and metrics, systemd notify.

The main thread owns the loop and the signals; each cycle runs in a worker thread so that a
stop request is honoured within a bounded time even when a cycle is stuck in I/O. A cycle that
is told to stop abandons itself between two write batches; the snapshot is only ever written
after the graph committed, so an abandoned cycle leaves the state behind the graph (repaired by
the next start), never ahead of it. A cycle that outlives max_cycle_seconds is stuck: the
watchdog pings stop and the daemon exits 1, for systemd to restart it.

READY=1 goes out once the daemon has started (settings, lock, listener), whether or not the
API and Neo4j answer yet: their state is in STATUS= and /healthz, and systemd neither blocks
`systemctl start` nor restarts the unit in a loop while a dependency is down.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path
from types import FrameType
from typing import Any

import structlog

from okrsync import config, log
from okrsync.config import Settings, lease_ttl
from okrsync.errors import (
    ApiError,
    ConfigError,
    GraphError,
    MassDeleteRefused,
    OkrsyncError,
    StateError,
)
from okrsync.graph.lease import Lease, holder_id
from okrsync.observe import Health, Metrics, ObserveServer
from okrsync.runtime import Runtime, open_runtime, register_secrets
from okrsync.state import StateStore
from okrsync.sync import CycleResult
from okrsync.systemd import Notifier

logger = structlog.get_logger("okrsync.daemon")

FAILURE_BACKOFF_BASE = 2.0


class CycleAbandoned(Exception):
    """Raised between two write batches when the daemon is stopping."""


class CycleStuck(OkrsyncError):
    """A cycle ran longer than max_cycle_seconds: the process exits for systemd to restart."""


def changed_settings(old: Settings, new: Settings) -> list[str]:
    return [
        f.name
        for f in fields(Settings)
        if repr(getattr(old, f.name)) != repr(getattr(new, f.name))
        or _secret_changed(old, new, f.name)
    ]


def _secret_changed(old: Settings, new: Settings, name: str) -> bool:
    a, b = getattr(old, name), getattr(new, name)
    if hasattr(a, "reveal") and hasattr(b, "reveal"):
        return bool(a.reveal() != b.reveal())
    return False


class Daemon:
    def __init__(
        self,
        config_path: Path | None,
        overrides: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        self.environ = os.environ if environ is None else environ
        self.overrides = dict(overrides or {})
        self.config_path = config.find_config(config_path, self.environ)
        self.settings = self._load()  # a ConfigError here stops the daemon before it starts
        self.notifier = notifier or Notifier(self.environ)
        self.metrics = Metrics().describe(self.settings.org, self.settings.interval)
        self.health = Health(health_age(self.settings))
        self.control = Control()
        self.stop_event, self.reload_event = self.control.stop, self.control.reload
        self.outcomes = Outcomes(self.metrics, self.health, self.notifier)
        self.runtime: Runtime | None = None
        self.lease = LeaseKeeper()
        self.listener = Listener(self.health, self.metrics)
        self.cycles = 0

    def _load(self) -> Settings:
        return config.load(self.config_path, environ=self.environ, overrides=self.overrides)

    def reload(self) -> None:
        self.reload_event.clear()
        try:
            new = self._load()
        except ConfigError as exc:
            logger.error(
                "config.reload_rejected", error=str(exc), action="keeping the running settings"
            )
            return
        changed = changed_settings(self.settings, new)
        if not changed:
            return
        self.settings = new
        self.metrics.describe(new.org, new.interval)
        log.configure(new.log_level)
        register_secrets(new)
        self.health.max_age = health_age(new)
        if "http_listen" in changed:
            self.listener.move(new.http_listen)
        if config.RECONNECT.intersection(changed):
            self.lease.release(self.runtime)  # another organisation or database: hand it on
            self._close_runtime()
        elif self.runtime is not None:
            self.runtime.configure(new)
        logger.info("config.reloaded", changed=changed)

    # --- the loop ------------------------------------------------------------------------

    def run(self) -> int:
        register_secrets(self.settings)
        with StateStore(self.settings.state_dir).lock():
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(signum, self.control.on_signal)
            self.listener.open(self.settings.http_listen)
            self.notifier.ready("started; first cycle running")
            if self.config_path is not None:
                threading.Thread(
                    target=watch_config,
                    args=(self.config_path, self.stop_event, self.control.request_reload),
                    name="config-watch",
                    daemon=True,
                ).start()
            logger.info(
                "daemon.started",
                interval=self.settings.interval,
                config=str(self.config_path) if self.config_path else None,
                state_dir=str(self.settings.state_dir),
                pid=os.getpid(),
            )
            stuck = False
            try:
                self._loop()
            except CycleStuck:
                stuck = True
                raise
            finally:
                self.notifier.stopping()
                if not stuck:  # else the lease expires: releasing it may hang like the cycle
                    self.lease.release(self.runtime)
                    self._close_runtime()
                self.listener.close()
                logger.info("daemon.stopped", cycles=self.cycles)
        return 0

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            if self.reload_event.is_set():
                self.reload()
            outcome = self._run_cycle_bounded()
            release_free_heap()
            if outcome == "stopped":
                return
            if outcome == "standby":  # look again soon: take over within about two intervals
                self._sleep(min(self.settings.interval, lease_ttl(self.settings)) / 3)
            else:
                self._sleep(self._next_delay(outcome == "success"))

    def _next_delay(self, succeeded: bool) -> float:
        return next_delay(self.settings, self.outcomes.failures, succeeded)

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stop_event.is_set() and not self.reload_event.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self.notifier.watchdog_if_due()
            self.lease.renew_if_due(self.runtime)
            self.control.wake.wait(min(remaining, 0.5))
            self.control.wake.clear()

    def _run_cycle_bounded(self) -> str:
        outcome: list[str] = []
        worker = threading.Thread(
            target=lambda: outcome.append(self._cycle()), name="cycle", daemon=True
        )
        worker.start()
        stuck_at = time.monotonic() + self.settings.max_cycle_seconds
        stop_deadline: float | None = None
        while worker.is_alive():
            if time.monotonic() > stuck_at:
                raise stuck(self.settings.max_cycle_seconds, self.notifier)
            self.notifier.watchdog_if_due()  # only while the cycle is within its bound
            self.lease.renew_if_due(self.runtime)  # a long read renews it too
            worker.join(0.25)
            if self.stop_event.is_set() and stop_deadline is None:
                stop_deadline = time.monotonic() + self.settings.stop_timeout
            if stop_deadline is not None and time.monotonic() > stop_deadline:
                logger.warning(
                    "daemon.cycle_abandoned",
                    waited=self.settings.stop_timeout,
                    note="the next start reconciles against the graph",
                )
                return "stopped"
        done = outcome[0] if outcome else "failure"
        return "stopped" if self.stop_event.is_set() else done

    # --- one cycle -----------------------------------------------------------------------

    def _ensure_runtime(self) -> Runtime:
        if self.runtime is None:
            self.runtime = open_runtime(
                self.settings,
                ping_api=True,
                before_batch=self._abandon_if_stopping,
                holder=self.lease.holder,
            )
        return self.runtime

    def _abandon_if_stopping(self, _: str) -> None:
        if self.stop_event.is_set():
            raise CycleAbandoned

    def _failed(self, outcome: str, exc: BaseException, started: float) -> str:
        self.outcomes.failures += 1
        self.outcomes.failed(outcome, exc, started, self._next_delay(False))
        return outcome

    def _close_runtime(self) -> None:
        if self.runtime is not None:
            self.runtime.close()
            self.runtime = None

    def _cycle(self) -> str:
        self.cycles += 1
        started = time.monotonic()
        try:
            runtime = self._ensure_runtime()
            lease = runtime.lease.acquire()
            if not lease.granted:
                self.outcomes.standby(runtime.lease.org, lease.holder, lease.expires)
                return "standby"
            self.lease.renewed = time.monotonic()
            # A full reconcile on the first cycle, on taking over from another holder (this
            # state may be stale) and every Nth: repairs what the counts cannot see.
            every = self.settings.full_reconcile_every
            full = self.cycles == 1 or lease.taken or (every > 0 and self.cycles % every == 0)
            result = runtime.cycle.run(full=full)
        except CycleAbandoned:
            return "stopped"
        except MassDeleteRefused as exc:
            return self._failed("refused", exc, started)
        except OkrsyncError as exc:
            if isinstance(exc, ConfigError | StateError):
                self._close_runtime()
            return self._failed("failure", exc, started)
        except Exception as exc:
            logger.exception("sync.crashed")
            self._close_runtime()
            return self._failed("failure", exc, started)
        finally:
            self.outcomes.api_calls(self.runtime)
        self.outcomes.succeeded(result)
        return "success"


class Outcomes:
    """What the daemon tells the outside about each cycle: metrics, health, sd_notify STATUS=,
    and the count of failures in a row (which sets the backoff)."""

    def __init__(self, metrics: Metrics, health: Health, notifier: Notifier) -> None:
        self.metrics = metrics
        self.health = health
        self.notifier = notifier
        self.failures = 0

    def api_calls(self, runtime: Runtime | None) -> None:
        """The API client's retries and errors since the last call, into the metrics."""
        if runtime is not None:
            client = runtime.client
            self.metrics.record_api(client.retries, client.errors)
            client.retries.clear()
            client.errors.clear()

    def standby(self, org: str, holder: str | None, expires: str | None) -> None:
        """Another okrsync writes this organisation: wait, ready to take over."""
        self.failures = 0
        reason = f"standby: organisation {org} is written by {holder} (lease until {expires})"
        self.metrics.cycles.labels("standby").inc()
        self.metrics.lease_held.set(0)
        self.health.standby(reason)
        self.notifier.status(reason)
        logger.info("lease.standby", org=org, holder=holder, expires=expires)

    def succeeded(self, result: CycleResult) -> None:
        self.failures = 0
        self.metrics.lease_held.set(1)
        summary = result.plan.summary()
        self.metrics.record_success(
            result.timings, summary, result.entities, result.quarantined, result.failed_steps
        )
        self.health.success()
        changes = " ".join(f"{k}={v}" for k, v in summary.items())
        self.notifier.status(
            f"last cycle ok ({result.mode}): {changes} in {result.timings.get('total', 0):.1f}s"
        )

    def failed(self, outcome: str, exc: BaseException, started: float, retry_in: float) -> None:
        self.metrics.cycles.labels(outcome).inc()
        message = str(exc) or type(exc).__name__
        self.health.failure(message)
        dependency = failing_dependency(exc)
        if dependency is not None:
            self.health.dependency(dependency, message)
        logger.error(
            "sync.failed",
            outcome=outcome,
            error=message,
            failures=self.failures,
            retry_in=round(retry_in, 1),
            seconds=round(time.monotonic() - started, 3),
            **failure_details(exc),
        )
        waiting = f", waiting for {dependency}" if dependency else ""
        self.notifier.status(f"last cycle failed ({self.failures}x{waiting}): {message[:200]}")


def failure_details(exc: BaseException) -> dict[str, Any]:
    """What a failure's log line carries beyond its message: the guard's numbers."""
    if isinstance(exc, MassDeleteRefused):
        return {"would_delete": exc.would_delete, "mirrored": exc.mirrored, "limit": exc.limit}
    return {}


def failing_dependency(exc: BaseException) -> str | None:
    """Which dependency a failure is about, for /healthz and STATUS=."""
    if isinstance(exc, ApiError):
        return "api"
    if isinstance(exc, GraphError):
        return "neo4j"
    return None


def watch_config(path: Path, stop: threading.Event, on_change: Callable[[], None]) -> None:
    """Call `on_change` whenever the file at `path` changes, until `stop` is set."""
    from watchfiles import watch

    target = path.resolve()
    # Watch the directory: editors and config managers replace files by renaming.
    for _ in watch(
        target.parent,
        stop_event=stop,
        debounce=200,
        step=50,
        watch_filter=lambda _c, p: Path(p).resolve() == target,
        raise_interrupt=False,
    ):
        on_change()


def stuck(limit: float, notifier: Notifier) -> CycleStuck:
    """The error that ends a daemon whose cycle outlived max_cycle_seconds, said first."""
    message = (
        f"a cycle has run longer than max_cycle_seconds ({limit:g}s): exiting for the"
        " service manager to restart okrsync"
    )
    logger.error("daemon.cycle_stuck", max_cycle_seconds=limit, action="exit 1")
    notifier.status(message)
    return CycleStuck(message)


class Listener:
    """The /healthz and /metrics listener: opened at start, moved when http_listen changes."""

    def __init__(self, health: Health, metrics: Metrics) -> None:
        self.health = health
        self.metrics = metrics
        self.server: ObserveServer | None = None

    def open(self, listen: str | None) -> None:
        self.server = start_listener(listen, self.health, self.metrics)

    def move(self, listen: str | None) -> None:
        """The old listener goes (freeing its port), the new one comes; when the new address
        cannot be had, the old one is opened again."""
        old = self.server.listen if self.server is not None else None
        self.close()
        for address in (listen, old):
            try:
                self.open(address)
                return
            except ConfigError as exc:
                logger.error("http.listen_failed", error=str(exc), fallback=old)

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def start_listener(listen: str | None, health: Health, metrics: Metrics) -> ObserveServer | None:
    """/healthz, /metrics and the Browser files on `listen`, or nothing when it is unset."""
    if not listen:
        return None
    try:
        server = ObserveServer(listen, health, metrics)
    except OSError as exc:
        raise ConfigError(f"http_listen {listen}: cannot listen: {exc.strerror}") from None
    server.start()
    logger.info("http.listening", address=listen, paths=["/healthz", "/metrics"])
    return server


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


_MALLOC_TRIM = _malloc_trim()


def release_free_heap() -> None:
    """Collect cyclic garbage and give the C heap's free pages back to the OS, after a cycle.

    What a cycle frees stays in glibc's heaps (each cycle's worker thread allocates in an arena
    of its own) wherever a live block pins the heap's top. In `okrsync run` at 10k entities this
    handed back 2-9 MB after an incremental cycle and 18-23 MB after a reconcile; it costs
    milliseconds, between cycles."""
    gc.collect()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def next_delay(settings: Settings, failures: int, succeeded: bool) -> float:
    """Seconds until the next cycle: the interval with jitter after a success; after failures,
    fast at first, then backing off, never longer than the interval."""
    interval = settings.interval
    if succeeded:
        jitter = settings.jitter * interval
        return max(0.0, interval + random.uniform(-jitter, jitter))
    backoff: float = FAILURE_BACKOFF_BASE * 2.0 ** min(failures - 1, 10)
    return min(interval, backoff)


def health_age(settings: Settings) -> float:
    """How old the last success may be while /healthz still says healthy."""
    return settings.health_intervals * settings.interval


class Control:
    """What asks the daemon to stop or reload: signals, the config file watcher."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.reload = threading.Event()
        self.wake = threading.Event()  # cuts a sleep short

    def request_stop(self, *_: Any) -> None:
        self.stop.set()
        self.wake.set()

    def request_reload(self, *_: Any) -> None:
        self.reload.set()
        self.wake.set()

    def on_signal(self, signum: int, _: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            self.request_reload()
        else:
            self.request_stop()


class LeaseKeeper:
    """The daemon's side of the write lease: one holder id for the process's life, renewed
    every third of the lease's life between cycles (writes renew it too), released on stop.

    A renewal runs on a thread of its own: with Neo4j gone, one write can spend ~30 s in the
    driver's retries, and the main loop must keep pinging the watchdog and hearing a stop."""

    def __init__(self) -> None:
        self.holder = holder_id()
        self.renewed = 0.0
        self._renewal: threading.Thread | None = None

    def renew_if_due(self, runtime: Runtime | None) -> None:
        if runtime is None or not runtime.lease.held:
            return
        if self._renewal is not None and self._renewal.is_alive():
            return
        if time.monotonic() - self.renewed < runtime.lease.ttl / 3:
            return
        self.renewed = time.monotonic()
        lease = runtime.lease
        self._renewal = threading.Thread(
            target=self._renew, args=(lease,), name="lease-renewal", daemon=True
        )
        self._renewal.start()

    @staticmethod
    def _renew(lease: Lease) -> None:
        try:
            lease.acquire()
        except Exception as exc:  # a heartbeat: the cycle's own fence has the last word
            logger.warning("lease.renew_failed", error=str(exc) or type(exc).__name__)

    def release(self, runtime: Runtime | None, wait: float = 5.0) -> None:
        # A renewal finishing after the release would take the lease again.
        if self._renewal is not None:
            self._renewal.join(wait)
        if runtime is not None:
            try:
                runtime.lease.release()
            except OkrsyncError as exc:
                logger.warning("lease.release_failed", error=str(exc))
