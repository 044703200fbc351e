"""okrsync's settings: one frozen dataclass, merged file < environment < flags, then validated.

Every failure is a ConfigError whose message names the setting and the problem in one line.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from okrsync.api import WINDOW_END_MS, WINDOW_START_MS, Secret, resolve_base_url
from okrsync.errors import ConfigError

DEFAULT_CONFIG_PATH = Path("/etc/okrsync/okrsync.toml")
LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class Settings:
    base_url: str = "us"
    api_token: Secret | None = None
    api_token_file: Path | None = None
    http_timeout: float = 30.0
    window_start_ms: int = WINDOW_START_MS
    window_end_ms: int = WINDOW_END_MS
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_username: str = "neo4j"
    neo4j_password: Secret | None = None
    neo4j_password_file: Path | None = None
    neo4j_database: str | None = None
    state_dir: Path = Path("~/.local/state/okrsync")
    batch_size: int = 5000
    max_delete_fraction: float = 0.5
    interval: float = 300.0
    jitter: float = 0.1
    full_reconcile_every: int = 12
    log_level: str = "info"
    http_listen: str | None = None
    health_intervals: float = 3.0
    checkins: bool = True
    comments: bool = False
    journal: bool = True
    journal_retention_days: int = 180
    jira_url: str | None = None
    jira_email: str | None = None
    jira_api_token: Secret | None = None
    jira_api_token_file: Path | None = None

    def __repr__(self) -> str:  # secrets are Secret instances: their repr is '***'
        inner = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))
        return f"Settings({inner})"


# environment variable -> setting name
ENV_NAMES = {
    "OKRSYNC_BASE_URL": "base_url",
    "OKRSYNC_API_TOKEN": "api_token",
    "OKRSYNC_API_TOKEN_FILE": "api_token_file",
    "OKRSYNC_HTTP_TIMEOUT": "http_timeout",
    "OKRSYNC_WINDOW_START": "window_start_ms",
    "OKRSYNC_WINDOW_END": "window_end_ms",
    "NEO4J_URI": "neo4j_uri",
    "NEO4J_USERNAME": "neo4j_username",
    "NEO4J_PASSWORD": "neo4j_password",
    "OKRSYNC_NEO4J_PASSWORD_FILE": "neo4j_password_file",
    "NEO4J_DATABASE": "neo4j_database",
    "OKRSYNC_STATE_DIR": "state_dir",
    "OKRSYNC_BATCH_SIZE": "batch_size",
    "OKRSYNC_MAX_DELETE_FRACTION": "max_delete_fraction",
    "OKRSYNC_INTERVAL": "interval",
    "OKRSYNC_JITTER": "jitter",
    "OKRSYNC_FULL_RECONCILE_EVERY": "full_reconcile_every",
    "OKRSYNC_LOG_LEVEL": "log_level",
    "OKRSYNC_HTTP_LISTEN": "http_listen",
    "OKRSYNC_HEALTH_INTERVALS": "health_intervals",
    "OKRSYNC_CHECKINS": "checkins",
    "OKRSYNC_COMMENTS": "comments",
    "OKRSYNC_JOURNAL": "journal",
    "OKRSYNC_JOURNAL_RETENTION_DAYS": "journal_retention_days",
    "JIRA_URL": "jira_url",
    "JIRA_EMAIL": "jira_email",
    "JIRA_API_TOKEN": "jira_api_token",
    "OKRSYNC_JIRA_API_TOKEN_FILE": "jira_api_token_file",
}
_FIELDS = {f.name: f for f in fields(Settings)}
# Friendlier names a config file may use for a setting.
FILE_ALIASES = {
    "token": "api_token",
    "token_file": "api_token_file",
    "window_start": "window_start_ms",
    "window_end": "window_end_ms",
}
# systemd's LoadCredential= names for the two secrets
CREDENTIALS = {
    "api_token": "okr-api-token",
    "neo4j_password": "neo4j-password",
    "jira_api_token": "jira-api-token",
}


def _parse_window(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ConfigError(
                f"{name}: {value!r} is neither epoch milliseconds nor an ISO date"
            ) from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return int(moment.timestamp() * 1000)
    if hasattr(value, "isoformat"):  # TOML dates and datetimes
        return _parse_window(name, value.isoformat())
    raise ConfigError(f"{name}: expected a date or epoch milliseconds, got {type(value).__name__}")


def _coerce(name: str, value: Any) -> Any:
    """Turn a raw value (TOML or environment string) into the setting's type, or explain."""
    if name in ("window_start_ms", "window_end_ms"):
        return _parse_window(name, value)
    default = _FIELDS[name].default
    kind = _FIELDS[name].type
    if name in CREDENTIALS:
        if not isinstance(value, str):
            raise ConfigError(f"{name}: expected a string")
        return Secret(value)
    if value is None:
        return None
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "on", "1"):
            return True
        if text in ("false", "no", "off", "0"):
            return False
        raise ConfigError(f"{name}: expected true or false, got {value!r}")
    if isinstance(default, int) and not isinstance(default, bool):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: expected an integer, got {value!r}") from None
    if isinstance(default, float):
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: expected a number, got {value!r}") from None
    if "Path" in str(kind):
        if not isinstance(value, str):
            raise ConfigError(f"{name}: expected a path string")
        return Path(value)
    if not isinstance(value, str):
        raise ConfigError(f"{name}: expected a string, got {type(value).__name__}")
    return value


