"""The API client against httpx.MockTransport: typed errors, retries, paging, secrecy."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
import structlog
from structlog.testing import capture_logs

from okrsync import errors
from okrsync.api import REGIONS, OkrApiClient, RetryPolicy, resolve_base_url
from okrsync.errors import ConfigError
from okrsync.testing import objectives_by_date

TOKEN = "tok-9f8e7d6c5b4a"
FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.02, max_total=5)


class FakeClock:
    """Time that passes only when the client sleeps: waits are recorded, never spent."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def client_for(handler: Callable[[httpx.Request], httpx.Response], **kw: object) -> OkrApiClient:
    clock = FakeClock()
    c = OkrApiClient(
        "https://okr.test",
        TOKEN,
        transport=httpx.MockTransport(handler),
        retry=kw.pop("retry", FAST),
        sleep=clock.sleep,
        clock=clock,
        seed=1,
        **kw,
    )  # type: ignore[arg-type]
    c.sleeps = clock.sleeps  # type: ignore[attr-defined]
    return c


def counting(status: int, body: bytes = b"{}") -> tuple[list[httpx.Request], Callable]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=body)

    return seen, handler


class TestBaseUrl:
    @pytest.mark.parametrize("region", ["us", "eu", "au", "ca", "EU"])
    def test_region_presets(self, region: str) -> None:
        """Region names resolve to the vendor's hosts."""
        assert resolve_base_url(region) == REGIONS[region.lower()]

    def test_custom_url_keeps_path_without_trailing_slash(self) -> None:
        """Any http(s) URL works: older hosts, a proxy, the simulator."""
        assert resolve_base_url("http://127.0.0.1:8089/") == "http://127.0.0.1:8089"

    @pytest.mark.parametrize("bad", ["mars", "ftp://x", "okr-ppm-prod.appfire.com"])
    def test_nonsense_is_a_config_error(self, bad: str) -> None:
        """Neither a region nor a URL: a ConfigError naming base_url."""
        with pytest.raises(ConfigError, match="base_url"):
            resolve_base_url(bad)


class TestAuth:
    def test_token_goes_only_in_the_api_token_header(self) -> None:
        """API-Token carries the token; no Authorization header is sent."""
        seen, handler = counting(200, b'{"okrs": []}')
        objectives_by_date(client_for(handler), 0, 1)
        (request,) = seen
        assert request.headers["API-Token"] == TOKEN
        assert "authorization" not in request.headers
        assert "authentication" not in request.headers
        assert TOKEN not in str(request.url)

    def test_expand_and_window_are_sent(self) -> None:
        """byDate sends the window and the comma-separated expand list."""
        seen, handler = counting(200, b"{}")
        objectives_by_date(client_for(handler), 5, 10)
        params = seen[0].url.params
        assert params["startDateEpochMilli"] == "5"
        assert params["deadlineEpochMilli"] == "10"
        assert params["expand"] == "KEY_RESULTS,TEAMS,PERIODS,LABELS,TYPES,CUSTOM_FIELDS"


