"""Every error okrsync raises on purpose, as one tree so callers catch what they mean.

OkrsyncError
├── ConfigError                  a setting is missing or invalid
├── ApiError                     the OKR API did not give us a usable answer
│   ├── ApiRequestInvalid        the request itself cannot be sent (a header h11 refuses)
│   ├── ApiTransportError        no HTTP answer at all
│   │   ├── ApiTimeout           no answer in time (http_timeout) or not all of it (http_deadline)
│   │   └── ApiConnectError
│   ├── ApiStatusError           an HTTP answer with an error status
│   │   ├── ApiMissingToken      400 (the API's answer to a request without API-Token)
│   │   ├── ApiBadRequest        other 400s
│   │   ├── ApiUnauthorized      401
│   │   ├── ApiForbidden         403
│   │   ├── ApiNotFound          404
│   │   ├── ApiThrottled         429
│   │   └── ApiServerError       5xx
│   ├── ApiAnswerTooLarge        an answer over max_answer_mib
│   └── MalformedPayload         an answer that is not JSON or not the documented shape
├── GraphError                   Neo4j refused or could not be reached
│   └── LeaseLost                another okrsync took this organisation's write lease
├── LeaseHeld                    another okrsync writes this organisation (one-shot sync)
├── StateError                   the state directory cannot be used
├── MassDeleteRefused            the deletion guard stopped a cycle
└── UsageError                   the command line names what does not exist or does not fit
"""

from __future__ import annotations


class OkrsyncError(Exception):
    """Base of every expected okrsync failure: its message is one line for the user."""


class ConfigError(OkrsyncError):
    """A setting is missing or invalid; the message names the setting."""


class ApiError(OkrsyncError):
    """The OKR API did not give a usable answer."""

    retryable = False
    # The same request would get the same answer now (no such host, nothing listening): a
    # check says so at once; a sync still retries what may be a restart.
    definite = False


class ApiRequestInvalid(ApiError):
    """The request could not be sent as valid HTTP (never retried: it would fail again)."""


class ApiTransportError(ApiError):
    retryable = True


class ApiTimeout(ApiTransportError):
    pass


class ApiConnectError(ApiTransportError):
    pass


class ApiHostUnknown(ApiConnectError):
    """The base URL's host name does not resolve (a typo, a wrong region)."""

    definite = True


class ApiConnectionRefused(ApiConnectError):
    """The host refused the connection: nothing listens on the base URL's port."""

    definite = True


class ApiStatusError(ApiError):
    """An HTTP error status; `status` is the code, `hint` says what to do about it."""

    hint = "see the HTTP status"

    def __init__(
        self, status: int, path: str, detail: str = "", retry_after: float | None = None
    ) -> None:
        self.status = status
        self.path = path
        self.retry_after = retry_after  # seconds the server asked us to wait, when it said
        message = f"OKR API answered {status} for {path}: {self.hint}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)


class ApiMissingToken(ApiStatusError):
    hint = "the API-Token header was missing; set OKRSYNC_API_TOKEN"


class ApiBadRequest(ApiStatusError):
    hint = "the API rejected the request parameters"


class ApiUnauthorized(ApiStatusError):
    hint = "the API token is invalid or was revoked; generate a new one in OKR for Jira settings"


class ApiForbidden(ApiStatusError):
    hint = "OKR for Jira is not installed or the token's user lacks permission"


class ApiNotFound(ApiStatusError):
    hint = "no such endpoint or entity; check the base URL"


class ApiThrottled(ApiStatusError):
    hint = "throttled by the API; retried with backoff"
    retryable = True


class ApiServerError(ApiStatusError):
    hint = "the API failed on its side; retried with backoff"
    retryable = True


class ApiAnswerTooLarge(ApiError):
    """An answer larger than max_answer_mib: not read further, not retried."""


class MalformedPayload(ApiError):
    """The answer was not JSON, or not the shape the OpenAPI description documents."""


class GraphError(OkrsyncError):
    """Neo4j could not be reached or refused a write."""


class LeaseLost(GraphError):
    """A write found the organisation's lease held by another okrsync: nothing was written."""


class LeaseHeld(OkrsyncError):
    """Another okrsync holds the organisation's write lease."""


class StateError(OkrsyncError):
    """The state directory cannot be read or written."""


class MassDeleteRefused(OkrsyncError):
    """The deletion guard refused a cycle that would delete too much of the mirror."""

    def __init__(self, would_delete: int, mirrored: int, limit: str) -> None:
        self.would_delete = would_delete
        self.mirrored = mirrored
        self.limit = limit
        super().__init__(
            f"refusing to delete {would_delete} of the {mirrored} nodes this organisation "
            f"mirrors ({limit}); nothing was written. Likely causes, most likely first: the API "
            "answered an empty tenant (wrong region or base URL), the token's user lost access "
            "to projects, the date window now excludes most OKRs. Re-run with "
            "--allow-mass-delete if the deletion is real."
        )


class UsageError(OkrsyncError):
    """The command line names a query or parameter that does not exist, or gives a value that
    does not fit its type: the command exits 2, as for argparse's own usage errors."""
