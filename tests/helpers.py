"""Helpers the test suites share: the graph compared with the source, a cycle built like the
product builds it, and the daemon as a real subprocess."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import neo4j

from okrsync.api import OkrApiClient
from okrsync.config import Settings
from okrsync.graph import Graph, Mirror
from okrsync.jira import JiraClient
from okrsync.runtime import build_cycle
from okrsync.source import RawExport, SourceStream, decode_export
from okrsync.state import StateStore
from okrsync.sync import SyncCycle
from okrsync.testing import TEST_ORG, Snapshot, parse_all, source_state
from okrsync.transform import Fragment, GraphState, add_fragment


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def with_scheme(uri: str, scheme: str) -> str:
    """The same server under another URI scheme: bolt://h:p as neo4j://h:p, bolt+s://h:p, ..."""
    return f"{scheme}://{uri.partition('://')[2]}"


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except (httpx.HTTPError, OSError, AssertionError, KeyError):
            last = None
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class NotifySocket:
    """A unix datagram socket standing in for systemd's $NOTIFY_SOCKET."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.messages: list[str] = []
        self._stop = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except TimeoutError:
                continue
            except OSError:
                return

    def lines(self) -> list[str]:
        return [line for m in list(self.messages) for line in m.splitlines()]

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()


class DaemonProcess:
    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "okrsync.cli", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.output: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(stream,), daemon=True)
            for stream in (self.proc.stdout, self.proc.stderr)
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            self.output.append(line.rstrip("\n"))

    def events(self) -> list[dict[str, Any]]:
        out = []
        for line in list(self.output):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out

    def event_names(self) -> list[str]:
        return [e.get("event", "") for e in self.events()]

    def text(self) -> str:
        return "\n".join(self.output)

    def stop(self, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        code = self.proc.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(5)
        return code


# --- the graph and the source ------------------------------------------------------------------

# Nodes of one label sharing a key: what a non-idempotent write would leave behind. Nodes
# without a key (the journal's Change nodes) are not candidates.
DUPLICATE_KEYS = (
    "MATCH (n) WITH labels(n) AS l, coalesce(n.id, n.accountId) AS k, count(*) AS c "
    "WHERE k IS NOT NULL AND c > 1 RETURN count(*) AS dupes"
)
CHANGE_EVENTS = ("created", "updated", "deleted", "linked", "unlinked")


def duplicate_keys(graph: Graph) -> int:
    return int(graph.read(DUPLICATE_KEYS)[0]["dupes"])


ORG = TEST_ORG  # the organisation tests mirror unless they say otherwise


def read_state(graph: Graph, org: str = ORG) -> GraphState:
    """What the graph holds of an organisation's mirror now."""
    return Mirror(graph, org, 5000).read_state()


def counts(graph: Graph, org: str = ORG) -> dict[str, int]:
    return Mirror(graph, org, 5000).counts()


def assert_mirrors(graph: Graph, url: str, org: str = ORG) -> None:
    """The organisation's mirror holds exactly what the source at `url` holds: every node,
    property and relationship."""
    held, wanted = read_state(graph, org), source_state(url)
    for label, nodes in wanted.nodes.items():
        assert held.nodes[label].keys() == nodes.keys(), label
        for node_id, props in nodes.items():
            assert held.nodes[label][node_id] == props, (label, node_id)
    assert held.rels == wanted.rels


def mirrored(graph: Graph, url: str, org: str = ORG) -> bool:
    held, wanted = read_state(graph, org), source_state(url)
    return held.nodes == wanted.nodes and held.rels == wanted.rels


def change_events(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in logs if e["event"].endswith(CHANGE_EVENTS)]


