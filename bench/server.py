"""The Neo4j server under the benchmark, and the ways to hand it an empty database.

Every measured load starts from a database emptied by deleting everything in it, okrsync's
constraints applied again. On the checkout's own local server (deploy/neo4j/local-neo4j.sh)
the reference is also measured into a fresh store: the server stopped, its database
directories deleted, started again and warmed up by a small load. The issue behind v2 asked
whether a store grown by repeated wipes is what made v1's reference slow; both are reported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import neo4j

from okrsync.graph import Constraints, Graph
from okrsync.graph.statements import cypher
from okrsync.testing import is_local_server, wipe

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "deploy" / "neo4j" / "local-neo4j.sh"
DATABASE = "neo4j"  # the default database: Community has only this one
WIPE_BATCH = 2000  # nodes deleted per transaction


class Server:
    """A driver to the server, and the way to hand the benchmark an empty database."""

    def __init__(self, uri: str, auth: tuple[str, str], fresh: bool) -> None:
        self.uri = uri
        self.auth = auth
        self.driver = self._connect()
        local = is_local_server(Graph(self.driver))
        self.fresh = fresh and local  # a fresh store is possible on the local server only
        self.data_dir = self._setting("server.directories.data") if local else None
        self.http = self._setting("server.http.listen_address") if local else None
        self.neo4j_version = self.version()
        self.warm_up: Callable[[], object] | None = None  # set by the bench: a small load

    def _connect(self) -> neo4j.Driver:
        driver = neo4j.GraphDatabase.driver(
            self.uri, auth=self.auth, notifications_min_severity="OFF"
        )
        driver.verify_connectivity()
        return driver

    def _setting(self, name: str) -> str:
        rows = Graph(self.driver).read(cypher("server_settings"), names=[name])
        return str(rows[0]["value"])

    @property
    def graph(self) -> Graph:
        return Graph(self.driver)

    def empty(self, fresh: bool = False) -> None:
        """An empty database with okrsync's constraints in place: by deleting everything in
        it, or (`fresh`, on the local server only) a fresh store, warmed up."""
        if fresh and self.fresh:
            self._restart_empty()
            Constraints(self.graph).apply()
            if self.warm_up is not None:
                self.warm_up()
        # Small batches: deleting 20k nodes of a 100k-entity mirror at once (the tests' batch)
        # made one transaction of 1.08M commands, which the 1 GB heap could not apply.
        wipe(self.graph, batch=WIPE_BATCH)
        Constraints(self.graph).apply()

    def _script(self, command: str) -> None:
        assert self.http is not None
        env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
        env.update(
            NEO4J_VERSION=self.neo4j_version,
            NEO4J_BOLT_PORT=str(urlsplit(self.uri).port or 7687),
            NEO4J_HTTP_PORT=self.http.rsplit(":", 1)[1],
        )
        subprocess.run([str(SCRIPT), command], env=env, check=True, capture_output=True, text=True)

    def _restart_empty(self) -> None:
        assert self.data_dir is not None
        self.driver.close()
        self._script("stop")
        data = Path(self.data_dir)
        for part in ("databases", "transactions"):
            shutil.rmtree(data / part / DATABASE, ignore_errors=True)
        self._script("start")
        deadline = time.monotonic() + 120
        while True:
            try:
                self.driver = self._connect()
                return
            except neo4j.exceptions.ServiceUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def version(self) -> str:
        records, _, _ = self.driver.execute_query(
            "CALL dbms.components() YIELD versions RETURN versions[0] AS version"
        )
        return str(records[0]["version"])

    def facts(self) -> dict[str, str]:
        records, _, _ = self.driver.execute_query(
            "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS version, edition"
        )
        facts = {"neo4j": f"{records[0]['version']} {records[0]['edition']}"}
        for name, key in (
            ("server.memory.heap.max_size", "heap"),
            ("server.memory.pagecache.size", "pagecache"),
        ):
            facts[key] = self._setting(name)
        return facts

    def close(self) -> None:
        self.driver.close()