class TestErrors:
    @pytest.mark.parametrize(
        ("status", "error", "requests"),
        [
            (400, errors.ApiBadRequest, 1),
            (401, errors.ApiUnauthorized, 1),
            (403, errors.ApiForbidden, 1),
            (404, errors.ApiNotFound, 1),
            (500, errors.ApiServerError, 4),
            (503, errors.ApiServerError, 4),
        ],
    )
    def test_status_maps_to_typed_error_and_retries_only_when_it_should(
        self, status: int, error: type[Exception], requests: int
    ) -> None:
        """4xx other than 429 fail at once; 5xx are retried up to the cap (429: TestThrottling)."""
        seen, handler = counting(status)
        client = client_for(handler)
        with pytest.raises(error) as info:
            objectives_by_date(client, 0, 1)
        assert len(seen) == requests
        assert len(client.sleeps) == requests - 1  # type: ignore[attr-defined]
        assert str(status) in str(info.value)

    def test_missing_token_is_its_own_error(self) -> None:
        """A 400 for a request without API-Token says to set the token."""
        _, handler = counting(400)
        c = OkrApiClient("https://okr.test", "", transport=httpx.MockTransport(handler), retry=FAST)
        with pytest.raises(errors.ApiMissingToken, match="OKRSYNC_API_TOKEN"):
            objectives_by_date(c, 0, 1)

    def test_retry_succeeds_after_transient_failures(self) -> None:
        """Two 429s then a 200: the answer arrives, two retries were counted."""
        answers = iter([429, 502, 200])

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(next(answers), content=b'{"okrs": [{"id": "o1"}]}')

        client = client_for(handler)
        data = objectives_by_date(client, 0, 1)
        assert [o.id for o in data.objectives] == ["o1"]
        assert dict(client.retries) == {"429": 1, "502": 1}

    def test_backoff_grows_and_is_capped_by_total_time(self) -> None:
        """Delays stay within the exponential envelope and the total-time cap stops retries."""
        seen, handler = counting(500)
        policy = RetryPolicy(max_attempts=50, base_delay=1.0, max_delay=4.0, max_total=0.0)
        client = client_for(handler, retry=policy)
        with pytest.raises(errors.ApiServerError):
            objectives_by_date(client, 0, 1)
        assert len(seen) == 1  # a zero time budget allows no retry at all
        client = client_for(
            handler, retry=RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=4.0)
        )
        with pytest.raises(errors.ApiServerError):
            objectives_by_date(client, 0, 1)
        ceilings = [1.0, 2.0, 4.0, 4.0]
        assert all(0 <= d <= c for d, c in zip(client.sleeps, ceilings, strict=True))  # type: ignore[attr-defined]

    def test_timeout_and_connection_errors_are_retried_then_typed(self) -> None:
        """Transport failures become ApiTimeout / ApiConnectError after the retries."""
        for exc, error in (
            (httpx.ReadTimeout("slow"), errors.ApiTimeout),
            (httpx.ConnectError("refused"), errors.ApiConnectError),
        ):
            calls: list[int] = []

            def handler(
                request: httpx.Request, exc: Exception = exc, calls: list[int] = calls
            ) -> httpx.Response:
                calls.append(1)
                raise exc

            with pytest.raises(error):
                objectives_by_date(client_for(handler), 0, 1)
            assert len(calls) == 4

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            (b"<html>502</html>", "not JSON"),
            (b'{"okrs": [{"id": "o"', "not JSON"),
            (b'{"okrs": [{"name": "x"}]}', r"okrs\[0\].id is missing"),
            (b"[1,2]", "JSON object"),
        ],
    )
    def test_bodies_that_are_not_the_documented_shape(self, body: bytes, message: str) -> None:
        """Not JSON, truncated JSON, or the wrong shape: MalformedPayload, not retried."""
        seen, handler = counting(200, body)
        with pytest.raises(errors.MalformedPayload, match=message):
            objectives_by_date(client_for(handler), 0, 1)
        assert len(seen) == 1


class TestThrottling:
    @staticmethod
    def answers(*responses: httpx.Response) -> tuple[list[httpx.Request], Callable]:
        seen: list[httpx.Request] = []
        queue = list(responses)

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return queue.pop(0) if len(queue) > 1 else queue[0]

        return seen, handler

    def test_a_rate_limit_is_waited_out_for_minutes_not_seconds(self) -> None:
        """Twelve 429s in a row (more than any attempt cap) are waited out, then the answer."""
        throttled = [httpx.Response(429, json={"message": "slow down"})] * 12
        seen, handler = self.answers(*throttled, httpx.Response(200, json={"okrs": []}))
        client = client_for(handler, retry=RetryPolicy())
        assert objectives_by_date(client, 0, 1).objectives == ()
        assert len(seen) == 13
        assert len(client.sleeps) == 12  # type: ignore[attr-defined]
        assert sum(client.sleeps) <= RetryPolicy().throttle_budget  # type: ignore[attr-defined]
        assert dict(client.retries) == {"429": 12}

    def test_retry_after_sets_the_wait(self) -> None:
        """Retry-After in seconds, then as an HTTP date in the past: waits of 7 s and 0 s."""
        seen, handler = self.answers(
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
            httpx.Response(200, json={"okrs": []}),
        )
        client = client_for(handler, retry=RetryPolicy())
        objectives_by_date(client, 0, 1)
        assert client.sleeps == [7.0, 0.0]  # type: ignore[attr-defined]
        assert len(seen) == 3

    def test_throttling_stops_once_its_budget_is_spent(self) -> None:
        """Waits of 100 s against a 300 s budget: three waits, then ApiThrottled."""
        seen, handler = self.answers(httpx.Response(429, headers={"Retry-After": "100"}))
        client = client_for(handler, retry=RetryPolicy(throttle_budget=300.0))
        with pytest.raises(errors.ApiThrottled, match="429"):
            objectives_by_date(client, 0, 1)
        assert client.sleeps == [100.0, 100.0, 100.0]  # type: ignore[attr-defined]
        assert len(seen) == 4


