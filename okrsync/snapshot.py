"""The previous snapshot (what the graph was last written to hold), persisted atomically.

Files in the state directory:
  snapshot.json   the GraphState of the last committed cycle (temp file + fsync + rename)
  cycle.pending   exists while a cycle is writing; if a crash leaves it behind, the graph may hold
                  part of a cycle the snapshot does not know about, so the next cycle repairs
                  against the graph itself instead of trusting the snapshot.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import structlog

from okrsync.errors import StateError
from okrsync.history import CheckinCursor
from okrsync.transform import LABELS, GraphState, Rel, canonical

log = structlog.get_logger("okrsync.state")

VERSION = 3  # 3: each node's properties as canonical JSON text
SNAPSHOT = "snapshot.json"
PENDING = "cycle.pending"
CURSOR = "checkins.json"


def _document(state: GraphState) -> dict[str, Any]:
    nodes = {
        label: {node_id: v if isinstance(v, str) else canonical(v) for node_id, v in by_id.items()}
        for label, by_id in state.nodes.items()
    }
    return {
        "version": VERSION,
        "nodes": nodes,
        "rels": [[r.type, r.from_label, r.from_id, r.to_label, r.to_id] for r in state.rels],
    }


def encode_state(state: GraphState) -> bytes:
    return json.dumps(_document(state), ensure_ascii=False, separators=(",", ":")).encode()


def decode_state(data: bytes) -> GraphState:
    doc = json.loads(data)
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise ValueError("unknown snapshot version")
    state = GraphState()
    for label in LABELS:
        nodes = doc["nodes"].get(label, {})
        if not all(isinstance(v, str) for v in nodes.values()):
            raise ValueError(f"{label} nodes are not canonical JSON text")
        state.nodes[label] = nodes
    state.rels = set(map(Rel._make, doc["rels"]))
    return state


class StateStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def ensure(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StateError(
                f"state_dir {self.directory} cannot be created: {exc.strerror}"
            ) from None
        if not os.access(self.directory, os.W_OK):
            raise StateError(f"state_dir {self.directory} is not writable")

    @property
    def path(self) -> Path:
        return self.directory / SNAPSHOT

    def load(self) -> GraphState | None:
        """The last committed snapshot; None when there is none or it cannot be trusted."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StateError(f"cannot read {self.path}: {exc.strerror}") from None
        try:
            return decode_state(data)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning(
                "state.corrupt",
                path=str(self.path),
                error=str(exc)[:200],
                action="full reconcile against the graph",
            )
            return None

    def save(self, state: GraphState) -> None:
        """Write atomically: a crash leaves either the old file or the new one, never half."""
        # Streamed: a 100k-entity snapshot is never one string in memory.
        self._atomic_write(
            self.path,
            lambda f: json.dump(_document(state), f, ensure_ascii=False, separators=(",", ":")),
        )

    def _atomic_write(self, path: Path, write: Callable[[TextIO], object]) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            dir_fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise StateError(f"cannot write {path}: {exc.strerror}") from None

    # --- the check-in feed's cursor ------------------------------------------------------

    def load_cursor(self) -> CheckinCursor:
        path = self.directory / CURSOR
        try:
            return CheckinCursor.from_json(json.loads(path.read_bytes()))
        except FileNotFoundError:
            return CheckinCursor()
        except (OSError, ValueError) as exc:
            log.warning(
                "state.cursor_unreadable",
                path=str(path),
                error=str(exc)[:200],
                action="pulling the whole check-in feed again",
            )
            return CheckinCursor()

    def save_cursor(self, cursor: CheckinCursor) -> None:
        self._atomic_write(self.directory / CURSOR, lambda f: json.dump(cursor.to_json(), f))

    # --- the in-flight marker ------------------------------------------------------------

    def mark_pending(self) -> None:
        self._atomic_write(self.directory / PENDING, lambda f: f.write("writing\n"))

    def clear_pending(self) -> None:
        (self.directory / PENDING).unlink(missing_ok=True)

    def was_interrupted(self) -> bool:
        return (self.directory / PENDING).exists()
