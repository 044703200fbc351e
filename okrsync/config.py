"""okrsync's settings, each declared once as a field of the frozen `Settings` dataclass.

A declaration (`setting(...)`) carries the type (the annotation), the default, the environment
variable, the config-file section and aliases, whether a change needs a reconnect, a secret's
systemd credential, and one line of documentation. Everything else is derived from it:
`ENV_NAMES`, `RECONNECT`, `CREDENTIALS`, `FILE_ALIASES`, the example config file
(`python -m okrsync.config example`) and the settings table of docs/operating.md
(`python -m okrsync.config table`).

Values merge file < environment < flags, then are validated. Every failure is a ConfigError whose
one-line message names what the user set (the file key, the environment variable or the setting)
and never shows a secret.
"""

from __future__ import annotations

import json
import os
import re
import ssl
import sys
import textwrap
import tomllib
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import Field, dataclass, field, fields, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

import httpx
import structlog

from okrsync.addresses import (
    AddressError,
    has_userinfo,
    is_loopback,
    parse_listen,
    without_userinfo,
)
from okrsync.api import REGIONS, WINDOW_END_MS, WINDOW_START_MS, Secret, resolve_base_url
from okrsync.errors import ConfigError

log = structlog.get_logger("okrsync.config")

DEFAULT_CONFIG_PATH = Path("/etc/okrsync/okrsync.toml")
LOG_LEVELS = ("debug", "info", "warning", "error")
ORG_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

Section = Literal["api", "neo4j", "sync", "history", "jira", "daemon"]
SECTIONS: tuple[Section, ...] = get_args(Section)
# Inside these tables a key may drop the table's prefix: [neo4j] uri is neo4j_uri.
_SHORT_KEY_SECTIONS = frozenset({"neo4j"})
_SPEC = "okrsync.setting"
_T = TypeVar("_T")


class _Invalid(Exception):
    """A value's problem without saying whose: the caller prefixes the name the user set."""


def _parse_window(value: Any) -> int:
    """A window bound: epoch milliseconds, an ISO date or datetime (UTC unless it says)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise _Invalid(f"{value!r} is neither epoch milliseconds nor an ISO date") from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return int(moment.timestamp() * 1000)
    if hasattr(value, "isoformat"):  # TOML dates and datetimes
        return _parse_window(value.isoformat())
    raise _Invalid(f"expected a date or epoch milliseconds, got {type(value).__name__}")


def _show_window(ms: int) -> date | datetime:
    """A window bound as the example file writes it: a date when it falls on midnight UTC."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.date() if moment.time() == datetime.min.time() else moment


@dataclass(frozen=True)
class Spec:
    """What a Settings field declares besides its type and default (see `setting`)."""

    env: str
    section: Section
    doc: str
    reconnect: bool
    aliases: tuple[str, ...]
    credential: str | None
    parse: Callable[[Any], Any] | None
    show: Callable[[Any], Any] | None
    example: object


def setting(
    default: _T,
    *,
    env: str,
    section: Section,
    doc: str,
    reconnect: bool = False,
    aliases: tuple[str, ...] = (),
    credential: str | None = None,
    parse: Callable[[Any], Any] | None = None,
    show: Callable[[Any], Any] | None = None,
    example: object = None,
) -> _T:
    """Declare one Settings field.

    env: its environment variable; section: the config-file table the example shows it in;
    doc: one line for the example file and the settings table; reconnect: a change needs new
    connections; aliases: other file keys (the first is the one the example shows);
    credential: a secret's systemd LoadCredential= name; parse/show: a value from a file or the
    environment and back, when the type alone does not say; example: a value the example file
    shows commented out (for a setting unset by default, or whose default depends on the host).
    """
    spec = Spec(env, section, doc, reconnect, aliases, credential, parse, show, example)
    return field(default=default, metadata={_SPEC: spec})


