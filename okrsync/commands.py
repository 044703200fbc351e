"""The entry points the command line calls: build the pieces from Settings and run them."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

from okrsync.api import OkrApiClient, Window
from okrsync.config import Settings, require_token
from okrsync.errors import ConfigError, OkrsyncError
from okrsync.graph import Graph
from okrsync.snapshot import StateStore
from okrsync.sync import Syncer, SyncOptions

log = structlog.get_logger("okrsync")


def open_graph(settings: Settings) -> Graph:
    if not settings.neo4j_password:
        raise ConfigError(
            "neo4j_password is not set: set NEO4J_PASSWORD, neo4j_password_file,"
            " or the neo4j-password credential"
        )
    graph = Graph.connect(
        settings.neo4j_uri,
        settings.neo4j_username,
        settings.neo4j_password.reveal(),
        settings.neo4j_database,
    )
    try:
        graph.verify()
    except OkrsyncError:
        graph.close()
        raise
    return graph


def open_client(settings: Settings) -> OkrApiClient:
    return OkrApiClient(settings.base_url, require_token(settings), timeout=settings.http_timeout)


def sync_options(settings: Settings) -> SyncOptions:
    return SyncOptions(
        window=Window(settings.window_start_ms, settings.window_end_ms),
        batch_size=settings.batch_size,
        max_delete_fraction=settings.max_delete_fraction,
    )


@contextmanager
def syncer_for(settings: Settings) -> Iterator[Syncer]:
    client = open_client(settings)
    store = StateStore(settings.state_dir)
    store.ensure()
    try:
        graph = open_graph(settings)
    except BaseException:
        client.close()
        raise
    try:
        yield Syncer(client, graph, store, sync_options(settings))
    finally:
        client.close()
        graph.close()


def sync_once(
    settings: Settings, *, dry_run: bool, full: bool, allow_mass_delete: bool
) -> dict[str, Any]:
    with syncer_for(settings) as syncer:
        result = syncer.run_cycle(dry_run=dry_run, full=full, allow_mass_delete=allow_mass_delete)
    if dry_run:
        for line in describe_plan(result.plan):
            print(line)
    return result.summary()


def describe_plan(plan: Any) -> Iterator[str]:
    for change in plan.nodes:
        if change.kind == "updated":
            detail = ", ".join(
                f"{k}: {old!r} -> {new!r}" for k, (old, new) in change.fields.items()
            )
            yield f"update {change.label} {change.id}: {detail}"
        else:
            name = change.props.get("name") or dict(change.fields).get("name", (None,))[0] or ""
            verb = "create" if change.kind == "created" else "delete"
            yield f"{verb} {change.label} {change.id} {name}".rstrip()
    for rel in plan.unlinked:
        yield f"unlink ({rel.from_label} {rel.from_id})-[:{rel.type}]->({rel.to_label} {rel.to_id})"
    for rel in plan.linked:
        yield f"link ({rel.from_label} {rel.from_id})-[:{rel.type}]->({rel.to_label} {rel.to_id})"


def apply_schema(settings: Settings) -> None:
    graph = open_graph(settings)
    try:
        graph.apply_schema()
    finally:
        graph.close()


def simulate(
    host: str,
    port: int,
    objectives: int,
    seed: int,
    token: str | None,
    churn: int,
    churn_interval: float,
) -> int:
    from okrsync.simulator import Org, SimulatorServer

    started = time.monotonic()
    org = Org(objectives=objectives, seed=seed)
    try:
        server = SimulatorServer(org, host=host, port=port, token=token)
    except OSError as exc:
        raise OkrsyncError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    print(
        f"okrsync simulator: {len(org.objectives)} objectives, {len(org.key_results)} key "
        f"results (seed {seed}, built in {time.monotonic() - started:.1f}s) on {server.url}",
        file=sys.stderr,
        flush=True,
    )
    if churn > 0:

        def evolve() -> None:
            while True:
                time.sleep(churn_interval)
                server.sim.mutate(lambda o: o.evolve(churn))

        threading.Thread(target=evolve, name="churn", daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


def demo(
    settings: Settings, *, objectives: int, seed: int, interval: float, churn: int, cycles: int
) -> int:
    """The guided demo: an embedded simulator (unless a real token is set) synced in a loop."""
    from dataclasses import replace

    from okrsync.api import Secret
    from okrsync.simulator import Org, SimulatorServer

    server = None
    if not settings.api_token:
        server = SimulatorServer(Org(objectives=objectives, seed=seed)).start()
        settings = replace(settings, base_url=server.url, api_token=Secret("demo"))
        log.info("demo.simulator", url=server.url, objectives=objectives, seed=seed)
    http = settings.neo4j_uri.replace("bolt://", "http://").replace(":7687", ":7474")
    print(
        f"Open {http}/browser/ and run: MATCH p=(:Objective)-[:HAS_KR]->(:KeyResult) "
        "RETURN p LIMIT 100",
        file=sys.stderr,
        flush=True,
    )
    done = 0
    try:
        with syncer_for(settings) as syncer:
            while True:
                try:
                    syncer.run_cycle()
                except OkrsyncError as exc:
                    log.error("sync.failed", error=str(exc))
                done += 1
                if cycles and done >= cycles:
                    return 0
                time.sleep(interval)
                if server is not None and churn:
                    server.sim.mutate(lambda o: o.evolve(churn))
    finally:
        if server is not None:
            server.stop()