class TestSecrecy:
    def test_token_never_in_logs_errors_or_reprs(self) -> None:
        """Through retries and a final failure the token appears in no log, message or repr."""
        _, handler = counting(503)
        client = client_for(handler)
        with capture_logs() as logs, pytest.raises(errors.ApiServerError) as info:
            objectives_by_date(client, 0, 1)
        assert len(logs) == 3 and {e["event"] for e in logs} == {"api.retry"}
        text = json.dumps(logs, default=str) + str(info.value) + repr(info.value) + repr(client)
        assert TOKEN not in text
        assert TOKEN not in repr(client._token)
        structlog.reset_defaults()


class TestPaging:
    def test_updates_pages_until_next_cursor_is_absent(self) -> None:
        """Three pages via nextCursor, laterThan passed through, all updates yielded in order."""
        pages = {None: (["u1", "u2"], "c1"), "c1": (["u3"], "c2"), "c2": (["u4"], None)}
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            ids, nxt = pages[request.url.params.get("cursor")]
            body: dict = {"updates": [{"updateId": i, "entityId": "e"} for i in ids]}
            if nxt:
                body["nextCursor"] = nxt
            return httpx.Response(200, json=body)

        updates = list(client_for(handler).iter_updates(later_than_ms=123, page_size=2))
        assert [u.id for u in updates] == ["u1", "u2", "u3", "u4"]
        assert [r.url.params.get("laterThan") for r in seen] == ["123"] * 3
        assert [r.url.params.get("pageSize") for r in seen] == ["2"] * 3

    def test_comments_page_like_updates(self) -> None:
        """The comments feed: the same cursor paging, every field parsed, replies named."""
        pages = {None: (["c1", "c2"], "x"), "x": (["c3"], None)}

        def handler(request: httpx.Request) -> httpx.Response:
            ids, nxt = pages[request.url.params.get("cursor")]
            body: dict = {
                "comments": [
                    {
                        "commentId": i,
                        "updateId": "u1",
                        "text": f"say {i}",
                        "authorAccountId": "a1",
                        "replyToCommentId": "c3" if i == "c1" else None,
                        "created": "2026-02-15T14:30:00+0000",
                        "lastEdited": None,
                    }
                    for i in ids
                ]
            }
            if nxt:
                body["nextCursor"] = nxt
            return httpx.Response(200, json=body)

        comments = list(client_for(handler).iter_comments(later_than_ms=5))
        assert [(c.id, c.reply_to_id, c.text) for c in comments] == [
            ("c1", "c3", "say c1"),
            ("c2", None, "say c2"),
            ("c3", None, "say c3"),
        ]
        assert comments[0].created == datetime(2026, 2, 15, 14, 30, tzinfo=UTC)

    def test_a_repeating_cursor_cannot_hang_the_daemon(self) -> None:
        """A server that returns the same cursor forever is a MalformedPayload, quickly."""
        seen, handler = counting(200, b'{"updates": [], "nextCursor": "same"}')
        with pytest.raises(errors.MalformedPayload, match="repeated cursor"):
            list(client_for(handler).iter_updates())
        assert len(seen) == 2

    def test_page_count_is_bounded(self) -> None:
        """Ever-new cursors stop at max_pages."""
        counter = iter(range(10_000))

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"updates": [], "nextCursor": str(next(counter))})

        with pytest.raises(errors.MalformedPayload, match="did not end within 5 pages"):
            list(client_for(handler).iter_updates(max_pages=5))