# One field per setting, each declared once with setting(...). The dataclass repr is safe to
# log: secrets are Secret instances, whose repr is Secret('***').
@dataclass(frozen=True)
class ApiSettings:
    """The OKR API: where, with which token, which window."""

    base_url: str = setting(
        "us",
        env="OKRSYNC_BASE_URL",
        section="api",
        reconnect=True,
        doc=f"A region preset ({', '.join(REGIONS)}) or any http(s) URL (older hosts, a proxy);"
        " a token sent to the wrong region sees an empty organisation.",
    )
    api_token: Secret | None = setting(
        None,
        env="OKRSYNC_API_TOKEN",
        section="api",
        reconnect=True,
        aliases=("token",),
        credential="okr-api-token",
        doc="The OKR for Jira API token (never logged).",
    )
    api_token_file: Path | None = setting(
        None,
        env="OKRSYNC_API_TOKEN_FILE",
        section="api",
        aliases=("token_file",),
        example="/etc/okrsync/okr-api-token",
        doc="A file holding the API token.",
    )
    http_timeout: float = setting(
        30.0,
        env="OKRSYNC_HTTP_TIMEOUT",
        section="api",
        reconnect=True,
        doc="Seconds to connect, or to wait for the next bytes of an answer, before a request"
        " counts as a timeout (retried with backoff).",
    )
    http_deadline: float = setting(
        300.0,
        env="OKRSYNC_HTTP_DEADLINE",
        section="api",
        reconnect=True,
        doc="Seconds one HTTP request may take in all, its whole answer included: a server"
        " trickling bytes cannot hold a cycle longer (a timeout, retried with backoff).",
    )
    max_answer_mib: int = setting(
        256,
        env="OKRSYNC_MAX_ANSWER_MIB",
        section="api",
        reconnect=True,
        doc="The largest answer accepted, in MiB; a larger one fails the cycle with an error"
        " saying so (a 100k-entity organisation's export is about 100 MiB).",
    )
    allow_insecure_http: bool = setting(
        False,
        env="OKRSYNC_ALLOW_INSECURE_HTTP",
        section="api",
        doc="Accept a plain http:// base_url or jira_url for a host other than this machine,"
        " which sends the token unencrypted; http:// to localhost is always accepted.",
    )
    window_start_ms: int = setting(
        WINDOW_START_MS,
        env="OKRSYNC_WINDOW_START",
        section="api",
        aliases=("window_start",),
        parse=_parse_window,
        show=_show_window,
        doc="Only objectives / key results whose start or due date falls in the window from"
        " here to window_end are mirrored; an ISO date or epoch milliseconds.",
    )
    window_end_ms: int = setting(
        WINDOW_END_MS,
        env="OKRSYNC_WINDOW_END",
        section="api",
        aliases=("window_end",),
        parse=_parse_window,
        show=_show_window,
        doc="The end of that window; an ISO date or epoch milliseconds.",
    )


@dataclass(frozen=True)
class Neo4jSettings:
    """The Neo4j database the mirror lives in."""

    neo4j_uri: str = setting(
        "bolt://127.0.0.1:7687",
        env="NEO4J_URI",
        section="neo4j",
        reconnect=True,
        doc="bolt:// or neo4j:// (cluster / Aura routing); +s for TLS with certificate checks,"
        " +ssc for TLS accepting a self-signed certificate.",
    )
    neo4j_username: str = setting(
        "neo4j", env="NEO4J_USERNAME", section="neo4j", reconnect=True, doc="The Neo4j user."
    )
    neo4j_password: Secret | None = setting(
        None,
        env="NEO4J_PASSWORD",
        section="neo4j",
        reconnect=True,
        credential="neo4j-password",
        doc="The Neo4j password (never logged).",
    )
    neo4j_password_file: Path | None = setting(
        None,
        env="OKRSYNC_NEO4J_PASSWORD_FILE",
        section="neo4j",
        example="/etc/okrsync/neo4j-password",
        doc="A file holding the Neo4j password.",
    )
    neo4j_database: str | None = setting(
        None,
        env="NEO4J_DATABASE",
        section="neo4j",
        reconnect=True,
        example="okrs",
        doc="The database to mirror into; unset means the server's default.",
    )
    neo4j_trusted_ca: Path | None = setting(
        None,
        env="OKRSYNC_NEO4J_TRUSTED_CA",
        section="neo4j",
        reconnect=True,
        example="/etc/okrsync/neo4j-ca.pem",
        doc="A private CA's certificate (PEM) to check the server's certificate against instead"
        " of the system's CAs; needs a +s scheme.",
    )
    neo4j_transaction_timeout: float = setting(
        300.0,
        env="OKRSYNC_NEO4J_TRANSACTION_TIMEOUT",
        section="neo4j",
        reconnect=True,
        doc="Seconds the server lets one okrsync transaction run before it terminates it; each"
        " is named (okrsync, version, cycle) in SHOW TRANSACTIONS and query.log.",
    )


