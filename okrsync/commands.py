"""The entry points the command line calls; each builds what it needs through okrsync.runtime."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from okrsync import config, log
from okrsync.config import Settings
from okrsync.daemon import Daemon
from okrsync.diff import Plan
from okrsync.errors import LeaseHeld, OkrsyncError
from okrsync.graph import Constraints, cypher
from okrsync.graph.lease import Lease
from okrsync.observe import browser_origin
from okrsync.params import convert
from okrsync.progress import for_stream
from okrsync.runtime import open_client, open_graph, open_runtime
from okrsync.state import StateStore

EXIT_OK = 0
EXIT_STEP_FAILED = 4  # the mirror committed; a follow-up step (check-ins, journal, ...) failed


def sync_once(
    settings: Settings, *, dry_run: bool, full: bool, allow_mass_delete: bool
) -> tuple[dict[str, Any], int]:
    """One cycle; its summary, and the exit code it deserves."""
    store = StateStore(settings.state_dir, settings.org)
    # Bars for a person at a terminal; a pipe or journald gets none.
    progress = for_stream(sys.stderr)
    with store.lock(), open_runtime(settings, progress=progress) as runtime:
        if not dry_run:  # a dry run writes nothing: it needs no lease
            hold_lease(runtime.lease)
        try:
            result = runtime.cycle.run(
                dry_run=dry_run, full=full, allow_mass_delete=allow_mass_delete
            )
        finally:
            runtime.lease.release()
    if dry_run:
        for line in describe_plan(result.plan):
            print(line)
    return result.summary(), EXIT_STEP_FAILED if result.failed_steps else EXIT_OK


def hold_lease(lease: Lease) -> None:
    """The organisation's write lease, or one line saying who holds it."""
    state = lease.acquire()
    if not state.granted:
        raise LeaseHeld(
            f"organisation {lease.org!r} is being written by {state.holder} (its lease runs "
            f"until {state.expires}): a second writer would race it; stop that okrsync, or "
            "let it be the one that syncs"
        )


def describe_plan(plan: Plan) -> Iterator[str]:
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
    with open_graph(settings) as graph:
        Constraints(graph).apply()


def simulate(
    host: str,
    port: int,
    objectives: int,
    seed: int,
    token: str | None,
    churn: int,
    churn_interval: float,
    *,
    mess: bool = False,
) -> int:
    from okrsync.simulator import Org, SimulatorServer

    started = time.monotonic()
    try:
        org = Org(objectives=objectives, seed=seed, mess=mess)
    except ValueError as exc:  # a messy org too small for its mess
        raise OkrsyncError(str(exc)) from None
    try:
        server = SimulatorServer(org, host=host, port=port, token=token)
    except OSError as exc:
        raise OkrsyncError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    messy = ", messy" if mess else ""
    print(
        f"okrsync simulator: {len(org.objectives)} objectives, {len(org.key_results)} key "
        f"results{messy} (seed {seed}, built in {time.monotonic() - started:.1f}s) on {server.url}",
        file=sys.stderr,
        flush=True,
    )
    if churn > 0:
        server.sim.churn(churn, churn_interval)
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
        with open_graph(settings) as graph:
            graph.check_write()
        report(True, "Neo4j", f"{settings.neo4j_uri} reachable, writes allowed")
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

    for line in queries.listing():
        print(line)
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
        given[key] = value  # text: its parameter's declared type converts it (queries.bind)
    queries.bind(queries.get(name), given)  # unknown names, params and values fail first
    with open_graph(settings) as graph:
        rows = queries.run(graph, name, given, settings.org)
    if as_json:
        print(
            json.dumps(
                [{k: queries.plain(v) for k, v in r.items()} for r in rows], ensure_ascii=False
            )
        )
    else:
        print(queries.render_table(rows))
    return 0


def report(settings: Settings, period: str, out: Path, days_text: str | None) -> int:
    from okrsync import queries

    # The slipped list is the library's `slipped`: --days is its `days`, typed and defaulted there.
    days_param = next(p for p in queries.get("slipped").params if p.name == "days")
    days = days_param.default
    if days_text is not None:
        days = convert(days_param.type, "days", days_text, "--days ", days_param.default)
    try:
        import matplotlib  # noqa: F401 - the charts need it

        from okrsync.report import write_report
    except ImportError:
        raise OkrsyncError(
            "okrsync report needs matplotlib: pip install 'okrsync[report]'"
        ) from None
    with open_graph(settings) as graph:
        charts = write_report(graph, settings.org, period, out, days)
    print(f"{out}: {charts} objectives charted")
    return 0


