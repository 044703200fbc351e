"""Settings: file < env < flags, secrets, errors naming what the user set, and what derives
from the one declaration per setting (environment map, reconnect set, example file, the settings
table in docs/operating.md)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from okrsync import config
from okrsync.api import Secret
from okrsync.config import Settings
from okrsync.errors import ConfigError
from tests.tls import make_authority

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "okrsync.example.toml"
EXPECTED_ENV_NAMES = {
    "OKRSYNC_BASE_URL": "base_url",
    "OKRSYNC_API_TOKEN": "api_token",
    "OKRSYNC_API_TOKEN_FILE": "api_token_file",
    "OKRSYNC_HTTP_TIMEOUT": "http_timeout",
    "OKRSYNC_HTTP_DEADLINE": "http_deadline",
    "OKRSYNC_MAX_ANSWER_MIB": "max_answer_mib",
    "OKRSYNC_ALLOW_INSECURE_HTTP": "allow_insecure_http",
    "OKRSYNC_WINDOW_START": "window_start_ms",
    "OKRSYNC_WINDOW_END": "window_end_ms",
    "NEO4J_URI": "neo4j_uri",
    "NEO4J_USERNAME": "neo4j_username",
    "NEO4J_PASSWORD": "neo4j_password",
    "OKRSYNC_NEO4J_PASSWORD_FILE": "neo4j_password_file",
    "NEO4J_DATABASE": "neo4j_database",
    "OKRSYNC_NEO4J_TRUSTED_CA": "neo4j_trusted_ca",
    "OKRSYNC_NEO4J_TRANSACTION_TIMEOUT": "neo4j_transaction_timeout",
    "OKRSYNC_ORG": "org",
    "OKRSYNC_LEASE_SECONDS": "lease_seconds",
    "OKRSYNC_MAX_DELETES": "max_deletes",
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
    "OKRSYNC_STOP_TIMEOUT": "stop_timeout",
    "OKRSYNC_MAX_CYCLE_SECONDS": "max_cycle_seconds",
}
EXPECTED_RECONNECT = frozenset(
    {
        "base_url",
        "api_token",
        "http_timeout",
        "http_deadline",
        "max_answer_mib",
        "neo4j_uri",
        "neo4j_username",
        "neo4j_password",
        "neo4j_database",
        "neo4j_trusted_ca",
        "neo4j_transaction_timeout",
        "org",
        "state_dir",
        "jira_url",
        "jira_email",
        "jira_api_token",
    }
)

ENV = {"OKRSYNC_API_TOKEN": "env-token", "NEO4J_PASSWORD": "pw"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "okrsync.toml"
    path.write_text(text)
    return path


class TestConfig:
    def test_defaults(self) -> None:
        """With nothing set: the US region, local Neo4j, 5-minute interval, half-delete guard."""
        s = config.load(None, environ={})
        assert (s.base_url, s.neo4j_uri, s.interval, s.max_delete_fraction, s.batch_size) == (
            "us",
            "bolt://127.0.0.1:7687",
            300.0,
            0.5,
            2000,
        )
        assert s.api_token is None

    def test_file_then_env_then_flags(self, tmp_path: Path) -> None:
        """The environment beats the file, flags beat both."""
        path = write(
            tmp_path,
            'base_url = "eu"\ninterval = 60\nlog_level = "debug"\n'
            '[neo4j]\nuri = "neo4j+s://db.example:7687"\n',
        )
        s = config.load(
            path, environ={"OKRSYNC_INTERVAL": "30", **ENV}, overrides={"log_level": "warning"}
        )
        assert (s.base_url, s.interval, s.log_level, s.neo4j_uri) == (
            "eu",
            30.0,
            "warning",
            "neo4j+s://db.example:7687",
        )
        assert s.api_token is not None and s.api_token.reveal() == "env-token"

    def test_window_accepts_dates_and_epoch_ms(self, tmp_path: Path) -> None:
        """window_start as a TOML date, window_end as epoch milliseconds."""
        s = config.load(
            write(tmp_path, "window_start = 2026-01-01\nwindow_end = 1798761600000\n"), environ={}
        )
        assert (s.window_start_ms, s.window_end_ms) == (1767225600000, 1798761600000)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("interval = 'soon'", "interval: expected a number"),
            ("nonsense = 1", "unknown setting 'nonsense'"),
            ("interval = [", "not valid TOML"),
            ("max_delete_fraction = 2.0", "max_delete_fraction must be above 0 and below 1"),
            ("max_delete_fraction = 1.0", "1 would turn the deletion guard off"),
            ("max_deletes = 0", "max_deletes must be at least 1"),
            ("org = 'a b'", "org 'a b': 1-64 letters"),
            ("org = ''", "org '': 1-64 letters"),
            ("base_url = 'mars'", "base_url 'mars'"),
            ("[neo4j]\nuri = 'http://x'", "neo4j_uri 'http://x'"),
            ("log_level = 'loud'", "log_level must be one of"),
            ("[history]\ncheckins = false\ncomments = true", "comments = true needs checkins"),
        ],
    )
    def test_invalid_file_names_key_and_problem(
        self, tmp_path: Path, text: str, message: str
    ) -> None:
        """A bad file is one ConfigError naming the key."""
        with pytest.raises(ConfigError, match=message):
            config.load(write(tmp_path, text), environ={})

    def test_invalid_env_names_setting(self) -> None:
        """A bad environment value names the setting by the variable the user set."""
        with pytest.raises(ConfigError) as err:
            config.load(None, environ={"OKRSYNC_BATCH_SIZE": "lots"})
        assert str(err.value) == "OKRSYNC_BATCH_SIZE: expected an integer, got 'lots'"

    def test_secret_from_file_and_from_systemd_credentials(self, tmp_path: Path) -> None:
        """*_file beats the credentials directory; both are read and stripped."""
        (tmp_path / "tok").write_text("file-token\n")
        creds = tmp_path / "creds"
        creds.mkdir()
        (creds / "okr-api-token").write_text("cred-token")
        (creds / "neo4j-password").write_text("cred-pw\n")
        s = config.load(
            None,
            environ={
                "OKRSYNC_API_TOKEN_FILE": str(tmp_path / "tok"),
                "CREDENTIALS_DIRECTORY": str(creds),
            },
        )
        assert s.api_token is not None and s.api_token.reveal() == "file-token"
        assert s.neo4j_password is not None and s.neo4j_password.reveal() == "cred-pw"

    def test_missing_secret_file_is_a_config_error(self, tmp_path: Path) -> None:
        """A token file that is not there is named."""
        with pytest.raises(ConfigError, match="api_token_file: cannot read"):
            config.load(None, environ={"OKRSYNC_API_TOKEN_FILE": str(tmp_path / "nope")})

    def test_repr_hides_secrets(self) -> None:
        """Printing Settings never shows the token or password."""
        s = config.load(None, environ=ENV)
        assert "env-token" not in repr(s) and "pw'" not in repr(s)


class TestDerived:
    def test_env_names_are_exact(self) -> None:
        """Each environment variable maps to its setting, and nothing else does."""
        assert config.ENV_NAMES == EXPECTED_ENV_NAMES

    def test_reconnect_credentials_and_aliases_are_exact(self) -> None:
        """The reconnect set, the systemd credentials and the file aliases hold exactly these."""
        assert config.RECONNECT == EXPECTED_RECONNECT
        assert config.CREDENTIALS == {
            "api_token": "okr-api-token",
            "neo4j_password": "neo4j-password",
            "jira_api_token": "jira-api-token",
        }
        assert config.FILE_ALIASES == {
            "token": "api_token",
            "token_file": "api_token_file",
            "window_start": "window_start_ms",
            "window_end": "window_end_ms",
        }

    def test_every_setting_has_a_one_line_doc_and_its_own_env_var(self) -> None:
        """Each declaration documents itself in one line; no two share an environment variable."""
        declared = config.DECLARED.values()
        assert [d.name for d in declared] == list(Settings.__dataclass_fields__)
        for d in declared:
            assert d.spec.doc.strip() == d.spec.doc != "", d.name
            assert "\n" not in d.spec.doc, d.name
        envs = [d.spec.env for d in declared]
        assert len(set(envs)) == len(envs) == 38

    def test_secrets_are_the_secret_typed_settings_each_with_a_file(self) -> None:
        """A setting has a credential exactly when its type is Secret, and a *_file companion."""
        secret = {d.name for d in config.DECLARED.values() if d.kind is Secret}
        assert secret == set(config.CREDENTIALS)
        for name in secret:
            assert config.DECLARED[f"{name}_file"].kind is Path

    def test_committed_example_is_the_rendered_one(self) -> None:
        """deploy/okrsync.example.toml is `python -m okrsync.config example`, unedited."""
        assert EXAMPLE.read_text(encoding="utf-8") == config.render_example()

    def test_docs_table_is_the_rendered_one(self) -> None:
        """docs/operating.md's settings table, between its markers, is
        `python -m okrsync.config table`."""
        text = (ROOT / "docs" / "operating.md").read_text(encoding="utf-8")
        _, after = text.split("<!-- settings-table:start -->\n")
        table, _ = after.split("<!-- settings-table:end -->")
        assert table == config.render_table()

    def test_example_loads_into_the_defaults(self) -> None:
        """The example file as committed (comments stay comments) loads into Settings()."""
        defaults = Settings()
        loaded = config.load(EXAMPLE, environ={})
        assert loaded == replace(defaults, state_dir=defaults.state_dir.expanduser())

    def test_example_shows_secrets_only_commented_out(self) -> None:
        """Secret keys appear in the example only as comments, with an empty value."""
        lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
        for key in ("token", "password", "jira_api_token"):
            assert [line for line in lines if line.lstrip("# ").startswith(f"{key} =")] == [
                f'# {key} = ""'
            ]

    @pytest.mark.parametrize("what", ["example", "table"])
    def test_module_prints_what_it_renders(self, what: str) -> None:
        """`python -m okrsync.config example|table` prints the rendered text."""
        out = subprocess.run(
            [sys.executable, "-m", "okrsync.config", what],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        rendered = config.render_example() if what == "example" else config.render_table()
        assert out.stdout == rendered

    def test_env_values_take_the_annotated_type(self, tmp_path: Path) -> None:
        """Coercion follows the annotation: bool, int, float, str, Path, Secret, optional."""
        s = config.load(
            None,
            environ={
                "OKRSYNC_COMMENTS": "yes",
                "OKRSYNC_BATCH_SIZE": "7",
                "OKRSYNC_JITTER": "0.25",
                "NEO4J_DATABASE": "okrs",
                "OKRSYNC_NEO4J_PASSWORD_FILE": str(tmp_path / "pw"),
                "OKRSYNC_API_TOKEN": "t",
                "NEO4J_PASSWORD": "p",
            },
        )
        assert (s.comments, s.batch_size, s.jitter, s.neo4j_database) == (True, 7, 0.25, "okrs")
        assert s.neo4j_password_file == tmp_path / "pw"
        assert s.api_token is not None and s.api_token.reveal() == "t"


class TestErrorNames:
    def test_env_error_names_the_variable(self) -> None:
        """A bad environment value is reported under the variable's name."""
        with pytest.raises(ConfigError) as err:
            config.load(None, environ={"OKRSYNC_WINDOW_START": "2026-13-01"})
        assert str(err.value) == (
            "OKRSYNC_WINDOW_START: '2026-13-01' is neither epoch milliseconds nor an ISO date"
        )

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                'window_start = "2026-13-01"',
                "window_start: '2026-13-01' is neither epoch milliseconds nor an ISO date",
            ),
            ("[api]\nwindow_end = true", "api.window_end: expected a date or epoch milliseconds"),
            ("[neo4j]\nusername = 5", "neo4j.username: expected a string, got int"),
            ("stop_timeout = 'soon'", "stop_timeout: expected a number, got 'soon'"),
        ],
    )
    def test_file_error_names_the_key_as_written(
        self, tmp_path: Path, text: str, message: str
    ) -> None:
        """A bad file value names the file and the key as the file writes it."""
        path = write(tmp_path, text)
        with pytest.raises(ConfigError) as err:
            config.load(path, environ={})
        assert str(err.value).startswith(f"config file {path}: {message}")
        assert "\n" not in str(err.value)

    def test_flag_error_names_the_setting(self) -> None:
        """A bad flag value is reported under the setting's name."""
        with pytest.raises(ConfigError) as err:
            config.load(None, environ={}, overrides={"interval": "soon"})
        assert str(err.value) == "interval: expected a number, got 'soon'"

    def test_secret_error_never_shows_the_value(self, tmp_path: Path) -> None:
        """A secret of the wrong type is named, its value is not."""
        path = write(tmp_path, "[neo4j]\npassword = 734519")
        with pytest.raises(ConfigError) as err:
            config.load(path, environ={})
        assert str(err.value) == f"config file {path}: neo4j.password: expected a string"


