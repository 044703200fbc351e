"""structlog set-up: JSON lines off a terminal (journald), console on one; secrets redacted.

Redaction runs twice: on the event's values (secret-named keys, known secret values), and on
the finished line, after tracebacks are formatted and the renderer has run, so that no text a
secret reached on its way out (an exception's message, a traceback's frames) keeps it.
`redact` does the same for the other texts okrsync sends out (/healthz, sd_notify STATUS=,
the command line's error line).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any, TextIO, cast

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
MASK = "***"
# A secret this long is redacted wherever it occurs; a shorter one (the demo's token "demo")
# only where it stands as a word of its own, or it would also mask paths and names holding it.
SUBSTRING_MIN = 8
# What delimits a word for a short secret: whitespace, quotes, brackets, separators and the
# backslash of an escape (b'demo\r'); not '/', '.', '-' or '_', which names and paths contain.
_EDGE = r"""\s'"`()\[\]{}<>,;:=\\"""


def _alternative(form: str) -> str:
    escaped = re.escape(form)
    if len(form) >= SUBSTRING_MIN:
        return escaped
    return f"(?<![^{_EDGE}]){escaped}(?![^{_EDGE}])"


class SecretRedactor:
    """Replaces known secret values anywhere in an event's values or in a text, and the values
    of secret-named keys."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: list[str] = []
        self._pattern: re.Pattern[str] | None = None
        self.set(secrets)

    def set(self, secrets: Iterable[str]) -> None:
        # Longest first, so that a secret containing another is masked whole; each also in its
        # JSON-escaped form, which is how a rendered line carries it.
        found = {s for s in secrets if s}
        self.secrets = sorted(found, key=len, reverse=True)
        forms = sorted({f for s in found for f in (s, json.dumps(s)[1:-1])}, key=len, reverse=True)
        alternatives = [_alternative(f) for f in forms]
        self._pattern = re.compile("|".join(alternatives)) if alternatives else None

    def text(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(MASK, value)

    def __call__(self, _: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        scrubbed: EventDict = self._scrub(event_dict)
        return scrubbed

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, MutableMapping):
            return {
                k: MASK if str(k).lower() in SECRET_KEYS else self._scrub(v)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return type(value)(self._scrub(v) for v in value)
        return value


_redactor = SecretRedactor()


def reset_secrets() -> None:
    """Forget every registered secret (tests: one test's secrets must not leak into another's)."""
    _redactor.set(())


def add_secrets(*secrets: str) -> None:
    """Register secret values that must never reach a log line or any other outward text."""
    _redactor.set({*_redactor.secrets, *secrets})


def redact(text: str) -> str:
    """A text about to leave the process with every registered secret masked."""
    return _redactor.text(text)


def _redact_rendered(_: WrappedLogger, __: str, line: Any) -> Any:
    """The last processor: the finished line, traceback included, redacted once more."""
    return _redactor.text(line) if isinstance(line, str) else line


class _ToStructlog(logging.Handler):
    """Library log records (the neo4j driver's retries, ...) as structlog events, same format."""

    def emit(self, record: logging.LogRecord) -> None:
        structlog.get_logger(record.name).log(
            record.levelno, "library.log", message=record.getMessage()
        )


class _CurrentStderr:
    """sys.stderr as it is at each write, not as it was at set-up: while progress bars are drawn
    (okrsync.progress) rich stands in for it and prints each line above them."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def configure(level: str = "info", stream: TextIO | None = None, json: bool | None = None) -> None:
    stream = stream or cast(TextIO, _CurrentStderr())
    as_json = not stream.isatty() if json is None else json
    processors: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if as_json:
        processors += [
            structlog.processors.format_exc_info,
            _redactor,
            structlog.processors.JSONRenderer(sort_keys=False, default=str),
        ]
    else:
        processors += [_redactor, structlog.dev.ConsoleRenderer()]
    processors.append(_redact_rendered)
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS.get(level, logging.INFO)),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    root = logging.getLogger()
    root.handlers = [_ToStructlog()]
    root.setLevel(logging.WARNING)