@dataclass(frozen=True)
class SyncSettings:
    """What a cycle does and how often."""

    org: str = setting(
        "default",
        env="OKRSYNC_ORG",
        section="sync",
        reconnect=True,
        doc="The organisation mirrored: every node and relationship okrsync writes carries it,"
        " and it never reads or touches another's (okrsync@NAME.service sets NAME).",
    )
    state_dir: Path = setting(
        Path("~/.local/state/okrsync"),
        env="OKRSYNC_STATE_DIR",
        section="sync",
        reconnect=True,
        example="/var/lib/okrsync",
        doc="Where the state of the last committed cycle (state.db) and the lock live; by default"
        " $STATE_DIRECTORY (systemd's StateDirectory=), else ~/.local/state/okrsync.",
    )
    # 2000, not 5000: a 100k-entity first load peaked at 277 MB instead of 312-325 MB (the
    # rows in flight) and took as long (55.7-58.1 s against 54.9-62.5 s, bench scale).
    batch_size: int = setting(
        2000, env="OKRSYNC_BATCH_SIZE", section="sync", doc="Rows per write transaction."
    )
    max_delete_fraction: float = setting(
        0.5,
        env="OKRSYNC_MAX_DELETE_FRACTION",
        section="sync",
        doc="Refuse a cycle that would delete more than this fraction of the mirrored objectives"
        " and key results (an empty answer from the wrong region, a lost permission).",
    )
    lease_seconds: float | None = setting(
        None,
        env="OKRSYNC_LEASE_SECONDS",
        section="sync",
        example=450.0,
        doc="How long the organisation's write lease outlives its holder's last renewal: a"
        " standby takes over that long after the active okrsync dies (unset: 1.5 x interval,"
        " at least 3).",
    )
    max_deletes: int | None = setting(
        None,
        env="OKRSYNC_MAX_DELETES",
        section="sync",
        example=1000,
        doc="Also refuse a cycle that would delete more nodes than this; unset: no absolute cap.",
    )
    interval: float = setting(
        300.0, env="OKRSYNC_INTERVAL", section="sync", doc="Seconds between cycles."
    )
    jitter: float = setting(
        0.1,
        env="OKRSYNC_JITTER",
        section="sync",
        doc="The random +/- fraction added to the interval.",
    )
    full_reconcile_every: int = setting(
        12,
        env="OKRSYNC_FULL_RECONCILE_EVERY",
        section="sync",
        doc="Every Nth cycle (and the first) reconciles against the graph's actual content,"
        " repairing hand edits; 0 turns the periodic reconcile off.",
    )


@dataclass(frozen=True)
class DaemonSettings:
    """The daemon's logging, listener and stop."""

    log_level: str = setting(
        "info", env="OKRSYNC_LOG_LEVEL", section="daemon", doc=f"One of {', '.join(LOG_LEVELS)}."
    )
    http_listen: str | None = setting(
        None,
        env="OKRSYNC_HTTP_LISTEN",
        section="daemon",
        example="127.0.0.1:9464",
        doc="host:port for /healthz and /metrics (Prometheus); unset means off.",
    )
    health_intervals: float = setting(
        3.0,
        env="OKRSYNC_HEALTH_INTERVALS",
        section="daemon",
        doc="/healthz answers 503 when the last success is older than this many intervals.",
    )
    stop_timeout: float = setting(
        20.0,
        env="OKRSYNC_STOP_TIMEOUT",
        section="daemon",
        doc="Seconds a stop waits for a cycle in flight before abandoning it.",
    )
    max_cycle_seconds: float = setting(
        1800.0,
        env="OKRSYNC_MAX_CYCLE_SECONDS",
        section="daemon",
        doc="A cycle running longer than this is stuck: the daemon stops pinging the systemd"
        " watchdog and exits with status 1, so that systemd restarts it.",
    )