DEMO_ORG = "demo"
DEMO_HTTP_LISTEN = "127.0.0.1:9464"
# The password deploy/neo4j/local-neo4j.sh gives the development server it provisions: the one
# password the demo may print (any other is a secret, from a file or the environment).
LOCAL_NEO4J_PASSWORD = "okrsync-local"  # noqa: S105 - a published development default


def neo4j_browser_url(settings: Settings) -> str | None:
    """Where the server's Neo4j Browser answers: its advertised HTTP port on the host okrsync
    reaches it at; None when the server does not say (HTTP off, no right to read settings)."""
    names = ["server.http.enabled", "server.http.advertised_address"]
    try:
        with open_graph(settings) as graph:
            found = {
                r["name"]: r["value"] for r in graph.read(cypher("server_settings"), names=names)
            }
    except OkrsyncError:
        return None
    advertised = found.get("server.http.advertised_address", "")
    port = advertised.rpartition(":")[2]
    if found.get("server.http.enabled") != "true" or not port.isdigit():
        return None
    host = urlsplit(settings.neo4j_uri).hostname or "localhost"
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/browser/"


def neo4j_login(settings: Settings) -> str:
    """The Browser's login as the banner may show it: the password only when it is the local
    development server's published one."""
    password = settings.neo4j_password.reveal() if settings.neo4j_password else ""
    if password == LOCAL_NEO4J_PASSWORD:
        return f"user {settings.neo4j_username}, password {LOCAL_NEO4J_PASSWORD}"
    return f"user {settings.neo4j_username} and the password okrsync is configured with"


def demo_banner(settings: Settings, source: str, browser: str | None) -> str:
    """What the demo prints first: where to look, with which login, at which organisation."""
    listen = settings.http_listen or DEMO_HTTP_LISTEN
    where = f"Open {browser}" if browser else "Open Neo4j Browser on the server's HTTP port"
    org = settings.org
    return (
        f"okrsync demo: syncing {source} as organisation {org!r} into {settings.neo4j_uri}"
        f" every {settings.interval:g}s.\n  {where} ({neo4j_login(settings)}) and run:\n"
        f"    :style {browser_origin(listen)}/browser/okrsync.grass\n"
        f"    MATCH p=(:Objective {{okrsyncOrg: '{org}'}})-[:PARENT_OF|HAS_KR*1..3]->() "
        "RETURN p LIMIT 150\n"
        f"  Health: http://{listen}/healthz   Ctrl-C stops."
    )


def demo(
    config_path: Path | None, overrides: dict[str, Any], *, objectives: int, seed: int, churn: int
) -> int:
    """The guided demo: the daemon, fed by an embedded simulator unless a real token is set."""
    from okrsync.simulator import Org, SimulatorServer

    probe = config.load(config_path, overrides={k: v for k, v in overrides.items() if v})
    # The demo's defaults rank below the file and the environment: flag > env > file > these.
    overrides = {
        **overrides,
        "interval": overrides.get("interval") or 5.0,
        "http_listen": probe.http_listen or DEMO_HTTP_LISTEN,
    }
    server = None
    if not probe.api_token:
        server = SimulatorServer(Org(objectives=objectives, seed=seed)).start()
        # Not a word: the token is redacted from every log line, and "demo" is the org's name.
        overrides.update(base_url=server.url, api_token="simulator-token-0")  # noqa: S106
        # An organisation of its own (unless one is configured): the demo works whatever else
        # the database holds, a test run's or an earlier demo's mirror included.
        if probe.org == Settings().org:
            overrides["org"] = DEMO_ORG
        if "OKRSYNC_STATE_DIR" not in os.environ:
            overrides["state_dir"] = str(Path(".state/demo").resolve())
        if churn:
            server.sim.churn(churn, float(overrides["interval"]))
    daemon = Daemon(config_path, overrides=overrides)
    log.configure(daemon.settings.log_level)
    source = f"a simulated org on {server.url}" if server else daemon.settings.base_url
    browser = neo4j_browser_url(daemon.settings)
    print(demo_banner(daemon.settings, source, browser), file=sys.stderr, flush=True)
    try:
        return daemon.run()
    finally:
        if server is not None:
            server.stop()
