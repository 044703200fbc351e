"""The OKR for Jira API client: auth, retries, paging, typed errors, the cycle's source reader.

Requests are sequential on purpose: the vendor asks for no parallel fan-out and throttles with
bare 429s (no Retry-After), so we back off exponentially with full jitter instead, for minutes
if need be (a Retry-After, should one come, sets the wait). Each request is bounded in time as
a whole (a server trickling bytes cannot hold a cycle) and in the size of its answer.
"""

from __future__ import annotations

import email.utils
import json
import random
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import structlog

from okrsync import __version__
from okrsync.errors import (
    ApiAnswerTooLarge,
    ApiBadRequest,
    ApiConnectError,
    ApiConnectionRefused,
    ApiError,
    ApiForbidden,
    ApiHostUnknown,
    ApiMissingToken,
    ApiNotFound,
    ApiRequestInvalid,
    ApiServerError,
    ApiStatusError,
    ApiThrottled,
    ApiTimeout,
    ApiUnauthorized,
    ConfigError,
    MalformedPayload,
)
from okrsync.models import Comment, Update, parse_comment_page, parse_update_page
from okrsync.source import RawExport, SourceStream, decode_export

log = structlog.get_logger("okrsync.api")

REGIONS = {
    "us": "https://okr-ppm-prod.appfire.com",
    "eu": "https://eu.okr-ppm-prod.appfire.com",
    "au": "https://au.okr-ppm-prod.appfire.com",
    "ca": "https://ca.okr-ppm-prod.appfire.com",
}

OBJECTIVE_EXPAND = ("KEY_RESULTS", "TEAMS", "PERIODS", "LABELS", "TYPES", "CUSTOM_FIELDS")
# Not OBJECTIVES: that would send every parent objective a second time. A key result whose
# objective lies outside the window gets it fetched by id (okrsync.source).
KEY_RESULT_EXPAND = ("TEAMS", "PERIODS", "LABELS", "TYPES", "CUSTOM_FIELDS")
# "Everything": from the epoch to 2100-01-01.
WINDOW_START_MS = 0
WINDOW_END_MS = 4_102_444_800_000
IDS_PER_REQUEST = 100
OBJECTIVES_BY_DATE = "/api/v2/api-export/objectives/byDate"
KEY_RESULTS_BY_DATE = "/api/v2/api-export/keyResults/byDate"
KEY_RESULTS_BY_IDS = "/api/v2/api-export/keyResults/byIds"
OBJECTIVES_BY_IDS = "/api/v2/api-export/objectives/byIds"
# A parent fetched because it lies outside the window: itself and its lookups, not its KRs.
PARENT_EXPAND = ("TEAMS", "PERIODS", "LABELS", "TYPES", "CUSTOM_FIELDS")
MAX_PAGES = 100_000
MIB = 1024 * 1024

_STATUS_ERRORS: dict[int, type[ApiStatusError]] = {
    400: ApiBadRequest,
    401: ApiUnauthorized,
    403: ApiForbidden,
    404: ApiNotFound,
    429: ApiThrottled,
}


def resolve_base_url(value: str) -> str:
    """A region preset (us, eu, au, ca) or an http(s) URL, without a trailing slash."""
    if value.lower() in REGIONS:
        return REGIONS[value.lower()]
    url = httpx.URL(value)
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(
            f"base_url {value!r} is neither a region ({', '.join(REGIONS)}) nor an http(s) URL"
        )
    return value.rstrip("/")


class Secret:
    """A string that never shows itself in a repr, a log line or a traceback's locals."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter. A failure (no answer, a 5xx) is retried up to
    `max_attempts` within `max_total` seconds: a server that is down fails the cycle quickly,
    and the daemon retries the cycle. Throttling (429) is waited out for up to
    `throttle_budget` seconds whatever the attempts, with waits growing to `throttle_max_delay`:
    a rate limit lasts minutes, and failing the cycle would only fetch everything again."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_total: float = 30.0
    throttle_budget: float = 300.0
    throttle_max_delay: float = 60.0

    def delay(self, exc: ApiError, attempt: int, spent: float, rng: random.Random) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None when the budget is spent."""
        if isinstance(exc, ApiThrottled):
            budget, cap = self.throttle_budget, self.throttle_max_delay
        elif attempt >= self.max_attempts:
            return None
        else:
            budget, cap = self.max_total, self.max_delay
        hinted = exc.retry_after if isinstance(exc, ApiStatusError) else None
        wait = hinted
        if wait is None:
            wait = rng.uniform(0, min(cap, self.base_delay * 2.0 ** min(attempt - 1, 32)))
        return None if spent + wait > budget else wait


