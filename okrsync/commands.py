"""The entry points the command line calls: build the pieces from Settings and run them."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from okrsync import config, log
from okrsync.api import OkrApiClient, Window
from okrsync.config import Settings, require_token
from okrsync.errors import ConfigError, OkrsyncError
from okrsync.graph import Graph
from okrsync.jira import JiraClient
from okrsync.snapshot import StateStore
from okrsync.sync import Syncer, SyncOptions


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


def open_jira(settings: Settings) -> JiraClient | None:
    """The Jira client for the optional Issue enrichment, when it is configured."""
    if not (settings.jira_url and settings.jira_email and settings.jira_api_token):
        return None
    return JiraClient(
        settings.jira_url,
        settings.jira_email,
        settings.jira_api_token,
        timeout=settings.http_timeout,
    )


def sync_options(settings: Settings) -> SyncOptions:
    return SyncOptions(
        window=Window(settings.window_start_ms, settings.window_end_ms),
        batch_size=settings.batch_size,
        max_delete_fraction=settings.max_delete_fraction,
        checkins=settings.checkins,
        comments=settings.comments,
        journal=settings.journal,
        journal_retention_days=settings.journal_retention_days,
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
    syncer = Syncer(client, graph, store, sync_options(settings))
    syncer.jira = open_jira(settings)
    try:
        yield syncer
    finally:
        client.close()
        graph.close()
        if syncer.jira is not None:
            syncer.jira.close()


def sync_once(
    settings: Settings, *, dry_run: bool, full: bool, allow_mass_delete: bool
) -> dict[str, Any]:
    from okrsync.daemon import state_lock

    with state_lock(settings.state_dir), syncer_for(settings) as syncer:
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


def check(settings: Settings, config_path: Path | None) -> int:
    """Configuration, API reachability and token, Neo4j connectivity and write permission."""
    problems = 0

    def report(ok: bool, what: str, detail: str) -> None:
        nonlocal problems
        problems += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {what}: {detail}")

    report(True, "config", str(config_path) if config_path else "environment and defaults")
    try:
        with open_client(settings) as client:
            client.ping()
        report(True, "OKR API", f"{client.base_url} accepted the token")
    except OkrsyncError as exc:
        report(False, "OKR API", str(exc))
    try:
        graph = open_graph(settings)
        try:
            graph.check_write()
            report(True, "Neo4j", f"{settings.neo4j_uri} reachable, writes allowed")
        finally:
            graph.close()
    except OkrsyncError as exc:
        report(False, "Neo4j", str(exc))
    try:
        StateStore(settings.state_dir).ensure()
        report(True, "state_dir", f"{settings.state_dir} writable")
    except OkrsyncError as exc:
        report(False, "state_dir", str(exc))
    return 1 if problems else 0


def list_queries() -> int:
    from okrsync import queries

    for q in queries.library().values():
        params = " ".join(f"[{p.name}]" if not p.required else p.name for p in q.params)
        print(f"{q.name:24} {q.title}" + (f"   params: {params}" if params else ""))
    return 0


def query(
    settings: Settings, name: str | None, raw_params: list[str], *, as_json: bool, list_only: bool
) -> int:
    from okrsync import queries

    if list_only:
        return list_queries()
    if not name:
        raise queries.QueryError("name a query (okrsync query NAME) or pass --list")
    given: dict[str, Any] = {}
    for item in raw_params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise queries.QueryError(f"--param {item!r} is not KEY=VALUE")
        given[key] = queries.parse_value(value)
    queries.bind(queries.get(name), given)  # unknown names and params fail before connecting
    graph = open_graph(settings)
    try:
        rows = queries.run(graph, name, given)
    finally:
        graph.close()
    if as_json:
        print(
            json.dumps(
                [{k: queries.plain(v) for k, v in r.items()} for r in rows], ensure_ascii=False
            )
        )
    else:
        print(queries.render_table(rows))
    return 0


def report(settings: Settings, period: str, out: Path, days: int) -> int:
    try:
        import matplotlib  # noqa: F401 - the charts need it

        from okrsync.report import write_report
    except ImportError:
        raise OkrsyncError(
            "okrsync report needs matplotlib: pip install 'okrsync[report]'"
        ) from None
    graph = open_graph(settings)
    try:
        charts = write_report(graph, period, out, days)
    finally:
        graph.close()
    print(f"{out}: {charts} objectives charted")
    return 0


def demo(
    config_path: Path | None, overrides: dict[str, Any], *, objectives: int, seed: int, churn: int
) -> int:
    """The guided demo: the daemon, fed by an embedded simulator unless a real token is set."""
    from okrsync.daemon import Daemon
    from okrsync.simulator import Org, SimulatorServer

    probe = config.load(config_path, overrides={k: v for k, v in overrides.items() if v})
    overrides = {**overrides, "interval": overrides.get("interval") or 5.0}
    server = None
    if not probe.api_token:
        server = SimulatorServer(Org(objectives=objectives, seed=seed)).start()
        overrides.update(base_url=server.url, api_token="demo")  # noqa: S106 - simulator
        if "OKRSYNC_STATE_DIR" not in os.environ:
            overrides["state_dir"] = str(Path(".state/demo").resolve())
        if churn:
            sim = server.sim

            def evolve() -> None:
                while True:
                    time.sleep(float(overrides["interval"]))
                    sim.mutate(lambda o: o.evolve(churn))

            threading.Thread(target=evolve, name="churn", daemon=True).start()
    daemon = Daemon(config_path, overrides=overrides)
    log.configure(daemon.settings.log_level)
    port = (daemon.settings.http_listen or "127.0.0.1:9464").rsplit(":", 1)[1]
    source = f"simulated org on {server.url}" if server else daemon.settings.base_url
    http = daemon.settings.neo4j_uri.replace("bolt://", "http://").replace(":7687", ":7474")
    print(
        f"okrsync demo: syncing {source} into {daemon.settings.neo4j_uri} every "
        f"{daemon.settings.interval:g}s.\n  Open {http}/browser/ (user neo4j) and run:\n"
        f"    :style http://localhost:{port}/browser/okrsync.grass\n"
        "    MATCH p=(:Objective)-[:PARENT_OF|HAS_KR*1..3]->() RETURN p LIMIT 150\n"
        f"  Health: http://{daemon.settings.http_listen}/healthz   Ctrl-C stops.",
        file=sys.stderr,
        flush=True,
    )
    try:
        return daemon.run()
    finally:
        if server is not None:
            server.stop()
