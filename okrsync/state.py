"""What the graph was last written to hold, persisted atomically in SQLite (state.db).

Files in the state directory:
  state.db        per objective/key result: the fingerprint of its raw record, its properties
                  (canonical JSON text) and the relationships it owns; per shared node (Team,
                  Period, Label, User, Issue): its properties and how many relationships reach
                  it; the expected node and relationship counts. One SQLite transaction per
                  cycle, committed only after the graph's: a crash leaves the old state whole.
  checkins.json,
  comments.json   where the check-in and comment feeds were left (newest seen, ids near it).
  okrsync.lock    held (flock) by the one okrsync process using this directory.
  cycle.pending   exists while a cycle is writing; if a crash leaves it behind, the graph may hold
                  part of a cycle the state does not know about, so the next cycle repairs
                  against the graph itself instead of trusting the state.

A cycle loads only the fingerprints and the shared nodes (tens of MB at 100k entities) and reads
the stored fragments of the few entities that changed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TextIO

import msgspec
import structlog

from okrsync import models, text, transform
from okrsync.errors import StateError
from okrsync.graph.adopt import LegacyMirror
from okrsync.history import CheckinCursor
from okrsync.schema import model_digest
from okrsync.transform import Fragment, Rel, canonical

log = structlog.get_logger("okrsync.state")

# The state's layout; what it stores is versioned by content (state_version).
FORMAT = "5"
STATE_DB = "state.db"
PENDING = "cycle.pending"
LOCK = "okrsync.lock"


@cache
def state_version() -> str:
    """The layout, the graph model and the code that turns records into fragments: when any
    of them changes, stored fragments no longer stand for their records' fingerprints, and the
    next cycle reconciles against the graph. A hash, never bumped by hand (comment edits in
    those modules cost one reconcile after an upgrade, which is safe)."""
    digest = hashlib.sha256(FORMAT.encode())
    digest.update(model_digest().encode())
    for module in (models, transform, text):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


Key = tuple[str, str]  # (label, id)

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE entity (label TEXT NOT NULL, id TEXT NOT NULL, fp INTEGER NOT NULL,"
    " props TEXT NOT NULL, rels BLOB NOT NULL, PRIMARY KEY (label, id)) WITHOUT ROWID",
    "CREATE TABLE shared (label TEXT NOT NULL, id TEXT NOT NULL, props TEXT NOT NULL,"
    " refs INTEGER NOT NULL, PRIMARY KEY (label, id)) WITHOUT ROWID",
)
_RELS = msgspec.json.Decoder(list[tuple[str, str, str, str, str]])
_encode = msgspec.json.encode


@dataclass
class StateIndex:
    """The cheap part of the state, loaded every cycle."""

    fps: dict[Key, int] = field(default_factory=dict)
    # (label, id) -> (canonical props text, relationships reaching it)
    shared: dict[Key, tuple[str, int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


class StateWriter:
    """One open transaction on state.db; committed by StateStore.transaction on success."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def put(self, frag: Fragment, fp: int) -> None:
        props = frag.props if isinstance(frag.props, str) else canonical(frag.props)
        self.db.execute(
            "INSERT OR REPLACE INTO entity VALUES (?, ?, ?, ?, ?)",
            (frag.label, frag.id, fp, props, _encode(frag.rels)),
        )

    def delete(self, keys: Iterable[Key]) -> None:
        self.db.executemany("DELETE FROM entity WHERE label = ? AND id = ?", keys)

    def put_shared(self, rows: Iterable[tuple[str, str, str, int]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO shared VALUES (?, ?, ?, ?)", rows)

    def delete_shared(self, keys: Iterable[Key]) -> None:
        self.db.executemany("DELETE FROM shared WHERE label = ? AND id = ?", keys)

    def set_counts(self, counts: dict[str, int]) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('counts', ?)", (json.dumps(counts),))

    def rels(self) -> Iterator[Rel]:
        """Every stored relationship (within this transaction), fragment by fragment."""
        for (blob,) in self.db.execute("SELECT rels FROM entity"):
            yield from map(Rel._make, _RELS.decode(blob))


class StateStore:
    """The state of one organisation's mirror; a state written for another organisation, or
    before organisations, is never trusted as this one's."""

    def __init__(self, directory: Path, org: str = "default") -> None:
        self.directory = directory
        self.org = org

    def ensure(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StateError(
                f"state_dir {self.directory} cannot be created: {exc.strerror}"
            ) from None
        if not os.access(self.directory, os.W_OK):
            raise StateError(f"state_dir {self.directory} is not writable")

    @contextmanager
    def lock(self) -> Iterator[None]:
        """One okrsync process per state directory: a second one gets a StateError."""
        self.ensure()
        fd = os.open(self.directory / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
                raise StateError(
                    f"another okrsync (pid {holder}) is already running on state_dir "
                    f"{self.directory}"
                ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    @property
    def path(self) -> Path:
        return self.directory / STATE_DB

    def _connect(self, path: Path | None = None) -> sqlite3.Connection:
        """sqlite3.Error for an unusable file: callers say what they were doing."""
        db = sqlite3.connect(path or self.path, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error:
            db.close()
            raise
        return db

    def _discard(self, error: str) -> None:
        log.warning(
            "state.corrupt",
            path=str(self.path),
            error=error[:200],
            action="full reconcile against the graph",
        )
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def load(self) -> StateIndex | None:
        """The last committed state's index; None when there is none or it cannot be trusted."""
        if not self.path.exists():
            return None
        try:
            db = self._connect()
            try:
                meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
                if meta.get("org") != self.org and "org" in meta:
                    log.warning("state.other_org", path=str(self.path), org=meta["org"])
                    return None
                if meta.get("version") != state_version() or meta.get("org") != self.org:
                    log.info("state.outdated", path=str(self.path), action="full reconcile")
                    return None
                index = StateIndex(counts=json.loads(meta["counts"]))
                index.fps = {
                    (lb, i): fp for lb, i, fp in db.execute("SELECT label, id, fp FROM entity")
                }
                index.shared = {
                    (lb, i): (props, refs)
                    for lb, i, props, refs in db.execute(
                        "SELECT label, id, props, refs FROM shared"
                    )
                }
                return index
            finally:
                db.close()
        except (sqlite3.Error, KeyError, ValueError) as exc:
            self._discard(str(exc))
            return None

    def legacy(self) -> LegacyMirror | None:
        """What a state written before organisations says okrsync wrote (None when the state
        is missing or already names an organisation): the upgrade adopts exactly that."""
        return read_legacy(self.path) if self.path.exists() else None

    def claim(self) -> None:
        """Record that the state's content now belongs to this organisation (after the
        upgrade adopted it); its old version still makes the next cycle reconcile."""
        try:
            with contextlib.closing(self._connect()) as db:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('org', ?)", (self.org,))
        except sqlite3.Error as exc:
            raise StateError(f"cannot write {self.path}: {exc}") from None

    def fragments(self, keys: Iterable[Key]) -> list[Fragment]:
        """The stored fragments of these entities (those the state holds)."""
        out: list[Fragment] = []
        try:
            db = self._connect()
        except sqlite3.Error as exc:
            raise StateError(f"cannot read {self.path}: {exc}") from None
        try:
            for label, node_id in keys:
                row = db.execute(
                    "SELECT props, rels FROM entity WHERE label = ? AND id = ?", (label, node_id)
                ).fetchone()
                if row is not None:
                    rels = tuple(map(Rel._make, _RELS.decode(row[1])))
                    out.append(Fragment(label, node_id, row[0], rels))
        except sqlite3.Error as exc:
            raise StateError(f"cannot read {self.path}: {exc}") from None
        finally:
            db.close()
        return out

    @contextmanager
    def transaction(self, *, fresh: bool) -> Iterator[StateWriter]:
        """Changes to the state, all or nothing. `fresh`: a new state, built in a side file and
        renamed over the old one on commit, so the old one stays whole until then."""
        self.ensure()
        path = self.directory / f".{STATE_DB}.new" if fresh else self.path
        if fresh:
            for suffix in ("", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        try:
            db = self._connect(path)
        except sqlite3.Error as exc:
            raise StateError(f"cannot write {path}: {exc}") from None
        try:
            db.execute("BEGIN IMMEDIATE")
            if fresh:
                for statement in _SCHEMA:
                    db.execute(statement)
                db.executemany(
                    "INSERT INTO meta VALUES (?, ?)",
                    [("version", state_version()), ("org", self.org), ("counts", "{}")],
                )
            yield StateWriter(db)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StateError(f"cannot write {path}: {exc}") from None
        finally:
            if db.in_transaction:
                db.execute("ROLLBACK")
            db.close()
        if fresh:
            try:
                os.replace(path, self.path)
                _fsync_dir(self.directory)
            except OSError as exc:
                raise StateError(f"cannot write {self.path}: {exc.strerror}") from None

    def _atomic_write(self, path: Path, write: Callable[[TextIO], object]) -> None:
        atomic_write(self.directory, path, write)

    def load_cursor(self, feed: str = "checkins") -> CheckinCursor:
        return load_cursor(self.directory / f"{feed}.json", feed)

    def save_cursor(self, cursor: CheckinCursor, feed: str = "checkins") -> None:
        self._atomic_write(
            self.directory / f"{feed}.json", lambda f: json.dump(cursor.to_json(), f)
        )

    # --- the in-flight marker ------------------------------------------------------------

    def mark_pending(self) -> None:
        self._atomic_write(self.directory / PENDING, lambda f: f.write("writing\n"))

    def clear_pending(self) -> None:
        (self.directory / PENDING).unlink(missing_ok=True)

    def was_interrupted(self) -> bool:
        return (self.directory / PENDING).exists()


def _fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def atomic_write(directory: Path, path: Path, write: Callable[[TextIO], object]) -> None:
    """Write a file whole or not at all: a temporary file, fsynced, renamed over it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(directory)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise StateError(f"cannot write {path}: {exc.strerror}") from None


def load_cursor(path: Path, feed: str) -> CheckinCursor:
    """Where a feed was left; a missing or unreadable cursor starts the feed over."""
    try:
        return CheckinCursor.from_json(json.loads(path.read_bytes()))
    except FileNotFoundError:
        return CheckinCursor()
    except (OSError, ValueError) as exc:
        log.warning(
            "state.cursor_unreadable",
            path=str(path),
            error=str(exc)[:200],
            action=f"pulling the whole {feed} feed again",
        )
        return CheckinCursor()


def read_legacy(path: Path) -> LegacyMirror | None:
    """The keys and relationships a pre-organisation state holds; None if it names one."""
    try:
        with contextlib.closing(sqlite3.connect(path)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if "org" in meta:
                return None
            legacy = LegacyMirror()
            for table in ("entity", "shared"):
                for label, node_id in db.execute(f"SELECT label, id FROM {table}"):  # noqa: S608
                    legacy.keys.setdefault(label, []).append(node_id)
            for (blob,) in db.execute("SELECT rels FROM entity"):
                legacy.rels.extend(map(Rel._make, _RELS.decode(blob)))
            return legacy
    except (sqlite3.Error, ValueError):
        return None  # unreadable: nothing can be adopted from it
