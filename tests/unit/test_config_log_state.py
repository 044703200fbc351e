"""Settings (file < env < flags, secrets), log redaction, and the atomic state store."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import structlog

from okrsync import config, log
from okrsync.errors import ConfigError
from okrsync.snapshot import StateStore
from okrsync.transform import Fragment, Rel

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
            5000,
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
            ("max_delete_fraction = 2.0", "max_delete_fraction must be in"),
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
        """A bad environment value names the setting."""
        with pytest.raises(ConfigError, match="batch_size: expected an integer"):
            config.load(None, environ={"OKRSYNC_BATCH_SIZE": "lots"})

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


class TestLog:
    def test_json_lines_with_secrets_redacted(self) -> None:
        """Registered secret values and secret-named keys are replaced by ***."""
        out = io.StringIO()
        log.add_secrets("s3cr3t-value")
        log.configure("info", stream=out, json=True)
        structlog.get_logger().info(
            "api.failed",
            detail="header was s3cr3t-value",
            token="abc",
            nested={"password": "p", "ok": 1},
        )
        line = json.loads(out.getvalue())
        assert line["detail"] == "header was ***"
        assert line["token"] == "***"
        assert line["nested"] == {"password": "***", "ok": 1}
        assert line["event"] == "api.failed" and line["level"] == "info"
        structlog.reset_defaults()


class TestStateStore:
    def test_save_load_and_pending_marker(self, tmp_path: Path) -> None:
        """Committed state loads back; the pending marker is set and cleared explicitly."""
        store = StateStore(tmp_path / "state")
        store.ensure()
        assert store.load() is None
        rel = Rel("BELONGS_TO", "Objective", "o", "Team", "t")
        store.mark_pending()
        assert store.was_interrupted()
        with store.transaction(fresh=True) as tx:
            tx.put(Fragment("Objective", "o", {"id": "o", "name": "N"}, (rel,)), 41)
            tx.put_shared([("Team", "t", '{"id":"t","name":"A"}', 1)])
            tx.set_counts({"Objective": 1, "Team": 1, "BELONGS_TO": 1})
        store.clear_pending()
        assert not store.was_interrupted()
        loaded = store.load()
        assert loaded is not None
        assert loaded.fps == {("Objective", "o"): 41}
        assert loaded.shared == {("Team", "t"): ('{"id":"t","name":"A"}', 1)}
        assert loaded.counts == {"Objective": 1, "Team": 1, "BELONGS_TO": 1}
        (frag,) = store.fragments([("Objective", "o"), ("Objective", "missing")])
        assert frag == Fragment("Objective", "o", '{"id":"o","name":"N"}', (rel,))
        assert [p.name for p in (tmp_path / "state").iterdir()] == ["state.db"]

    def test_failed_transaction_leaves_the_old_state(self, tmp_path: Path) -> None:
        """An exception inside a transaction commits nothing: the last state stays whole."""
        store = StateStore(tmp_path)
        with store.transaction(fresh=True) as tx:
            tx.put(Fragment("Objective", "o", {"id": "o"}, ()), 1)

        def crash(fresh: bool) -> None:
            with store.transaction(fresh=fresh) as tx:
                tx.put(Fragment("Objective", "o2", {"id": "o2"}, ()), 2)
                raise RuntimeError("crash mid-write")

        with pytest.raises(RuntimeError):
            crash(fresh=False)
        with pytest.raises(RuntimeError):
            crash(fresh=True)
        loaded = store.load()
        assert loaded is not None and loaded.fps == {("Objective", "o"): 1}

    def test_corrupt_file_reads_as_no_snapshot(self, tmp_path: Path) -> None:
        """A truncated state file is not trusted: load() returns None and says so."""
        store = StateStore(tmp_path)
        store.path.write_bytes(b"SQLite format 3\x00" + b"garbage" * 100)
        from structlog.testing import capture_logs

        with capture_logs() as logs:
            assert store.load() is None
        assert logs[0]["event"] == "state.corrupt"
