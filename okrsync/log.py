"""structlog set-up: JSON lines off a terminal (journald), console on one; secrets redacted."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}
SECRET_KEYS = frozenset(
    {"token", "api_token", "password", "neo4j_password", "authorization", "api-token", "secret"}
)


class SecretRedactor:
    """Replaces known secret values anywhere in an event's values, and secret-named keys."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = [s for s in secrets if s]

    def __call__(self, _: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        scrubbed: EventDict = self._scrub(event_dict)
        return scrubbed

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self.secrets:
                if secret in value:
                    value = value.replace(secret, "***")
            return value
        if isinstance(value, MutableMapping):
            return {
                k: "***" if str(k).lower() in SECRET_KEYS else self._scrub(v)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return type(value)(self._scrub(v) for v in value)
        return value


_redactor = SecretRedactor()


def reset_secrets() -> None:
    """Forget every registered secret (tests: one test's secrets must not leak into another's)."""
    _redactor.secrets = []


def add_secrets(*secrets: str) -> None:
    """Register secret values that must never reach a log line."""
    _redactor.secrets = sorted(
        {*_redactor.secrets, *(s for s in secrets if s)}, key=len, reverse=True
    )


class _ToStructlog(logging.Handler):
    """Library log records (the neo4j driver's retries, ...) as structlog events, same format."""

    def emit(self, record: logging.LogRecord) -> None:
        structlog.get_logger(record.name).log(
            record.levelno, "library.log", message=record.getMessage()
        )


def configure(level: str = "info", stream: TextIO | None = None, json: bool | None = None) -> None:
    stream = stream or sys.stderr
    as_json = not stream.isatty() if json is None else json
    processors: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redactor,
    ]
    if as_json:
        processors += [
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(sort_keys=False, default=str),
        ]
    else:
        processors.append(structlog.dev.ConsoleRenderer())
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS.get(level, logging.INFO)),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    root = logging.getLogger()
    root.handlers = [_ToStructlog()]
    root.setLevel(logging.WARNING)