def read_file(path: Path) -> dict[str, Any]:
    """A TOML config file as {setting: value}; unknown keys and bad syntax are errors."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        # Tables are allowed for grouping ([api], [neo4j], ...); their keys are the settings.
        items = value.items() if isinstance(value, dict) else [(key, value)]
        for name, item in items:
            alias = FILE_ALIASES.get(name, name)
            if isinstance(value, dict) and key == "neo4j" and not alias.startswith("neo4j_"):
                alias = f"neo4j_{alias}"
            if alias not in _FIELDS:
                raise ConfigError(f"config file {path}: unknown setting {name!r}")
            flat[alias] = _coerce(alias, item)
    return flat


def read_env(environ: Mapping[str, str]) -> dict[str, Any]:
    return {
        name: _coerce(name, environ[var])
        for var, name in ENV_NAMES.items()
        if environ.get(var, "") != ""
    }


def _read_secret_file(name: str, path: Path) -> Secret:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read {path}: {exc.strerror}") from None
    if not value:
        raise ConfigError(f"{name}: {path} is empty")
    return Secret(value)


def _secrets(values: dict[str, Any], environ: Mapping[str, str]) -> None:
    """Secrets: the value itself, else *_file, else the systemd credential of that name."""
    creds = environ.get("CREDENTIALS_DIRECTORY")
    for name, credential in CREDENTIALS.items():
        if values.get(name):
            continue
        file = values.get(f"{name}_file")
        if file is not None:
            values[name] = _read_secret_file(f"{name}_file", Path(file))
        elif creds and (Path(creds) / credential).is_file():
            values[name] = _read_secret_file(f"credential {credential}", Path(creds) / credential)


def validate(s: Settings) -> Settings:
    resolve_base_url(s.base_url)
    if s.neo4j_uri.split("://")[0] not in (
        "bolt",
        "bolt+s",
        "bolt+ssc",
        "neo4j",
        "neo4j+s",
        "neo4j+ssc",
    ):
        raise ConfigError(
            f"neo4j_uri {s.neo4j_uri!r}: the scheme must be bolt:// or neo4j://"
            " (optionally +s or +ssc)"
        )
    if not 0 < s.max_delete_fraction <= 1:
        raise ConfigError("max_delete_fraction must be in (0, 1]")
    if s.batch_size < 1:
        raise ConfigError("batch_size must be at least 1")
    if s.comments and not s.checkins:
        raise ConfigError("comments = true needs checkins = true: comments hang from check-ins")
    if s.interval <= 0:
        raise ConfigError("interval must be positive (seconds)")
    if not 0 <= s.jitter < 1:
        raise ConfigError("jitter must be in [0, 1)")
    if s.http_timeout <= 0:
        raise ConfigError("http_timeout must be positive (seconds)")
    if s.window_start_ms >= s.window_end_ms:
        raise ConfigError("window_start must be before window_end")
    if s.log_level not in LOG_LEVELS:
        raise ConfigError(f"log_level must be one of {', '.join(LOG_LEVELS)}")
    jira = (s.jira_url, s.jira_email, s.jira_api_token)
    if any(jira) and not all(jira):
        raise ConfigError("Jira enrichment needs jira_url, jira_email and jira_api_token together")
    if s.jira_url:
        resolve_base_url(s.jira_url)
    if s.journal_retention_days < 1:
        raise ConfigError("journal_retention_days must be at least 1")
    if s.http_listen is not None and ":" not in s.http_listen:
        raise ConfigError("http_listen must be host:port, e.g. 127.0.0.1:9464")
    return s


def load(
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge the file (explicit, else the default path if it exists), environment and flags."""
    environ = os.environ if environ is None else environ
    if config_path is None and environ.get("OKRSYNC_CONFIG"):
        config_path = Path(environ["OKRSYNC_CONFIG"])
    if config_path is None and DEFAULT_CONFIG_PATH.is_file():
        config_path = DEFAULT_CONFIG_PATH
    values: dict[str, Any] = {}
    if config_path is not None:
        values.update(read_file(config_path))
    values.update(read_env(environ))
    values.update({k: _coerce(k, v) for k, v in (overrides or {}).items() if v is not None})
    _secrets(values, environ)
    if "state_dir" not in values and environ.get("STATE_DIRECTORY"):
        values["state_dir"] = Path(environ["STATE_DIRECTORY"].split(":")[0])
    settings = replace(Settings(), **values)
    settings = replace(settings, state_dir=settings.state_dir.expanduser())
    return validate(settings)


def require_token(settings: Settings) -> Secret:
    if not settings.api_token:
        raise ConfigError(
            "api_token is not set: set OKRSYNC_API_TOKEN, api_token_file, or the okr-api-token"
            " credential"
        )
    return settings.api_token
