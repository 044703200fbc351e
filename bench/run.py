"""okrsync benchmark v2: the first load against the fastest plain reference, with the mirror
alone and with the settings users run; no-op and 1 % change cycles; peak RSS; a cost curve for
sizing; a soak of `okrsync run` over hundreds of cycles.

Runs against the local Neo4j (NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD) and the simulator
(`okrsync simulate`, its own process); okrsync itself runs as `okrsync sync` / `okrsync run`
processes. Every first load and every reference load starts from an empty database; one
reference method also from a fresh store (see server.py).

    python bench/run.py                  # the full run `make bench` makes: bench/results.md
    python bench/run.py --sizes 1000 --runs 1 --curve '' --soak-entities 1000 \
        --soak-cycles 22 --soak-interval 0.2 --no-fresh-store
                                         # the smoke version `make test` runs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import neo4j
from procs import DEFAULTS, ENTITIES_PER_OBJECTIVE, MIRROR_ONLY, ORG, Simulator, okrsync_sync
from reference import METHODS, Reference
from report import write_report
from server import Server
from soak import plot, run_soak

from okrsync import config
from okrsync.api import OkrApiClient
from okrsync.diff import plan_changes
from okrsync.graph import Mirror
from okrsync.testing import fetch_snapshot, run_tool, to_graph
from okrsync.transform import GraphState

HERE = Path(__file__).resolve().parent
SAME_VALUES_UP_TO = 20_000  # entities: above this, only the graph's shape is compared
Log = Callable[[str], None]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def target_of(sim: Simulator) -> GraphState:
    with OkrApiClient(sim.url, "bench", timeout=600) as client:
        state, _ = to_graph(fetch_snapshot(client))
    return state


class Bench:
    def __init__(self, server: Server, runs: int, log: Log) -> None:
        self.server = server
        self.runs = runs
        self.log = log

    def shape(self) -> list[dict[str, Any]]:
        return self.server.graph.read((HERE / "cypher" / "graph_shape.cypher").read_text())

    def mirror(self) -> Mirror:
        """okrsync's writer with its default batch size (the forced rewrite's too)."""
        return Mirror(self.server.graph, ORG, config.load(None, environ={}).batch_size)

    def loads(self, sim: Simulator, state: Path, settings: dict[str, str], what: str) -> list[Any]:
        """First loads, each into an empty database with no state."""
        runs = []
        for i in range(self.runs):
            self.server.empty()
            shutil.rmtree(state, ignore_errors=True)
            runs.append(okrsync_sync(sim, state, settings))
            self.log(
                f"    first load ({what}) {i + 1}: process {runs[-1].process_seconds:.1f}s, "
                f"cycle {runs[-1].seconds:.1f}s, peak RSS {runs[-1].max_rss_mb:.0f} MB"
            )
        return runs

    def references(self, reference: Reference) -> dict[str, float]:
        out = {}
        for method in METHODS:
            if method.fresh and not self.server.fresh:
                continue
            times = []
            for _ in range(self.runs):
                self.server.empty(fresh=method.fresh)
                times.append(reference.write(self.server.driver, method))
            out[method.name] = median(times)
            self.log(f"    reference, {method.name}: {out[method.name]:.1f}s")
        return out

    def forced_rewrite(self, target: GraphState) -> float:
        """What a tool that re-MERGEs everything every cycle pays on an up-to-date graph."""
        plan = plan_changes(GraphState(), target)
        times = []
        for _ in range(self.runs):
            started = time.monotonic()
            self.mirror().apply(plan)
            times.append(time.monotonic() - started)
        return median(times)


def _load_figures(runs: list[Any], prefix: str) -> dict[str, Any]:
    return {
        f"{prefix}_process_s": median([r.process_seconds for r in runs]),
        f"{prefix}_cycle_s": median([r.seconds for r in runs]),
        f"{prefix}_phases": {
            k: median([r.summary["seconds"].get(k, 0.0) for r in runs])
            for k in ("fetch", "transform", "write", "persist")
        },
        f"{prefix}_rss_mb": max(r.max_rss_mb for r in runs),
    }


def _noop_figures(noops: list[Any]) -> dict[str, Any]:
    return {
        "noop_process_s": median([r.process_seconds for r in noops]),
        "noop_s": median([r.seconds for r in noops]),
        "noop_phases": {
            k: median([r.summary["seconds"].get(k, 0.0) for r in noops])
            for k in ("fetch", "transform", "diff", "write")
        },
        "noop_statements": max(r.summary["statements"] for r in noops),
        "noop_writes": noops[0].summary["writes"],
        "noop_rss_mb": max(r.max_rss_mb for r in noops),
    }


def measure(bench: Bench, entities: int, full: bool) -> dict[str, Any]:
    """One size: every figure (full), or the cost curve's alone (first load, no-op, RSS)."""
    objectives = max(10, round(entities / ENTITIES_PER_OBJECTIVE))
    with Simulator(objectives) as sim, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        out: dict[str, Any] = {}
        if full:
            out.update(_load_figures(bench.loads(sim, tmp / "d", DEFAULTS, "defaults"), "defaults"))
        loads = bench.loads(sim, tmp / "m", MIRROR_ONLY, "mirror only")
        out.update(_load_figures(loads, "initial"))
        out.update(_counts(loads[-1].summary))
        noops = [okrsync_sync(sim, tmp / "m", MIRROR_ONLY) for _ in range(bench.runs)]
        out.update(_noop_figures(noops))
        bench.log(f"    no-op: {out['noop_s']:.2f}s, statements {out['noop_statements']}")
        if full:
            out.update(_full_figures(bench, sim, tmp / "m", loads))
    return out