@dataclass(frozen=True, slots=True)
class AnswerLimits:
    """How long one request may take in all, and how large its answer may be."""

    deadline: float = 300.0
    max_bytes: int = 256 * MIB


T = TypeVar("T")


def get_json_once(
    http: httpx.Client,
    path: str,
    params: Mapping[str, str | int] | None,
    service: str,
    decode: Callable[[bytearray], Any] = json.loads,
    limits: AnswerLimits = AnswerLimits(),
) -> Any:
    """One GET, its failures as typed ApiErrors naming `service`; no retry here.

    `decode` turns the body into a value; a ValueError from it means "not JSON".
    """
    read = _BodyReader(limits, service, path)
    try:
        with http.stream("GET", path, params=params) as response:
            if response.status_code >= 400:
                read(response)
                raise _error_for(response, path)
            body = read(response)
    except httpx.TimeoutException:
        raise ApiTimeout(f"{service} timed out on {path} ({http.base_url})") from None
    except httpx.LocalProtocolError:
        # h11's message quotes the offending header: the token itself.
        raise ApiRequestInvalid(
            f"the request to {service} ({path}) is not valid HTTP: a header value holds a"
            " character HTTP forbids (check the token for stray characters)"
        ) from None
    except httpx.TransportError as exc:
        kind = _connect_error_kind(exc)
        raise kind(
            f"cannot reach {service} at {http.base_url}: {type(exc).__name__}: {exc}"
        ) from None
    try:
        return decode(body)
    except ValueError:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        kind = response.headers.get("content-type", "no content type")
        raise MalformedPayload(
            f"{service} answered {path} with a body that is not JSON ({kind}, {len(body)} bytes)"
        ) from None