@dataclass(frozen=True)
class HistorySettings:
    """Check-ins, comments and the change journal."""

    checkins: bool = setting(
        True,
        env="OKRSYNC_CHECKINS",
        section="history",
        doc="Mirror the API's check-in feed as (:Update) nodes, incrementally.",
    )
    comments: bool = setting(
        False,
        env="OKRSYNC_COMMENTS",
        section="history",
        doc="Also mirror the comments on check-ins as (:Comment) nodes (needs checkins).",
    )
    journal: bool = setting(
        True,
        env="OKRSYNC_JOURNAL",
        section="history",
        doc="Record every cycle that changed something as (:SyncRun) with its (:Change)s.",
    )
    journal_retention_days: int = setting(
        180,
        env="OKRSYNC_JOURNAL_RETENTION_DAYS",
        section="history",
        doc="Journal entries older than this many days are pruned.",
    )


@dataclass(frozen=True)
class JiraSettings:
    """Optional Jira enrichment of Issue nodes."""

    jira_url: str | None = setting(
        None,
        env="JIRA_URL",
        section="jira",
        reconnect=True,
        example="https://your-site.atlassian.net",
        doc="Optional: fill (:Issue) nodes with key, summary, status, issueType, assignee and url"
        " from this Jira Cloud site's search API; needs jira_email and jira_api_token too.",
    )
    jira_email: str | None = setting(
        None,
        env="JIRA_EMAIL",
        section="jira",
        reconnect=True,
        example="okrsync-bot@example.com",
        doc="The Jira account the Jira API token belongs to.",
    )
    jira_api_token: Secret | None = setting(
        None,
        env="JIRA_API_TOKEN",
        section="jira",
        reconnect=True,
        credential="jira-api-token",
        doc="The Jira API token (never logged).",
    )
    jira_api_token_file: Path | None = setting(
        None,
        env="OKRSYNC_JIRA_API_TOKEN_FILE",
        section="jira",
        example="/etc/okrsync/jira-api-token",
        doc="A file holding the Jira API token.",
    )


@dataclass(frozen=True)
class Settings(
    JiraSettings, HistorySettings, DaemonSettings, SyncSettings, Neo4jSettings, ApiSettings
):
    """Every setting: one field per setting, declared in its section's class above (a class per
    config-file section keeps each readable); the file order follows the sections."""


@dataclass(frozen=True)
class Declared:
    """One setting as declared: its name, its type without `| None`, its default and Spec."""

    name: str
    kind: type
    optional: bool
    default: Any
    spec: Spec

    @property
    def secret(self) -> bool:
        return self.kind is Secret

    @property
    def file_key(self) -> str:
        """The key the example file writes it as, inside its section's table."""
        if self.spec.aliases:
            return self.spec.aliases[0]
        if self.spec.section in _SHORT_KEY_SECTIONS:
            return self.name.removeprefix(f"{self.spec.section}_")
        return self.name


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise _Invalid(f"expected true or false, got {value!r}")


def _to_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise _Invalid(f"expected an integer, got {value!r}") from None


def _to_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _Invalid(f"expected a number, got {value!r}") from None