def _counts(summary: dict[str, Any]) -> dict[str, Any]:
    """What a first load wrote, from its summary."""
    return {
        "entities": summary["parsed"],  # a first load parses every objective and key result
        "nodes": summary["created"],
        "relationships": summary["linked"],
    }


def _full_figures(bench: Bench, sim: Simulator, state: Path, loads: list[Any]) -> dict[str, Any]:
    """The rest of a full size: fetch, forced rewrite, 1 % change, the references."""
    target = target_of(sim)
    okrsync_shape = bench.shape()
    small = target.count("Objective") + target.count("KeyResult") <= SAME_VALUES_UP_TO
    okrsync_graph = bench.mirror().read_state() if small else None
    out: dict[str, Any] = {
        "fetch_s": median([sim.fetch_seconds() for _ in range(bench.runs)]),
        "rewrite_graph_s": bench.forced_rewrite(target),
    }
    out["initial_transform_s"] = median([r.summary["seconds"]["transform"] for r in loads])
    changes = max(1, (target.count("Objective") + target.count("KeyResult")) // 100)
    # One unmeasured change cycle first: a running daemon has planned its update statements
    # long ago (Neo4j caches plans); the first change cycle after a load plans ~40 of them
    # (10k entities: 4.2 s, then 2.7 s, then 1.8 s in a row, the write phase 3.8 -> 1.1 s).
    sim.evolve(changes)
    okrsync_sync(sim, state, MIRROR_ONLY)
    one_percent = []
    for _ in range(bench.runs):
        sim.evolve(changes)
        one_percent.append(okrsync_sync(sim, state, MIRROR_ONLY))
    out["change_edits"] = changes
    out["change_s"] = median([r.seconds for r in one_percent])
    out["change_process_s"] = median([r.process_seconds for r in one_percent])
    bench.log(f"    1% change ({changes} edits): {out['change_s']:.2f}s")
    out["references"] = bench.references(Reference(target))
    # The comparison is fair only if the reference wrote the very graph okrsync wrote: said in
    # the report either way (a crash here would throw away a run of many minutes).
    shape = bench.shape()
    out["reference_same_graph"] = "shape" if shape == okrsync_shape else "DIFFERENT shape"
    if shape != okrsync_shape:
        bench.log(f"    shapes differ: {_diff(okrsync_shape, shape)}")
    elif okrsync_graph is not None:
        written = bench.mirror().read_state()
        nodes = written.nodes == okrsync_graph.nodes == target.nodes
        rels = written.rels == okrsync_graph.rels == target.rels
        out["reference_same_graph"] = "values" if nodes and rels else "DIFFERENT values"
    return out


def _diff(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> str:
    a = {tuple(r.values()) for r in ours}
    b = {tuple(r.values()) for r in theirs}
    return f"only okrsync's {sorted(a - b)[:5]}, only the reference's {sorted(b - a)[:5]}"


def machine() -> dict[str, str]:
    mem = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cores": str(os.cpu_count()),
        "ram": f"{int(mem) / 1024 / 1024:.0f} GiB",
        "python": platform.python_version(),
        "neo4j-driver": neo4j.__version__,
        "kernel": platform.release(),
    }


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="fully measured sizes")
    parser.add_argument(
        "--curve", default="300000", help="sizes measured for the cost curve alone, one run each"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median counts")
    parser.add_argument("--soak-entities", type=int, default=10_000)
    parser.add_argument("--soak-cycles", type=int, default=500)
    parser.add_argument("--soak-interval", type=float, default=0.5, help="seconds between cycles")
    parser.add_argument("--soak-churn", type=int, default=50, help="changes every 2 s")
    parser.add_argument(
        "--no-fresh-store", action="store_true", help="no reference into a fresh store"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    return parser.parse_args()


def sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s]


def main() -> int:
    args = arguments()
    uri = os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687")
    auth = (os.environ.get("NEO4J_USERNAME", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""))

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    started = time.monotonic()
    server = Server(uri, auth, fresh=not args.no_fresh_store)
    bench = Bench(server, args.runs, log)
    with Simulator(300) as sim, tempfile.TemporaryDirectory() as tmp:
        # The server's warm-up (JIT, plan cache, page cache), before anything is measured and
        # after each fresh start: a 1k-entity reference load; first, okrsync's own statements.
        log("warm-up: a 1k-entity first load with the defaults, a reference load")
        server.empty()
        okrsync_sync(sim, Path(tmp), DEFAULTS)
        warm = Reference(target_of(sim))
    server.warm_up = lambda: warm.write(server.driver, METHODS[0])
    server.empty()
    warm.write(server.driver, METHODS[0])
    server.empty()
    results: dict[str, list[dict[str, Any]]] = {"sizes": [], "curve": []}
    for size in sizes(args.sizes):
        log(f"size ~{size} entities:")
        results["sizes"].append({"size": size, **measure(bench, size, full=True)})
    for size in sizes(args.curve):
        log(f"cost curve, ~{size} entities (one run):")
        bench.runs, runs = 1, bench.runs
        results["curve"].append({"size": size, **measure(bench, size, full=False)})
        bench.runs = runs
    log(f"soak: {args.soak_entities} entities, {args.soak_cycles} cycles")
    server.empty()
    soak = run_soak(args.soak_entities, args.soak_cycles, args.soak_interval, args.soak_churn, log)
    picture = args.out.with_name("soak.png")
    plot(soak, picture)
    facts = {**machine(), **server.facts()}
    server.close()
    command = " ".join(["python bench/run.py", *sys.argv[1:]])
    write_report(
        args.out, args.runs, results, soak, picture, facts, command, time.monotonic() - started
    )
    if args.json:
        soak_json = {**vars(soak), "cycles": [vars(c) for c in soak.cycles]}
        args.json.write_text(json.dumps({**results, "soak": soak_json}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(run_tool(main))
