"""Secrets on their way in (stripped, checked, files not exposed, never sent in clear) and on
their way out (no log line, traceback, /healthz body, STATUS= or error line carries one)."""

from __future__ import annotations

import io
import json
import os
import socket
from pathlib import Path

import httpx
import pytest
import structlog
from structlog.testing import capture_logs

from okrsync import config, log
from okrsync.errors import ConfigError, GraphError
from okrsync.graph import Graph
from okrsync.observe import Health, Metrics, ObserveServer
from okrsync.systemd import Notifier

TOKEN = "tok-4f1b9e-7c2d"


class TestSecretsAsRead:
    @pytest.mark.parametrize("value", [f"{TOKEN}\r\n", f"{TOKEN}\r", f"  {TOKEN}\n"])
    def test_token_from_environment_loses_its_line_ending(self, value: str) -> None:
        """A CRLF env file or a Kubernetes secret adds \\r or \\n: the token is read without."""
        s = config.load(None, environ={"OKRSYNC_API_TOKEN": value})
        assert s.api_token is not None and s.api_token.reveal() == TOKEN

    def test_token_from_a_crlf_file_and_toml_loses_its_line_ending(self, tmp_path: Path) -> None:
        """The *_file and the config file's own value are stripped the same way."""
        token_file = tmp_path / "token"
        token_file.write_bytes(f"{TOKEN}\r\n".encode())
        token_file.chmod(0o600)
        s = config.load(None, environ={"OKRSYNC_API_TOKEN_FILE": str(token_file)})
        assert s.api_token is not None and s.api_token.reveal() == TOKEN
        toml = tmp_path / "okrsync.toml"
        toml.write_text('[neo4j]\npassword = "pw-9\\r\\n"\n')
        toml.chmod(0o600)
        s = config.load(toml, environ={})
        assert s.neo4j_password is not None and s.neo4j_password.reveal() == "pw-9"

    @pytest.mark.parametrize("how", ["env", "file"])
    def test_control_character_inside_is_refused_without_showing_it(
        self, how: str, tmp_path: Path
    ) -> None:
        """A control character left inside the token: one ConfigError, the value not in it."""
        bad = "tok-\x07-secret-5e"
        environ = {"OKRSYNC_API_TOKEN": bad}
        if how == "file":
            (tmp_path / "t").write_text(bad)
            (tmp_path / "t").chmod(0o600)
            environ = {"OKRSYNC_API_TOKEN_FILE": str(tmp_path / "t")}
        with pytest.raises(ConfigError) as err:
            config.load(None, environ=environ)
        assert "control character" in str(err.value)
        assert "secret-5e" not in str(err.value) and "\n" not in str(err.value)


class TestExposedFiles:
    def test_secret_file_readable_by_others_is_named_in_a_warning(self, tmp_path: Path) -> None:
        """A token file with mode 0644: config.secret_file_readable names it; 0600 is quiet."""
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN)
        token_file.chmod(0o644)
        environ = {"OKRSYNC_API_TOKEN_FILE": str(token_file)}
        with capture_logs() as logs:
            config.load(None, environ=environ)
        assert logs == [
            {
                "event": "config.secret_file_readable",
                "log_level": "warning",
                "path": str(token_file),
                "holds": "api_token",
                "mode": "0o644",
                "fix": f"chmod 600 {token_file} (or 640 for a group the service runs as)",
            }
        ]
        token_file.chmod(0o600)
        with capture_logs() as logs:
            config.load(None, environ=environ)
        assert logs == []

    def test_config_file_holding_a_secret_readable_by_others_warns(self, tmp_path: Path) -> None:
        """A TOML with a password, mode 0640: named; the same file without secrets is not."""
        toml = tmp_path / "okrsync.toml"
        toml.write_text('[neo4j]\npassword = "pw"\n')
        toml.chmod(0o640)
        with capture_logs() as logs:
            config.load(toml, environ={})
        assert [(e["event"], e["holds"], e["mode"]) for e in logs] == [
            ("config.secret_file_readable", "neo4j_password", "0o640")
        ]
        toml.write_text("interval = 60\n")
        with capture_logs() as logs:
            config.load(toml, environ={})
        assert logs == []


class TestPlainHttp:
    @pytest.mark.parametrize(
        ("setting", "value"),
        [
            ("OKRSYNC_BASE_URL", "http://okr.example.com"),
            ("OKRSYNC_BASE_URL", "http://10.0.0.7:8089/"),
            ("JIRA_URL", "http://jira.example.com"),
        ],
    )
    def test_plain_http_to_another_host_is_refused(self, setting: str, value: str) -> None:
        """http:// to a host other than this machine would send the token in clear."""
        jira = {"JIRA_EMAIL": "bot@example.com", "JIRA_API_TOKEN": "j"} if "JIRA" in setting else {}
        with pytest.raises(ConfigError) as err:
            config.load(None, environ={setting: value, **jira})
        assert "sends the token unencrypted" in str(err.value)
        assert "allow_insecure_http = true" in str(err.value)
        allowed = {setting: value, "OKRSYNC_ALLOW_INSECURE_HTTP": "true", **jira}
        assert config.load(None, environ=allowed).allow_insecure_http is True

    @pytest.mark.parametrize(
        "value", ["http://127.0.0.1:8089", "http://localhost:9", "http://[::1]:8089", "eu"]
    )
    def test_loopback_and_https_are_accepted(self, value: str) -> None:
        """The simulator on 127.0.0.1 (tests, the demo) and the regions keep working."""
        assert config.load(None, environ={"OKRSYNC_BASE_URL": value}).base_url == value