class Clock:
    """A settable clock for the cycle (the journal stamps its entries with it)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@contextmanager
def sync_cycle(
    url: str,
    graph: Graph,
    state_dir: Path,
    *,
    now: Callable[[], datetime] | None = None,
    before_batch: Callable[[str], None] | None = None,
    jira: JiraClient | None = None,
    **settings: Any,
) -> Iterator[SyncCycle]:
    """A cycle over an API client for `url`, built as okrsync.runtime builds it."""
    options = Settings(base_url=url, state_dir=state_dir, **{"org": ORG, **settings})
    store = StateStore(state_dir, options.org)
    store.ensure()
    with OkrApiClient(url, "t") as client:
        yield build_cycle(
            options,
            client,
            graph,
            store,
            jira,
            before_batch=before_batch,
            now=now or (lambda: datetime.now(UTC)),
        )


# --- Cypher versions ---------------------------------------------------------------------------


def server_version(driver: neo4j.Driver) -> str:
    records, _, _ = driver.execute_query(
        "CALL dbms.components() YIELD name, versions WHERE name = 'Neo4j Kernel' "
        "RETURN versions[0] AS version"
    )
    return str(records[0]["version"])


def cypher_versions(driver: neo4j.Driver) -> tuple[str, ...]:
    """The Cypher versions a query may ask for: 5 alone before the 2025.06 calendar release
    (5.26 LTS included), 5 and 25 from it."""
    major, minor = (int(part) for part in server_version(driver).split(".")[:2])
    return ("5", "25") if (major, minor) >= (2025, 6) else ("5",)


def database_name(driver: neo4j.Driver, database: str | None) -> str:
    """The database's name, the server's default when `database` is None."""
    records, _, _ = driver.execute_query(
        "CALL db.info() YIELD name RETURN name", database_=database
    )
    return str(records[0]["name"])


def default_cypher(driver: neo4j.Driver, database: str) -> str:
    """The Cypher version a query on the database runs under unless it asks for another."""
    if cypher_versions(driver) == ("5",):
        return "5"  # no choice, and no defaultLanguage to show
    records, _, _ = driver.execute_query(
        "SHOW DATABASE $name YIELD defaultLanguage", name=database, database_="system"
    )
    return str(records[0]["defaultLanguage"]).removeprefix("CYPHER ")


def set_default_cypher(driver: neo4j.Driver, database: str, version: str) -> None:
    driver.execute_query(
        f"ALTER DATABASE $name SET DEFAULT LANGUAGE CYPHER {int(version)}",
        name=database,
        database_="system",
    )


@contextmanager
def newest_cypher_by_default(driver: neo4j.Driver, database: str | None) -> Iterator[str]:
    """The database's default Cypher set to the newest the server offers (25 on calendar
    releases, as their neo4j.conf ships it) while inside; the version it is."""
    name = database_name(driver, database)
    newest, before = cypher_versions(driver)[-1], default_cypher(driver, name)
    if before != newest:
        set_default_cypher(driver, name, newest)
    try:
        yield newest
    finally:
        if before != newest:
            set_default_cypher(driver, name, before)


# --- the pure path, without HTTP ---------------------------------------------------------------


def through_store(state: GraphState) -> GraphState:
    """The state written to a StateStore (a fragment per node, every relationship on the first)
    and read back, as a cycle reads the fragments of changed entities."""
    frags = [
        Fragment(label, node_id, props, ())
        for label, nodes in state.nodes.items()
        for node_id, props in nodes.items()
    ]
    if frags:
        frags[0] = frags[0]._replace(rels=tuple(sorted(state.rels)))
    with tempfile.TemporaryDirectory() as tmp:
        store = StateStore(Path(tmp))
        with store.transaction(fresh=True) as tx:
            for frag in frags:
                tx.put(frag, 0)
        back = GraphState()
        for frag in store.fragments([(f.label, f.id) for f in frags]):
            add_fragment(back, frag)
    return back


def snapshot(okrs: list[dict], krs: list[dict], **lookups: list[dict]) -> Snapshot:
    """The Snapshot a sync reads from one export answer (the source reader, no HTTP)."""
    body = json.dumps({"okrs": okrs, "krs": krs, **lookups}).encode()
    return parse_all(
        SourceStream(lambda: decode_export(body), lambda: RawExport(), lambda ids: iter(()))
    )
