"""Command line: parse arguments, configure logging, call one entry point; nothing else.

Exit status: 0 done, 1 failed, 2 a configuration or usage error, 3 the deletion guard refused
a cycle, 4 a follow-up step failed (sync), 130 interrupted, 141 the reader of the output went
away (`okrsync query team_progress | head -4`): the command stops quietly, as coreutils do.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from okrsync import __version__, log
from okrsync.errors import ConfigError, MassDeleteRefused, OkrsyncError, UsageError

EXIT_FAILURE = 1
EXIT_USAGE = 2  # a configuration error, or a command line naming what does not exist or fit
EXIT_REFUSED = 3
EXIT_READER_GONE = 141  # 128 + SIGPIPE: what a shell shows for `seq 1000000 | head -1`'s seq


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        help="TOML config file (default /etc/okrsync/okrsync.toml if it exists)",
    )
    parser.add_argument("--log-level", choices=("debug", "info", "warning", "error"))
    parser.add_argument(
        "--org", help="the organisation (default: the org setting; queries and reports read it)"
    )
    parser.add_argument(
        "--log-format",
        choices=("json", "console"),
        help="default: console on a terminal, JSON lines otherwise",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="okrsync", description="Mirror OKR for Jira objectives and key results into Neo4j."
    )
    parser.add_argument("--version", action="version", version=f"okrsync {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_sync, _add_run, _add_report, _add_query, _add_simulate, _add_demo):
        add(sub)
    _common(sub.add_parser("schema", help="create the graph's constraints and exit"))
    _common(sub.add_parser("check", help="verify configuration, API token and Neo4j access"))
    return parser


def _add_sync(sub: Any) -> None:
    sync = sub.add_parser("sync", help="run one sync cycle and exit")
    _common(sync)
    sync.add_argument(
        "--dry-run",
        action="store_true",
        help="print the planned changes; write nothing (graph or state)",
    )
    sync.add_argument(
        "--full", action="store_true", help="reconcile against what the graph holds (repairs drift)"
    )
    sync.add_argument(
        "--allow-mass-delete",
        action="store_true",
        help="let this cycle delete more than max_delete_fraction of the mirror",
    )


def _add_run(sub: Any) -> None:
    run = sub.add_parser("run", help="run as a daemon: a sync cycle every interval")
    _common(run)
    run.add_argument("--interval", type=float, help="seconds between cycles (default 300)")
    run.add_argument(
        "--http-listen", metavar="HOST:PORT", help="serve /healthz and /metrics here (default: off)"
    )


def _add_report(sub: Any) -> None:
    report = sub.add_parser("report", help="write a static HTML progress report for a period")
    _common(report)
    report.add_argument("--period", required=True, help='the period\'s name, e.g. "Q1 2026"')
    report.add_argument("--out", type=Path, default=Path("report.html"))
    report.add_argument(
        "--days", help="what slipped in this many days (an integer; default: slipped's, 7)"
    )


def _add_query(sub: Any) -> None:
    query = sub.add_parser("query", help="run a question from the query library")
    _common(query)
    query.add_argument("name", nargs="?", help="the query's name (see --list)")
    query.add_argument(
        "--list",
        action="store_true",
        help="list the queries: titles, and parameters with their types",
    )
    query.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a parameter, converted by the type its query declares (--list shows them)",
    )
    query.add_argument("--json", action="store_true", help="print JSON rows instead of a table")


def _add_simulate(sub: Any) -> None:
    sim = sub.add_parser("simulate", help="serve a simulated OKR for Jira API")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8089)
    sim.add_argument("--objectives", type=int, default=60, help="org size (default 60)")
    sim.add_argument("--seed", type=int, default=1, help="same seed, same org (default 1)")
    sim.add_argument("--token", help="accept only this API token (default: any non-empty one)")
    sim.add_argument(
        "--churn",
        type=int,
        default=0,
        help="random changes applied every --churn-interval seconds (default 0)",
    )
    sim.add_argument("--churn-interval", type=float, default=10.0)
    sim.add_argument(
        "--mess",
        action="store_true",
        help="serve the messy test org: the mess of real exports (nulls, odd types, lists"
        " against pointers, early check-ins...; see okrsync.simulator); 40+ objectives",
    )


def _add_demo(sub: Any) -> None:
    demo = sub.add_parser(
        "demo",
        help="the daemon against an embedded simulator (no token set)"
        " or the real API (token set), syncing every few seconds",
    )
    _common(demo)
    demo.add_argument("--objectives", type=int, default=60)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--interval", type=float, default=5.0)
    demo.add_argument("--churn", type=int, default=3, help="simulator changes per interval")
    demo.add_argument(
        "--http-listen",
        metavar="HOST:PORT",
        help="serve /healthz, /metrics and the Browser's style here"
        " (default: http_listen's setting, else 127.0.0.1:9464)",
    )


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "log_level": getattr(args, "log_level", None),
        "interval": getattr(args, "interval", None),
        "http_listen": getattr(args, "http_listen", None),
        "org": getattr(args, "org", None),
    }


def _configure_logging(args: argparse.Namespace, level: str) -> None:
    fmt = getattr(args, "log_format", None)
    log.configure(level=level, json=None if fmt is None else fmt == "json")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()  # a reader gone (`| head`) shows here, not in the interpreter's exit
    except BrokenPipeError:
        if not _stdout_gone():
            raise
        # Quietly, as coreutils stop: later writes (the interpreter's final flush) go nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_READER_GONE


def _stdout_gone() -> bool:
    """Whether standard output is a pipe whose reader has closed it."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(event & select.POLLERR for _, event in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    log.configure(level="info")
    try:
        return _dispatch(args)
    except ConfigError as exc:
        _say(f"configuration error: {exc}")
        return EXIT_USAGE
    except UsageError as exc:
        _say(str(exc))
        return EXIT_USAGE
    except MassDeleteRefused as exc:
        _say(str(exc))
        return EXIT_REFUSED
    except OkrsyncError as exc:
        _say(" ".join(str(exc).split()))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("okrsync: interrupted", file=sys.stderr)
        return 130