class TestUriPassword:
    def test_password_in_neo4j_uri_is_refused_and_never_shown(self) -> None:
        """bolt://user:pass@host: a ConfigError that shows the URI without its password."""
        with pytest.raises(ConfigError) as err:
            config.load(None, environ={"NEO4J_URI": "bolt://neo4j:hunter2-pw@db:7687"})
        assert "hunter2-pw" not in str(err.value)
        assert "'bolt://***@db:7687'" in str(err.value)

    def test_graph_error_never_shows_the_uri_password(self) -> None:
        """The driver's own message quotes the URI; the GraphError masks its password."""
        with pytest.raises(GraphError) as err:
            Graph.connect("bolt://neo4j:hunter2-pw@127.0.0.1:7687", "neo4j", "x")
        assert "hunter2-pw" not in str(err.value)
        assert "bolt://***@127.0.0.1:7687" in str(err.value)


class TestRedaction:
    def setup_method(self) -> None:
        self.out = io.StringIO()

    def teardown_method(self) -> None:
        structlog.reset_defaults()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.out.getvalue().splitlines()]

    def test_traceback_in_json_mode_is_redacted(self) -> None:
        """log.exception on an error whose text holds the token: the token is in no line."""
        log.add_secrets(TOKEN)
        log.configure("info", stream=self.out, json=True)
        try:
            raise ValueError(f"Illegal header value b'{TOKEN}\\r'")
        except ValueError:
            structlog.get_logger().exception("sync.crashed")
        (line,) = self.lines()
        assert "ValueError: Illegal header value b'***\\r'" in line["exception"]
        assert TOKEN not in self.out.getvalue()

    def test_traceback_in_console_mode_is_redacted(self) -> None:
        """The console renderer formats tracebacks itself: its output is redacted too."""
        log.add_secrets(TOKEN)
        log.configure("info", stream=self.out, json=False)
        try:
            raise ValueError(f"bad {TOKEN}")
        except ValueError:
            structlog.get_logger().exception("sync.crashed")
        assert "ValueError: bad ***" in self.out.getvalue()
        assert TOKEN not in self.out.getvalue()

    def test_a_short_secret_is_redacted_only_where_it_stands_alone(self) -> None:
        """The demo's token 'demo': masked as a value or a quoted word, not inside a path."""
        log.add_secrets("demo")
        log.configure("info", stream=self.out, json=True)
        structlog.get_logger().info(
            "daemon.started",
            state_dir="/srv/okrsync/.state/demo",
            org="demo-org",
            token_seen="demo",
            error="Illegal header value b'demo\\r'",
        )
        (line,) = self.lines()
        assert line["state_dir"] == "/srv/okrsync/.state/demo"
        assert line["org"] == "demo-org"
        assert line["token_seen"] == "***"
        assert line["error"] == "Illegal header value b'***\\r'"

    def test_a_long_secret_is_redacted_wherever_it_occurs(self) -> None:
        """At SUBSTRING_MIN characters and more, even inside another word."""
        log.add_secrets("s3cr3t-value")
        assert log.redact("x=prefix-s3cr3t-value-suffix") == "x=prefix-***-suffix"
        assert log.redact("demo") == "demo"


class TestOutwardTexts:
    def test_status_is_one_line_without_secrets(self, tmp_path: Path) -> None:
        """A newline in an error cannot inject sd_notify lines; a secret is masked."""
        log.add_secrets(TOKEN)
        path = tmp_path / "notify"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.bind(str(path))
            sock.settimeout(2)
            Notifier({"NOTIFY_SOCKET": str(path)}).status(
                f"last cycle failed: bad header {TOKEN}\nWATCHDOG=1\nREADY=1"
            )
            message = sock.recv(4096).decode()
        assert message == "STATUS=last cycle failed: bad header *** WATCHDOG=1 READY=1"

    def test_healthz_body_is_redacted(self) -> None:
        """An error text quoting the token reaches /healthz masked."""
        log.add_secrets(TOKEN)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = ObserveServer(f"127.0.0.1:{port}", Health(max_age=60), Metrics())
        server.start()
        try:
            server.health.failure(f"Illegal header value b'{TOKEN}\\r'")
            r = httpx.get(f"http://127.0.0.1:{port}/healthz")
        finally:
            server.stop()
        assert r.status_code == 503
        assert r.json()["last_error"] == "Illegal header value b'***\\r'"
        assert TOKEN not in r.text

    def test_cli_error_line_is_redacted(
        self, tmp_path: Path, capsys: pytest.CaptureFixture
    ) -> None:
        """The one line an expected failure prints never shows a registered secret."""
        from okrsync.cli import _say

        log.add_secrets(TOKEN)
        _say(f"cannot reach the OKR API: {TOKEN}")
        assert capsys.readouterr().err == "okrsync: cannot reach the OKR API: ***\n"
        assert os.environ.get("OKRSYNC_API_TOKEN") != TOKEN
