"""Log redaction and the atomic state store (the settings are in test_config.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import structlog

from okrsync import log
from okrsync.state import StateStore
from okrsync.transform import Fragment, Rel


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

    def test_secrets_of_one_test_are_gone_in_the_next(self) -> None:
        """The fixture forgot the secret the test above registered: it is logged as it is."""
        out = io.StringIO()
        log.configure("info", stream=out, json=True)
        structlog.get_logger().info("api.failed", detail="header was s3cr3t-value")
        assert json.loads(out.getvalue())["detail"] == "header was s3cr3t-value"
        structlog.reset_defaults()

    def test_a_cycle_id_bound_once_reaches_every_line(self) -> None:
        """structlog contextvars: what a cycle binds is on each of its events, then gone."""
        out = io.StringIO()
        log.configure("info", stream=out, json=True)
        with structlog.contextvars.bound_contextvars(cycle="c-1"):
            structlog.get_logger().info("one")
            structlog.get_logger("other").info("two")
        structlog.get_logger().info("three")
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        assert [(e["event"], e.get("cycle")) for e in lines] == [
            ("one", "c-1"),
            ("two", "c-1"),
            ("three", None),
        ]
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