def _connect_error_kind(exc: BaseException) -> type[ApiConnectError]:
    """Which failure to connect: an unknown host, a refused connection, or another."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return ApiHostUnknown
        if isinstance(cause, ConnectionRefusedError):
            return ApiConnectionRefused
        cause = cause.__cause__ or cause.__context__
    return ApiConnectError


class _BodyReader:
    """Reads an answer's body within the request's deadline and size limit."""

    def __init__(self, limits: AnswerLimits, service: str, path: str) -> None:
        self.limits = limits
        self.what = f"{service}'s answer to {path}"
        self.started = time.monotonic()

    def __call__(self, response: httpx.Response) -> bytearray:
        """The body in one buffer: joining a list of chunks would briefly need twice a 100 MB
        export's size. Sized from Content-Length when the body is not encoded (a growing buffer
        ends with up to 1/8 unused: 20 MB over an export's two answers at 100k entities). The
        size counts decoded bytes, so a compressed bomb stops too."""
        declared = response.headers.get("content-length", "")
        exact = 0
        if declared.isascii() and declared.isdigit():
            self._check_size(int(declared))
            if "content-encoding" not in response.headers:
                exact = int(declared)
        body = bytearray(exact)
        size = 0
        for chunk in response.iter_bytes():
            end = size + len(chunk)
            if end <= exact:
                body[size:end] = chunk
            else:  # more than declared: grow from here
                del body[size:]
                body += chunk
                exact = 0
            size = end
            self._check_size(size)
            if time.monotonic() - self.started > self.limits.deadline:
                raise ApiTimeout(
                    f"{self.what} took longer than http_deadline ({self.limits.deadline:g}s)"
                    f" after {size} bytes"
                )
        del body[size:]  # fewer than declared
        return body

    def _check_size(self, size: int) -> None:
        if size > self.limits.max_bytes:
            raise ApiAnswerTooLarge(
                f"{self.what} is larger than max_answer_mib ({self.limits.max_bytes / MIB:g} MiB):"
                " raise max_answer_mib if the organisation really is that large"
            )


def error_kind(exc: ApiError) -> str:
    return str(exc.status) if isinstance(exc, ApiStatusError) else type(exc).__name__


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    rng: random.Random,
    sleep: Callable[[float], None],
    note: Callable[[str, int, float], None],
    clock: Callable[[], float] = time.monotonic,
    *,
    definite_fails: bool = False,
) -> T:
    """call(), retried on retryable ApiErrors with backoff until the policy's budget is spent;
    `definite_fails`: not on a definite answer (no such host, connection refused) either."""
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except ApiError as exc:
            if not exc.retryable or (definite_fails and exc.definite):
                raise
            delay = policy.delay(exc, attempt, clock() - started, rng)
            if delay is None:
                raise
            note(error_kind(exc), attempt, delay)
            sleep(delay)


def _error_for(response: httpx.Response, path: str) -> ApiStatusError:
    status = response.status_code
    if status == 400 and "API-Token" not in response.request.headers:
        return ApiMissingToken(status, path)
    if status >= 500:
        return ApiServerError(status, path, retry_after=retry_after(response))
    kind = _STATUS_ERRORS.get(status, ApiBadRequest)
    return kind(status, path, retry_after=retry_after(response))


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date), when the answer has one."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


class OkrApiClient:
    """Sequential, retrying GETs against one OKR for Jira API host."""

    def __init__(
        self,
        base_url: str,
        token: str | Secret,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        seed: int | None = None,
        limits: AnswerLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        self._token = token if isinstance(token, Secret) else Secret(token)
        self.retry = retry or RetryPolicy()
        self.limits = limits or AnswerLimits()
        self._sleep = sleep
        self._clock = clock
        self._rng = random.Random(seed)
        self.retries: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.requests = 0
        headers = {"Accept": "application/json", "User-Agent": f"okrsync/{__version__}"}
        if self._token:
            headers["API-Token"] = self._token.reveal()
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=min(timeout, self.limits.deadline),
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"OkrApiClient(base_url={self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OkrApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- one request, retried ------------------------------------------------------------

    def get_json(
        self,
        path: str,
        params: dict[str, str | int] | None = None,
        decode: Callable[[bytearray], Any] = json.loads,
        *,
        definite_fails: bool = False,
    ) -> Any:
        """GET path and decode JSON; raises a typed ApiError once retries are exhausted
        (`definite_fails`: at once on an unknown host or a refused connection)."""

        def note(kind: str, attempt: int, delay: float) -> None:
            self.retries[kind] += 1
            log.warning("api.retry", path=path, error=kind, attempt=attempt, delay=round(delay, 3))

        try:
            return call_with_retries(
                lambda: self._get_once(path, params, decode),
                self.retry,
                self._rng,
                self._sleep,
                note,
                self._clock,
                definite_fails=definite_fails,
            )
        except ApiError as exc:
            self.errors[error_kind(exc)] += 1
            raise

    def _get_once(
        self, path: str, params: dict[str, str | int] | None, decode: Callable[[bytearray], Any]
    ) -> Any:
        self.requests += 1
        return get_json_once(self._http, path, params, "the OKR API", decode, self.limits)

    # --- the endpoints -------------------------------------------------------------------

    def export(self, path: str, params: dict[str, str | int]) -> RawExport:
        """One export answer split into raw items (see source.py); parsed lazily by the caller."""
        decoded: RawExport = self.get_json(path, params, decode_export)
        return decoded

    def key_results_by_ids_raw(
        self, ids: Iterable[str], expand: Sequence[str] = KEY_RESULT_EXPAND
    ) -> Iterator[RawExport]:
        for chunk in _chunks(sorted(set(ids)), IDS_PER_REQUEST):
            params: dict[str, str | int] = {"keyResultIds": ",".join(chunk)}
            if expand:
                params["expand"] = ",".join(expand)
            yield self.export(KEY_RESULTS_BY_IDS, params)

    def objectives_by_ids_raw(self, ids: Iterable[str]) -> Iterator[RawExport]:
        for chunk in _chunks(sorted(set(ids)), IDS_PER_REQUEST):
            params: dict[str, str | int] = {
                "objectiveIds": ",".join(chunk),
                "expand": ",".join(PARENT_EXPAND),
            }
            yield self.export(OBJECTIVES_BY_IDS, params)

    def source(self, window: Window | None = None) -> SourceStream:
        """The cycle's reading of the source: objectives by date (with their KRs and lookups),
        then by id the parents they name outside the window, then key results by date (those
        whose own dates fall in the window while their objective's do not), then by id any key
        result an objective lists that neither carried.
        """
        w = window or Window()
        return SourceStream(
            fetch_objectives=lambda: self.export(
                OBJECTIVES_BY_DATE, window_params(w.start_ms, w.end_ms, OBJECTIVE_EXPAND)
            ),
            fetch_key_results=lambda: self.export(
                KEY_RESULTS_BY_DATE, window_params(w.start_ms, w.end_ms, KEY_RESULT_EXPAND)
            ),
            fetch_key_results_by_ids=self.key_results_by_ids_raw,
            fetch_objectives_by_ids=self.objectives_by_ids_raw,
        )

    def iter_updates(
        self,
        *,
        later_than_ms: int | None = None,
        entity_id: str | None = None,
        page_size: int = 1000,
        max_pages: int = MAX_PAGES,
    ) -> Iterator[Update]:
        """The check-in feed, newest first, one page in memory at a time."""
        params: dict[str, str | int] = {"pageSize": page_size}
        if later_than_ms is not None:
            params["laterThan"] = later_than_ms
        if entity_id is not None:
            params["entityId"] = entity_id
        for page in self._pages("updates", params, max_pages):
            yield from parse_update_page(page).updates

    def iter_comments(
        self, *, later_than_ms: int | None = None, page_size: int = 1000, max_pages: int = MAX_PAGES
    ) -> Iterator[Comment]:
        """The comments on check-ins, newest first, one page in memory at a time."""
        params: dict[str, str | int] = {"pageSize": page_size}
        if later_than_ms is not None:
            params["laterThan"] = later_than_ms
        for page in self._pages("updateComments", params, max_pages):
            yield from parse_comment_page(page).comments

    def _pages(
        self, feed: str, params: dict[str, str | int], max_pages: int
    ) -> Iterator[dict[str, Any]]:
        """A cursor-paged feed's answers, until one has no nextCursor."""
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(max_pages):
            page = self.get_json(f"/api/v2/api-export/{feed}", {**params, **_cursor(cursor)})
            yield page
            next_cursor = page.get("nextCursor") if isinstance(page, dict) else None
            cursor = next_cursor if isinstance(next_cursor, str) and next_cursor else None
            if cursor is None:
                return
            if cursor in seen:
                raise MalformedPayload(f"the {feed} feed repeated cursor {cursor!r:.40}")
            seen.add(cursor)
        raise MalformedPayload(f"the {feed} feed did not end within {max_pages} pages")

    def ping(self) -> None:
        """One cheap authenticated request: raises on a bad token, host or region, at once
        when the answer is definite (a check reports it; a sync would retry)."""
        self.get_json(KEY_RESULTS_BY_IDS, {"keyResultIds": "okrsync-ping"}, definite_fails=True)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True, slots=True)
class Window:
    """Objectives and key results whose start and/or due date fall in [start_ms, end_ms]."""

    start_ms: int = WINDOW_START_MS
    end_ms: int = WINDOW_END_MS


def _cursor(cursor: str | None) -> dict[str, str | int]:
    return {} if cursor is None else {"cursor": cursor}


def window_params(start_ms: int, end_ms: int, expand: Sequence[str]) -> dict[str, str | int]:
    return {
        "startDateEpochMilli": start_ms,
        "deadlineEpochMilli": end_ms,
        "expand": ",".join(expand),
    }
