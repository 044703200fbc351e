"""The /healthz and /metrics listener under abuse: idle and half-sent connections are timed out
and capped, its address is checked when the settings load (IPv6 included), and the process's
own resources are in /metrics."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from okrsync import config
from okrsync.errors import ConfigError
from okrsync.observe import Health, Metrics, ObserveServer


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def capped(read_timeout: float) -> Iterator[ObserveServer]:
    port = free_port()
    server = ObserveServer(
        f"127.0.0.1:{port}", Health(60), Metrics(), read_timeout=read_timeout, max_connections=4
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def half_sent(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
    return s


def closed_by_server(s: socket.socket, within: float) -> bool:
    s.settimeout(within)
    try:
        return s.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


class TestConnections:
    def test_connections_beyond_the_cap_are_closed_at_once(self) -> None:
        """12 half-sent requests against a cap of 4: the 8 beyond it are closed unserved and
        counted, and no more than 4 handler threads run."""
        with capped(read_timeout=10.0) as server:
            port = server.server_address[1]
            before = threading.active_count()
            held = []
            try:
                for _ in range(4):
                    held.append(half_sent(port))
                    time.sleep(0.05)  # accepted one by one, in order
                extra = [half_sent(port) for _ in range(8)]
                held += extra
                assert [closed_by_server(s, 2.0) for s in extra] == [True] * 8
                assert threading.active_count() - before <= 4
                assert not any(closed_by_server(s, 0.05) for s in held[:4])
                assert server.metrics.http_rejected._value.get() == 8  # type: ignore[attr-defined]
            finally:
                for s in held:
                    s.close()

    def test_a_half_sent_request_is_dropped_after_the_read_timeout(self) -> None:
        """Held connections are closed by the server after read_timeout, freeing the slots:
        /healthz answers again."""
        with capped(read_timeout=0.5) as server:
            self.held_until_timeout(server.server_address[1])

    @staticmethod
    def held_until_timeout(port: int) -> None:
        held = [half_sent(port) for _ in range(4)]
        try:
            started = time.monotonic()
            assert all(closed_by_server(s, 3.0) for s in held)
            assert time.monotonic() - started < 2.5
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 503
        finally:
            for s in held:
                s.close()


class TestAddress:
    @pytest.mark.parametrize(
        ("value", "problem"),
        [
            ("localhost:abc", "port 'abc' is not a number from 1 to 65535"),
            ("127.0.0.1:70000", "port '70000' is not a number from 1 to 65535"),
            ("9464", "must be host:port, e.g. 127.0.0.1:9464 or [::1]:9464"),
            ("::1:9464", "write an IPv6 address in brackets, e.g. [::1]:9464"),
            ("[nonsense]:9464", "[nonsense] is not an IPv6 address"),
        ],
    )
    def test_bad_http_listen_is_refused_when_the_settings_load(
        self, value: str, problem: str
    ) -> None:
        """Refused with a ConfigError at load, not a crash at start."""
        with pytest.raises(ConfigError) as err:
            config.load(None, environ={"OKRSYNC_HTTP_LISTEN": value})
        assert str(err.value) == f"http_listen {value!r}: {problem}"

    def test_ipv6_loopback_is_served(self) -> None:
        """[::1]:port listens on IPv6 and answers."""
        port = free_port("::1")
        listen = f"[::1]:{port}"
        assert config.load(None, environ={"OKRSYNC_HTTP_LISTEN": listen}).http_listen == listen
        server = ObserveServer(listen, Health(60), Metrics())
        server.start()
        try:
            r = httpx.get(f"http://[::1]:{port}/healthz", timeout=5)
        finally:
            server.stop()
        assert r.status_code == 503 and r.json()["reason"] == "no successful cycle yet"


def test_process_metrics_are_exported() -> None:
    """RSS, open descriptors and CPU time of the process are in /metrics."""
    text = Metrics().render().decode()
    values = {
        name: float(match.group(1))
        for name in (
            "process_resident_memory_bytes",
            "process_open_fds",
            "process_cpu_seconds_total",
            "process_max_fds",
        )
        if (match := re.search(rf"^{name} (\S+)$", text, re.M))
    }
    assert set(values) == {
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_cpu_seconds_total",
        "process_max_fds",
    }
    assert values["process_resident_memory_bytes"] > 10e6
    assert values["process_open_fds"] >= 3
    assert "okrsync_http_connections_rejected_total 0.0" in text.splitlines()