def _say(message: str) -> None:
    """The one line an expected failure gets, with no secret in it."""
    print(f"okrsync: {log.redact(message)}", file=sys.stderr)


def _dispatch(args: argparse.Namespace) -> int:
    from okrsync import commands  # heavy imports only once the arguments are known

    if args.command == "query" and args.list:
        return commands.list_queries()
    if args.command == "simulate":
        return commands.simulate(
            args.host,
            args.port,
            args.objectives,
            args.seed,
            args.token,
            args.churn,
            args.churn_interval,
            mess=args.mess,
        )
    if args.command == "run":
        from okrsync.daemon import Daemon

        daemon = Daemon(args.config, overrides=_overrides(args))
        _configure_logging(args, daemon.settings.log_level)
        return daemon.run()
    if args.command == "demo":
        return commands.demo(
            args.config,
            _overrides(args),
            objectives=args.objectives,
            seed=args.seed,
            churn=args.churn,
        )
    return _with_settings(args, commands)


def _with_settings(args: argparse.Namespace, commands: Any) -> int:
    """The commands that load the settings first: sync, schema, check, report, query."""
    from okrsync import config
    from okrsync.runtime import register_secrets

    settings = config.load(args.config, overrides=_overrides(args))
    _configure_logging(args, settings.log_level)
    register_secrets(settings)
    if args.command == "sync":
        summary, code = commands.sync_once(
            settings, dry_run=args.dry_run, full=args.full, allow_mass_delete=args.allow_mass_delete
        )
        print(json.dumps(summary, sort_keys=True))
        return int(code)
    if args.command == "schema":
        commands.apply_schema(settings)
        print("constraints in place")
        return 0
    if args.command == "check":
        return int(commands.check(settings, args.config))
    if args.command == "report":
        return int(commands.report(settings, args.period, args.out, args.days))
    if args.command == "query":
        return int(
            commands.query(settings, args.name, args.param, as_json=args.json, list_only=args.list)
        )
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