class TestStopTimeout:
    def test_stop_timeout_from_file_env_and_default(self, tmp_path: Path) -> None:
        """stop_timeout defaults to 20 s, is accepted in [daemon] and from OKRSYNC_STOP_TIMEOUT."""
        assert config.load(None, environ={}).stop_timeout == 20.0
        path = write(tmp_path, "[daemon]\nstop_timeout = 5")
        assert config.load(path, environ={}).stop_timeout == 5.0
        env = {"OKRSYNC_STOP_TIMEOUT": "7.5"}
        assert config.load(path, environ=env).stop_timeout == 7.5

    def test_negative_stop_timeout_is_refused(self) -> None:
        """A stop cannot wait a negative time."""
        with pytest.raises(ConfigError, match=r"^stop_timeout must not be negative \(seconds\)$"):
            config.load(None, environ={"OKRSYNC_STOP_TIMEOUT": "-1"})


class TestLease:
    def test_lease_lasts_one_and_a_half_intervals_unless_set(self) -> None:
        """The lease's life: 1.5 x interval (at least 3 s), or lease_seconds."""
        assert config.lease_ttl(config.Settings(interval=300.0)) == 450.0
        assert config.lease_ttl(config.Settings(interval=1.0)) == 3.0
        assert config.lease_ttl(config.Settings(interval=300.0, lease_seconds=60.0)) == 60.0

    def test_a_lease_under_a_second_is_refused(self, tmp_path: Path) -> None:
        """lease_seconds below 1 is a configuration error naming it."""
        with pytest.raises(ConfigError, match="lease_seconds must be at least 1"):
            config.load(write(tmp_path, "lease_seconds = 0.5"), environ={})