def _to_str(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected a string, got {type(value).__name__}")
    return value


def _to_path(value: Any) -> Path:
    if not isinstance(value, str):
        raise _Invalid("expected a path string")
    return Path(value)


def _to_secret(value: Any) -> Secret:
    if not isinstance(value, str):
        raise _Invalid("expected a string")  # and never the value: it is a secret
    return _clean_secret(value)


def _clean_secret(value: str) -> Secret:
    """Without the surrounding whitespace a CRLF file or a Kubernetes secret adds; a control
    character left inside cannot go into an HTTP header (and is never shown)."""
    text = value.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _Invalid("contains a control character (the value is not shown)")
    return Secret(text)


_COERCE: dict[type, Callable[[Any], Any]] = {
    bool: _to_bool,
    int: _to_int,
    float: _to_float,
    str: _to_str,
    Path: _to_path,
    Secret: _to_secret,
}


def _declare(spec_field: Field[Any], hint: Any) -> Declared:
    """A field and its resolved annotation: T or T | None, T one of the coercible types."""
    args = get_args(hint) if get_origin(hint) in (Union, types.UnionType) else (hint,)
    kinds = [a for a in args if a is not type(None)]
    spec = spec_field.metadata.get(_SPEC)
    if len(kinds) != 1 or spec is None:
        raise TypeError(f"Settings.{spec_field.name}: declare it with setting(), as T or T | None")
    if spec.parse is None and kinds[0] not in _COERCE:
        raise TypeError(f"Settings.{spec_field.name}: {kinds[0]} needs parse=")
    return Declared(spec_field.name, kinds[0], len(kinds) < len(args), spec_field.default, spec)


def _declarations() -> dict[str, Declared]:
    hints = get_type_hints(Settings)
    return {f.name: _declare(f, hints[f.name]) for f in fields(Settings)}


DECLARED = _declarations()
# environment variable -> setting name
ENV_NAMES = {d.spec.env: name for name, d in DECLARED.items()}
# Settings whose change needs new connections (the rest apply to the next cycle as they are).
RECONNECT = frozenset(name for name, d in DECLARED.items() if d.spec.reconnect)
# secret setting -> its systemd LoadCredential= name
CREDENTIALS = {name: c for name, c in ((n, d.spec.credential) for n, d in DECLARED.items()) if c}
# Friendlier names a config file may use for a setting.
FILE_ALIASES = {alias: name for name, d in DECLARED.items() for alias in d.spec.aliases}


def _coerce(label: str, name: str, value: Any) -> Any:
    """A raw value (TOML, environment string or flag) as the setting's type; `label` is what
    the user set it as, and starts the error message."""
    declared = DECLARED.get(name)
    if declared is None:
        raise ConfigError(f"{label}: unknown setting")
    if value is None and declared.optional:
        return None
    try:
        return (declared.spec.parse or _COERCE[declared.kind])(value)
    except _Invalid as exc:
        raise ConfigError(f"{label}: {exc}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def _file_entries(raw: Mapping[str, Any]) -> Iterator[tuple[str | None, str, Any]]:
    """(table or None, key, value): tables only group ([api], [neo4j], ...) the settings."""
    for key, value in raw.items():
        if isinstance(value, dict):
            yield from ((key, name, item) for name, item in value.items())
        else:
            yield None, key, value


def _file_setting(table: str | None, key: str) -> str:
    name = FILE_ALIASES.get(key, key)
    if table in _SHORT_KEY_SECTIONS and not name.startswith(f"{table}_"):
        return f"{table}_{name}"
    return name


def read_file(path: Path) -> dict[str, Any]:
    """A TOML config file as {setting: value}; unknown keys and bad syntax are errors."""
    flat: dict[str, Any] = {}
    for table, key, value in _file_entries(_read_toml(path)):
        name = _file_setting(table, key)
        if name not in DECLARED:
            raise ConfigError(f"config file {path}: unknown setting {key!r}")
        written = key if table is None else f"{table}.{key}"
        flat[name] = _coerce(f"config file {path}: {written}", name, value)
    return flat


def read_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings the environment sets (an empty variable counts as unset)."""
    return {
        name: _coerce(d.spec.env, name, environ[d.spec.env])
        for name, d in DECLARED.items()
        if environ.get(d.spec.env, "") != ""
    }


def _read_secret_file(name: str, path: Path, *, empty_ok: bool = False) -> Secret | None:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: {path} is not UTF-8 text") from None
    try:
        value = _clean_secret(raw)
    except _Invalid as exc:
        raise ConfigError(f"{name}: {path} {exc}") from None
    if not value:
        if empty_ok:
            return None
        raise ConfigError(f"{name}: {path} is empty")
    return value


def warn_if_exposed(path: Path, holds: str) -> None:
    """A file holding a secret that the group or others can read: a warning naming it."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # reading it says what is wrong
    if mode & 0o044:
        log.warning(
            "config.secret_file_readable",
            path=str(path),
            holds=holds,
            mode=oct(mode & 0o777),
            fix=f"chmod 600 {path} (or 640 for a group the service runs as)",
        )


def _secrets(values: dict[str, Any], environ: Mapping[str, str]) -> None:
    """Secrets: the value itself, else *_file, else the systemd credential of that name (an
    empty credential counts as unset: the units pass an empty one for an optional secret)."""
    creds = environ.get("CREDENTIALS_DIRECTORY")
    for name, credential in CREDENTIALS.items():
        if values.get(name):
            continue
        file = values.get(f"{name}_file")
        if file is not None:
            warn_if_exposed(Path(file), name)
            values[name] = _read_secret_file(f"{name}_file", Path(file))
        elif creds and (Path(creds) / credential).is_file():
            path = Path(creds) / credential
            values[name] = _read_secret_file(f"credential {credential}", path, empty_ok=True)


def validate(s: Settings) -> Settings:
    _validate_api(s)
    _validate_neo4j(s)
    _validate_sync(s)
    _validate_daemon(s)
    if s.batch_size < 1:
        raise ConfigError("batch_size must be at least 1")
    if s.comments and not s.checkins:
        raise ConfigError("comments = true needs checkins = true: comments hang from check-ins")
    if s.journal_retention_days < 1:
        raise ConfigError("journal_retention_days must be at least 1")
    return s


def _validate_api(s: Settings) -> None:
    """The OKR API and Jira: where, how long, how much."""
    _check_url("base_url", s.base_url, s.allow_insecure_http)
    if s.http_timeout <= 0:
        raise ConfigError("http_timeout must be positive (seconds)")
    if s.http_deadline <= 0:
        raise ConfigError("http_deadline must be positive (seconds)")
    if s.max_answer_mib < 1:
        raise ConfigError("max_answer_mib must be at least 1")
    if s.window_start_ms >= s.window_end_ms:
        raise ConfigError("window_start must be before window_end")
    jira = (s.jira_url, s.jira_email, s.jira_api_token)
    if any(jira) and not all(jira):
        raise ConfigError("Jira enrichment needs jira_url, jira_email and jira_api_token together")
    if s.jira_url:
        _check_url("jira_url", s.jira_url, s.allow_insecure_http)


def _check_url(name: str, value: str, insecure_ok: bool) -> None:
    """A region or an http(s) URL; plain http only to this machine unless allowed."""
    try:
        url = httpx.URL(resolve_base_url(value))
    except ConfigError:
        raise ConfigError(
            f"{name} {without_userinfo(value)!r} is neither a region ({', '.join(REGIONS)})"
            " nor an http(s) URL"
        ) from None
    if url.scheme == "http" and not is_loopback(url.host) and not insecure_ok:
        raise ConfigError(
            f"{name} {without_userinfo(value)!r}: plain http:// to another host sends the token"
            " unencrypted; use https://, or set allow_insecure_http = true"
        )


def _validate_daemon(s: Settings) -> None:
    """The loop's timing, its logging and its listener."""
    if s.interval <= 0:
        raise ConfigError("interval must be positive (seconds)")
    if not 0 <= s.jitter < 1:
        raise ConfigError("jitter must be in [0, 1)")
    if s.log_level not in LOG_LEVELS:
        raise ConfigError(f"log_level must be one of {', '.join(LOG_LEVELS)}")
    if s.http_listen is not None:
        try:
            parse_listen(s.http_listen)
        except AddressError as exc:
            raise ConfigError(f"http_listen {s.http_listen!r}: {exc}") from None
    if s.stop_timeout < 0:
        raise ConfigError("stop_timeout must not be negative (seconds)")
    if s.max_cycle_seconds <= 0:
        raise ConfigError("max_cycle_seconds must be positive (seconds)")


def _validate_neo4j(s: Settings) -> None:
    """No credentials in the URI, its scheme, and a trusted CA only where certificates are
    checked against one."""
    shown = without_userinfo(s.neo4j_uri)
    if has_userinfo(s.neo4j_uri):
        raise ConfigError(
            f"neo4j_uri {shown!r}: no user or password in the URI (it would be shown in"
            " errors); set neo4j_username and neo4j_password"
        )
    scheme = s.neo4j_uri.split("://")[0]
    if scheme not in ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"):
        raise ConfigError(
            f"neo4j_uri {shown!r}: the scheme must be bolt:// or neo4j:// (optionally +s or +ssc)"
        )
    if s.neo4j_transaction_timeout <= 0:
        raise ConfigError("neo4j_transaction_timeout must be positive (seconds)")
    if s.neo4j_trusted_ca is None:
        return
    if not scheme.endswith("+s"):
        without = "accepts any certificate" if scheme.endswith("+ssc") else "does not use TLS"
        raise ConfigError(
            f"neo4j_trusted_ca needs a +s scheme (bolt+s:// or neo4j+s://): neo4j_uri"
            f" {shown!r} {without}"
        )
    _check_trusted_ca(s.neo4j_trusted_ca)


def _check_trusted_ca(path: Path) -> None:
    """The CA file loads as the driver will load it: PEM, at least one certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=path)
    except FileNotFoundError:
        raise ConfigError(f"neo4j_trusted_ca: {path} does not exist") from None
    except ssl.SSLError:  # before OSError, which it is
        raise ConfigError(f"neo4j_trusted_ca: {path} holds no PEM certificate") from None
    except OSError as exc:
        raise ConfigError(f"neo4j_trusted_ca: cannot read {path}: {exc.strerror}") from None


def _validate_sync(s: Settings) -> None:
    """The organisation and the deletion guard."""
    if not 0 < s.max_delete_fraction < 1:
        raise ConfigError(
            "max_delete_fraction must be above 0 and below 1 (1 would turn the deletion guard"
            " off; use --allow-mass-delete for one cycle)"
        )
    if s.lease_seconds is not None and s.lease_seconds < 1:
        raise ConfigError("lease_seconds must be at least 1 (or unset)")
    if s.max_deletes is not None and s.max_deletes < 1:
        raise ConfigError("max_deletes must be at least 1 (or unset)")
    if not ORG_NAME.fullmatch(s.org):
        raise ConfigError(
            f"org {s.org!r}: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )


def find_config(explicit: Path | None, environ: Mapping[str, str]) -> Path | None:
    """The config file to read: the one given, else $OKRSYNC_CONFIG, else the default path if
    it exists, else none (environment and defaults only)."""
    if explicit is not None:
        return explicit
    if environ.get("OKRSYNC_CONFIG"):
        return Path(environ["OKRSYNC_CONFIG"])
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.is_file() else None


def load(
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge the file (explicit, else the default path if it exists), environment and flags."""
    environ = os.environ if environ is None else environ
    path = find_config(config_path, environ)
    values: dict[str, Any] = {}
    if path is not None:
        values.update(read_file(path))
        held = [name for name in CREDENTIALS if values.get(name)]
        if held:
            warn_if_exposed(path, ", ".join(held))
    values.update(read_env(environ))
    values.update({k: _coerce(k, k, v) for k, v in (overrides or {}).items() if v is not None})
    _secrets(values, environ)
    if "state_dir" not in values and environ.get("STATE_DIRECTORY"):
        values["state_dir"] = Path(environ["STATE_DIRECTORY"].split(":")[0])
    settings = replace(Settings(), **values)
    settings = replace(settings, state_dir=settings.state_dir.expanduser())
    return validate(settings)


def lease_ttl(settings: Settings) -> float:
    """Seconds the write lease lasts after its last renewal (see lease_seconds)."""
    if settings.lease_seconds is not None:
        return settings.lease_seconds
    return max(1.5 * settings.interval, 3.0)


def require_token(settings: Settings) -> Secret:
    if not settings.api_token:
        raise ConfigError(
            f"api_token is not set: set {DECLARED['api_token'].spec.env}, api_token_file, or the"
            f" {CREDENTIALS['api_token']} credential"
        )
    return settings.api_token


# What derives for the reader: the example config file and docs/operating.md's settings table.

_EXAMPLE_HEADER = """\
# okrsync configuration. Copy to /etc/okrsync/okrsync.toml (or pass --config PATH).
# Precedence: this file < environment variables < command-line flags.
# Every setting is shown with its default; a commented-out one shows an example value instead
# (a secret, or a setting unset by default or whose default depends on the host).
# The running daemon re-reads this file when it changes (or on SIGHUP / systemctl reload); an
# invalid new file is rejected with an error log and the running settings stay.
# Generated by `python -m okrsync.config example` from okrsync/config.py: edit it there."""
_WIDTH = 100


def _toml(value: object) -> str:
    """A value as TOML writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    if isinstance(value, str | Path):
        return json.dumps(str(value))  # a JSON string is a TOML basic string
    raise TypeError(f"no TOML form for {value!r}")


def _shown_default(d: Declared) -> object:
    return d.default if d.spec.show is None or d.default is None else d.spec.show(d.default)


def _commented_out(d: Declared) -> bool:
    return d.secret or d.default is None or d.spec.example is not None


def _doc(d: Declared) -> str:
    """The doc line, plus where a secret can also come from (derived, not written twice)."""
    if d.spec.credential is None:
        return d.spec.doc
    companion = DECLARED[f"{d.name}_file"].file_key
    return f'{d.spec.doc} Prefer {companion} or the systemd credential "{d.spec.credential}".'


def _example_lines(d: Declared) -> list[str]:
    comment = textwrap.wrap(
        f"{_doc(d)} Env:\N{NO-BREAK SPACE}{d.spec.env}",  # "Env: X" stays on one line
        width=_WIDTH - 2,
        break_long_words=False,
        break_on_hyphens=False,
    )
    comment = [line.replace("\N{NO-BREAK SPACE}", " ") for line in comment]
    if not _commented_out(d):
        return [*(f"# {line}" for line in comment), f"{d.file_key} = {_toml(_shown_default(d))}"]
    example = "" if d.spec.example is None and d.secret else d.spec.example
    return [*(f"# {line}" for line in comment), f"# {d.file_key} = {_toml(example)}"]


def _in_section(section: Section) -> list[Declared]:
    return [d for d in DECLARED.values() if d.spec.section == section]


def render_example() -> str:
    """deploy/okrsync.example.toml: every setting with its default and doc, by section."""
    lines = _EXAMPLE_HEADER.splitlines()
    for section in SECTIONS:
        lines += ["", f"[{section}]"]
        for d in _in_section(section):
            lines += _example_lines(d)
    return "\n".join(lines) + "\n"


def render_table() -> str:
    """docs/operating.md's markdown table of the settings, in the example file's order."""
    rows = [
        "| setting | in the file | variable | default | meaning |",
        "|---|---|---|---|---|",
    ]
    for section in SECTIONS:
        for d in _in_section(section):
            default = "—" if d.default is None else f"`{_toml(_shown_default(d))}`"
            meaning = _doc(d).replace("|", "\\|")
            rows.append(
                f"| `{d.name}` | `[{section}] {d.file_key}` | `{d.spec.env}` | {default}"
                f" | {meaning} |"
            )
    return "\n".join(rows) + "\n"


def _main(argv: Sequence[str]) -> int:
    renderers = {"example": render_example, "table": render_table}
    if len(argv) != 1 or argv[0] not in renderers:
        print("usage: python -m okrsync.config example|table", file=sys.stderr)
        return 2
    sys.stdout.write(renderers[argv[0]]())
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
