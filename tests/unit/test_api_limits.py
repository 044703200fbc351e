"""Every request is bounded: in time as a whole (not only per read), in the size of its answer,
and one that cannot be valid HTTP fails at once without quoting the token."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import httpx
import pytest

from okrsync import config, errors
from okrsync.api import MIB, AnswerLimits, OkrApiClient, RetryPolicy, Secret
from okrsync.jira import JiraClient
from okrsync.testing import objectives_by_date

ONCE = RetryPolicy(max_attempts=1)


@contextmanager
def raw_server(answer: Callable[[socket.socket], None]) -> Iterator[tuple[str, list[bytes]]]:
    """A one-thread TCP server: each connection's request is read, then `answer` writes."""
    listener = socket.create_server(("127.0.0.1", 0))
    requests: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                requests.append(data)
                if data:
                    with suppress(OSError):
                        answer(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", requests
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def drip(conn: socket.socket) -> None:
    """A 200 whose 40-byte body comes one byte every 0.2 s (8 s in all)."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n")
    for byte in b'{"okrs": [], "padding": "xxxxxxxxxxxx"}\n':
        conn.sendall(bytes([byte]))
        time.sleep(0.2)


class TestDeadline:
    def test_a_trickled_answer_fails_at_the_deadline_not_after_it_ends(self) -> None:
        """Each byte arrives well within the read timeout; the whole answer would take 8 s:
        with a 1 s deadline the request is an ApiTimeout after about 1 s."""
        with raw_server(drip) as (url, _):
            client = OkrApiClient(
                url, "t", timeout=1.0, limits=AnswerLimits(deadline=1.0), retry=ONCE
            )
            started = time.monotonic()
            with pytest.raises(errors.ApiTimeout, match=r"longer than http_deadline \(1s\)"):
                objectives_by_date(client, 0, 1)
            assert time.monotonic() - started < 2.5
            client.close()

    def test_the_settings_carry_deadline_and_size(self) -> None:
        """http_deadline (300 s) and max_answer_mib (256) by default, both settable."""
        s = config.load(None, environ={})
        assert (s.http_deadline, s.max_answer_mib) == (300.0, 256)
        env = {"OKRSYNC_HTTP_DEADLINE": "20", "OKRSYNC_MAX_ANSWER_MIB": "64"}
        s = config.load(None, environ=env)
        assert (s.http_deadline, s.max_answer_mib) == (20.0, 64)


class TestAnswerSize:
    def test_an_answer_over_the_limit_stops_being_read(self) -> None:
        """A 64 MiB answer against a 1 MiB limit: ApiAnswerTooLarge after about 1 MiB read."""
        sent: list[int] = []

        def body() -> Iterator[bytes]:
            for _ in range(1024):
                sent.append(1)
                yield b"x" * (64 * 1024)

        client = OkrApiClient(
            "https://okr.test",
            "t",
            transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body())),
            limits=AnswerLimits(max_bytes=1 * MIB),
            retry=RetryPolicy(),
        )
        with pytest.raises(errors.ApiAnswerTooLarge) as err:
            objectives_by_date(client, 0, 1)
        assert str(err.value) == (
            "the OKR API's answer to /api/v2/api-export/objectives/byDate is larger than"
            " max_answer_mib (1 MiB): raise max_answer_mib if the organisation really is that"
            " large"
        )
        assert len(sent) == 17  # 16 chunks fill 1 MiB; the 17th crosses it: not retried
        assert client.requests == 1

    def test_a_declared_length_over_the_limit_is_refused_before_reading(self) -> None:
        """Content-Length says 2 MiB: refused without reading a byte of the body."""

        def body() -> Iterator[bytes]:
            raise AssertionError("the body was read")
            yield b""

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, headers={"Content-Length": str(2 * MIB)}, content=body())

        client = OkrApiClient(
            "https://okr.test",
            "t",
            transport=httpx.MockTransport(handler),
            limits=AnswerLimits(max_bytes=1 * MIB),
        )
        with pytest.raises(errors.ApiAnswerTooLarge):
            objectives_by_date(client, 0, 1)


class TestInvalidRequest:
    def test_a_token_http_refuses_fails_once_without_quoting_it(self) -> None:
        """A token h11 refuses as a header value (a \\r inside): one ApiRequestInvalid, not six
        connect errors, and the message does not hold the token."""
        token = "tok-4f1b9e-7c2d\r"
        with raw_server(drip) as (url, requests):
            client = OkrApiClient(url, Secret(token), retry=RetryPolicy())
            with pytest.raises(errors.ApiRequestInvalid) as err:
                client.ping()
            client.close()
        assert not err.value.retryable
        assert "tok-4f1b9e" not in str(err.value)
        assert "a header value holds a character HTTP forbids" in str(err.value)
        assert client.requests == 1
        assert [r for r in requests if r] == []  # not a byte of it reached the server


class TestJiraIds:
    def test_ids_that_are_digits_only_in_unicode_are_left_out(self) -> None:
        """'²' and '٣' pass str.isdigit() but are no JQL id: they are skipped, not a crash."""
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, json={"issues": [{"id": "10001", "key": "A-1"}]})

        client = JiraClient(
            "https://jira.test",
            "bot@example.com",
            Secret("j"),
            transport=httpx.MockTransport(handler),
        )
        rows = list(client.issues(["²", "10001", "٣", "12²"]))
        assert rows == [
            {"id": "10001", "props": {"key": "A-1", "url": "https://jira.test/browse/A-1"}}
        ]
        assert [r.url.params["jql"] for r in seen] == ["id in (10001)"]