class TestTrustedCa:
    def test_a_ca_is_read_from_the_file_and_the_environment(self, tmp_path: Path) -> None:
        """[neo4j] trusted_ca, neo4j_trusted_ca and OKRSYNC_NEO4J_TRUSTED_CA name the CA file."""
        ca = make_authority(tmp_path).cert_path
        uri = 'uri = "neo4j+s://db.example:7687"'
        for text in (
            f"[neo4j]\n{uri}\ntrusted_ca = '{ca}'",
            f"neo4j_trusted_ca = '{ca}'\n[neo4j]\n{uri}",
        ):
            assert config.load(write(tmp_path, text), environ={}).neo4j_trusted_ca == ca
        env = {"NEO4J_URI": "bolt+s://db.example", "OKRSYNC_NEO4J_TRUSTED_CA": str(ca)}
        assert config.load(None, environ=env).neo4j_trusted_ca == ca
        assert config.load(None, environ={}).neo4j_trusted_ca is None

    @pytest.mark.parametrize(
        ("uri", "message"),
        [
            (
                "bolt+ssc://db.example",
                "neo4j_trusted_ca needs a +s scheme (bolt+s:// or neo4j+s://): neo4j_uri"
                " 'bolt+ssc://db.example' accepts any certificate",
            ),
            (
                "neo4j://db.example",
                "neo4j_trusted_ca needs a +s scheme (bolt+s:// or neo4j+s://): neo4j_uri"
                " 'neo4j://db.example' does not use TLS",
            ),
        ],
    )
    def test_a_ca_needs_a_scheme_that_checks_certificates(
        self, tmp_path: Path, uri: str, message: str
    ) -> None:
        """+ssc would ignore the CA, a plain scheme would not use TLS: both are refused."""
        env = {
            "NEO4J_URI": uri,
            "OKRSYNC_NEO4J_TRUSTED_CA": str(make_authority(tmp_path).cert_path),
        }
        with pytest.raises(ConfigError) as err:
            config.load(None, environ=env)
        assert str(err.value) == message

    @pytest.mark.parametrize(
        ("content", "problem"),
        [
            (None, "does not exist"),
            ("", "holds no PEM certificate"),
            ("not a certificate\n", "holds no PEM certificate"),
            (
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "holds no PEM certificate",
            ),
        ],
    )
    def test_a_ca_file_that_holds_no_certificate_is_refused_at_load(
        self, tmp_path: Path, content: str | None, problem: str
    ) -> None:
        """A missing, empty or non-certificate file is one line naming the setting and the path."""
        path = tmp_path / "ca.pem"
        if content is not None:
            path.write_text(content)
        env = {"NEO4J_URI": "bolt+s://db.example", "OKRSYNC_NEO4J_TRUSTED_CA": str(path)}
        with pytest.raises(ConfigError) as err:
            config.load(None, environ=env)
        assert str(err.value) == f"neo4j_trusted_ca: {path} {problem}"
