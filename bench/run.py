"""okrsync benchmark: sync cost against the physical limit and the naive way, 1k to 100k entities.

Runs against the local Neo4j (NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD) and the simulator
(`okrsync simulate` in its own process). okrsync itself runs as `okrsync sync` subprocesses, so
its timings include nothing of the benchmark's and its peak RSS is its own (VmHWM).

    python bench/run.py                        # 1k, 10k, 100k entities; writes bench/results.md
    python bench/run.py --sizes 1000 --runs 1  # the smoke version `make test` runs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import neo4j

from okrsync.api import OkrApiClient
from okrsync.diff import plan_changes
from okrsync.graph import Constraints, Graph, Mirror, WriteStats
from okrsync.graph.statements import reference_create_nodes, statement
from okrsync.graph.values import to_neo4j
from okrsync.schema import LABELS
from okrsync.testing import TEST_ORG, fetch_snapshot, run_tool, to_graph, wipe
from okrsync.transform import GraphState

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENTITIES_PER_OBJECTIVE = 3.5  # the simulator gives each objective 1-4 key results
NAIVE_SUBSET = 2000
ORG = TEST_ORG  # the organisation the bench mirrors (OKRSYNC_ORG of its `okrsync sync`)
REFERENCE_BATCH = 10_000
SAME_VALUES_UP_TO = 20_000  # entities: above this, only the graph's shape is compared


def bench_cypher(name: str) -> str:
    return (HERE / "cypher" / f"{name}.cypher").read_text()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Simulator:
    objectives: int
    seed: int = 1
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Simulator:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "okrsync.cli",
                "simulate",
                "--port",
                str(self.port),
                "--objectives",
                str(self.objectives),
                "--seed",
                str(self.seed),
            ],
            stderr=subprocess.DEVNULL,
            text=True,
        )
        deadline = time.monotonic() + 300
        while True:
            try:
                httpx.get(f"{self.url}/_sim/stats", timeout=5)
                return self
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the simulator did not start") from None
                time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(30)

    def evolve(self, changes: int) -> None:
        httpx.post(f"{self.url}/_sim/evolve", json={"changes": changes}, timeout=120)


@dataclass
class SyncRun:
    process_seconds: float  # the whole `okrsync sync` process: start-up, imports, connecting
    summary: dict[str, Any]
    max_rss_mb: float

    @property
    def seconds(self) -> float:
        """The cycle's own wall time, from its summary: what a running daemon pays a cycle."""
        return float(self.summary["seconds"]["total"])


class PeakRss(threading.Thread):
    """A process's peak resident set, read from /proc/<pid>/status (VmHWM) until it exits.

    Not wait4's ru_maxrss: Linux carries the parent's high-water mark into a child at exec
    (fork and vfork alike), so every child of this benchmark, which holds a 100k-entity target
    graph, reported the benchmark's own ~500 MB. VmHWM belongs to the exec'd image alone."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.path = Path(f"/proc/{pid}/status")
        self.kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.01):
            try:
                status = self.path.read_text()
            except OSError:
                return  # gone
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.kb = max(self.kb, int(line.split()[1]))

    def stop(self) -> float:
        self.done.set()
        self.join()
        return self.kb / 1024


def okrsync_sync(sim: Simulator, state_dir: Path, env: dict[str, str]) -> SyncRun:
    """One `okrsync sync` process; wall time, its JSON summary and its own peak RSS."""
    run_env = {
        **env,
        "OKRSYNC_BASE_URL": sim.url,
        "OKRSYNC_API_TOKEN": "bench",
        "OKRSYNC_STATE_DIR": str(state_dir),
        "OKRSYNC_ORG": ORG,
        "OKRSYNC_LOG_LEVEL": "warning",
        "OKRSYNC_HTTP_TIMEOUT": "600",
        "OKRSYNC_MAX_DELETE_FRACTION": "0.99",  # the bench never wants a refusal
        # The mirror alone, as the reference writes it: no check-in feed, no change journal.
        "OKRSYNC_CHECKINS": "false",
        "OKRSYNC_JOURNAL": "false",
    }
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "okrsync.cli", "sync"],
            env=run_env,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        rss = PeakRss(proc.pid)
        rss.start()
        out, _ = proc.communicate()
        seconds = time.monotonic() - started
        peak_mb = rss.stop()
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"okrsync sync failed ({proc.returncode}): {err.read()[-500:]}")
    if not peak_mb:
        raise RuntimeError("could not read the peak RSS of okrsync from /proc")
    return SyncRun(seconds, json.loads(out.strip().splitlines()[-1]), peak_mb)


class Bench:
    def __init__(self, driver: neo4j.Driver, runs: int, log: Callable[[str], None]) -> None:
        self.driver = driver
        self.graph = Graph(driver)
        self.mirror = Mirror(self.graph, ORG, 5000)
        self.runs = runs
        self.log = log
        self.env = dict(os.environ)

    # --- helpers ---------------------------------------------------------------------------

    def empty_database(self) -> None:
        wipe(self.graph)
        Constraints(self.graph).apply()

    def shape(self) -> list[dict[str, Any]]:
        return self.graph.read(bench_cypher("graph_shape"))

    def target(self, sim: Simulator) -> GraphState:
        with OkrApiClient(sim.url, "bench", timeout=600) as client:
            state, _ = to_graph(fetch_snapshot(client))
        return state

    def write_rows(
        self, query: str, rows: list[Any], param: str = "rows", batch: int = REFERENCE_BATCH
    ) -> WriteStats:
        stats = WriteStats()
        for start in range(0, len(rows), batch):

            def work(
                tx: neo4j.ManagedTransaction, chunk: list[Any] = rows[start : start + batch]
            ) -> neo4j.ResultSummary:
                return tx.run(query, **{param: chunk}, org=ORG).consume()

            with self.driver.session() as session:
                stats.add(session.execute_write(work))
        return stats

    # --- the measurements ------------------------------------------------------------------

    def initial(self, sim: Simulator, tmp: Path) -> tuple[list[SyncRun], Path]:
        runs: list[SyncRun] = []
        state = tmp / "state"
        for i in range(self.runs):
            self.empty_database()
            shutil.rmtree(state, ignore_errors=True)
            runs.append(okrsync_sync(sim, state, self.env))
            self.log(
                f"    initial sync run {i + 1}: {runs[-1].seconds:.1f}s, "
                f"peak RSS {runs[-1].max_rss_mb:.0f} MB"
            )
        return runs, state

    def reference(self, target: GraphState) -> list[float]:
        """The same nodes and relationships by the fastest plain method: CREATE, 10k batches."""
        times = []
        rel_groups: dict[str, list[dict[str, str]]] = {}
        for rel in target.rels:
            name = f"rels/create_{rel.type}_{rel.from_label}_{rel.to_label}"
            rel_groups.setdefault(name, []).append({"from": rel.from_id, "to": rel.to_id})
        for _ in range(self.runs):
            self.empty_database()
            started = time.monotonic()
            for label in LABELS:
                self.write_rows(
                    reference_create_nodes(label),
                    [to_neo4j(props) for props in target.nodes[label].values()],
                )
            for name, rows in sorted(rel_groups.items()):
                self.write_rows(statement(name), rows)
            times.append(time.monotonic() - started)
        return times

    def naive(self, target: GraphState) -> float:
        """One transaction per entity MERGEing node and relationships; seconds per entity."""
        self.empty_database()
        rels_from: dict[str, list[Any]] = {}
        for rel in target.rels:
            rels_from.setdefault(rel.from_id, []).append(rel)
            rels_from.setdefault(rel.to_id, []).append(rel)
        entities = [("Objective", o) for o in list(target.nodes["Objective"])[: NAIVE_SUBSET // 3]]
        entities += [("KeyResult", k) for k in list(target.nodes["KeyResult"])]
        entities = entities[:NAIVE_SUBSET]
        queries = {label: bench_cypher(f"naive_{label}") for label in ("Objective", "KeyResult")}

        def lookup(label: str, node_id: str) -> dict[str, Any]:
            return dict(target.nodes[label][node_id])

        def with_times(label: str, node_id: str) -> dict[str, Any]:
            return to_neo4j(target.nodes[label][node_id])  # instants apart, as okrsync sends them

        started = time.monotonic()
        for label, node_id in entities:
            rels = rels_from.get(node_id, [])
            params = {
                "id": node_id,
                **to_neo4j(target.nodes[label][node_id]),
                "parents": [
                    r.from_id
                    for r in rels
                    if r.to_id == node_id and r.type in ("PARENT_OF", "HAS_KR")
                ],
                "teams": [lookup("Team", r.to_id) for r in rels if r.type == "BELONGS_TO"],
                "labels": [lookup("Label", r.to_id) for r in rels if r.type == "HAS_LABEL"],
                "periods": [with_times("Period", r.to_id) for r in rels if r.type == "IN_PERIOD"],
                "owners": [r.from_id for r in rels if r.type == "OWNS"],
                "collaborators": [r.from_id for r in rels if r.type == "COLLABORATES_ON"],
                "issues": [r.to_id for r in rels if r.type == "TRACKS"],
            }

            def work(
                tx: neo4j.ManagedTransaction, q: str = queries[label], p: dict[str, Any] = params
            ) -> None:
                tx.run(q, **p, org=ORG).consume()

            with self.driver.session() as session:
                session.execute_write(work)
        return (time.monotonic() - started) / len(entities)

    def forced_rewrite(self, target: GraphState) -> list[float]:
        """What a tool that re-MERGEs everything every cycle pays on an up-to-date graph."""
        plan = plan_changes(GraphState(), target)
        times = []
        for _ in range(self.runs):
            started = time.monotonic()
            self.mirror.apply(plan)
            times.append(time.monotonic() - started)
        return times


def machine() -> dict[str, str]:
    mem = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    return {
        "cores": str(os.cpu_count()),
        "ram": f"{int(mem) / 1024 / 1024:.0f} GiB",
        "python": platform.python_version(),
        "neo4j-driver": neo4j.__version__,
        "kernel": platform.release(),
    }


def neo4j_facts(driver: neo4j.Driver) -> dict[str, str]:
    records, _, _ = driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition "
        "RETURN versions[0] AS version, edition"
    )
    facts = {"neo4j": f"{records[0]['version']} {records[0]['edition']}"}
    base = Path(os.environ.get("NEO4J_LOCAL_DIR") or ROOT / ".neo4j")
    conf = base / records[0]["version"] / "home" / "conf" / "neo4j.conf"  # local-neo4j.sh's layout
    if conf.exists():
        for line in conf.read_text().splitlines():
            if line.startswith(("server.memory.heap.max_size", "server.memory.pagecache.size")):
                key, _, value = line.partition("=")
                facts[key.split(".")[-2] if "heap" in key else "pagecache"] = value
    return facts


def run_size(bench: Bench, entities: int, log: Callable[[str], None]) -> dict[str, Any]:
    objectives = max(10, round(entities / ENTITIES_PER_OBJECTIVE))
    with Simulator(objectives) as sim, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        target = bench.target(sim)
        n_entities = target.count("Objective") + target.count("KeyResult")
        n_nodes = sum(len(v) for v in target.nodes.values())
        n_rels = len(target.rels)
        log(f"  {n_entities} entities ({n_nodes} nodes, {n_rels} relationships)")

        initial_runs, state = bench.initial(sim, tmp)
        okrsync_shape = bench.shape()
        okrsync_graph = bench.mirror.read_state() if n_entities <= SAME_VALUES_UP_TO else None
        initial = median([r.seconds for r in initial_runs])
        initial_process = median([r.process_seconds for r in initial_runs])
        graph_side = median([r.summary["seconds"]["write"] for r in initial_runs])

        noops = [okrsync_sync(sim, state, bench.env) for _ in range(bench.runs)]
        noop = median([r.seconds for r in noops])
        noop_process = median([r.process_seconds for r in noops])
        noop_phases = {
            k: median([r.summary["seconds"].get(k, 0.0) for r in noops])
            for k in ("fetch", "transform", "diff", "write")
        }
        noop_statements = max(r.summary["statements"] for r in noops)
        noop_writes = [r.summary["writes"] for r in noops]
        log(f"    no-op: {noop:.1f}s, statements sent {noop_statements}, writes {noop_writes[0]}")

        rewrite = median(bench.forced_rewrite(target))
        # A re-MERGE-everything tool also fetches, parses and transforms every record each time:
        # the no-op's fetch (the same download and split) plus the initial sync's transform
        # (every record parsed). Not the initial's "fetch": that includes waiting on the writer.
        full_transform = median([r.summary["seconds"]["transform"] for r in initial_runs])
        rewrite_total = noop_phases["fetch"] + full_transform + rewrite

        changes = max(1, n_entities // 100)
        one_percent = []
        for _ in range(bench.runs):
            sim.evolve(changes)
            one_percent.append(okrsync_sync(sim, state, bench.env))
        change = median([r.seconds for r in one_percent])
        change_process = median([r.process_seconds for r in one_percent])
        log(f"    1% change ({changes} edits): {change:.1f}s")

        reference = median(bench.reference(target))
        # The comparison is fair only if the reference wrote the same graph okrsync wrote.
        same_graph = bench.shape() == okrsync_shape
        if okrsync_graph is not None:
            reference_graph = bench.mirror.read_state()
            same_graph = same_graph and (
                reference_graph.nodes == okrsync_graph.nodes == target.nodes
                and reference_graph.rels == okrsync_graph.rels == target.rels
            )
        if not same_graph:
            raise RuntimeError("the reference load did not write the graph okrsync wrote")
        log(f"    reference CREATE load: {reference:.1f}s")
        naive_per_entity = bench.naive(target)
        okrsync_per_entity = initial / n_entities
        log(f"    naive: {naive_per_entity * 1000:.2f} ms/entity")

    return {
        "entities": n_entities,
        "nodes": n_nodes,
        "relationships": n_rels,
        "initial_s": initial,
        "initial_process_s": initial_process,
        "initial_write_s": graph_side,
        "entities_per_s": n_entities / initial,
        "relationships_per_s": n_rels / initial,
        "reference_s": reference,
        "reference_same_graph": "values" if okrsync_graph is not None else "shape",
        "ratio_initial_reference": initial / reference,
        "ratio_initial_write_reference": graph_side / reference,
        "naive_ms_per_entity": naive_per_entity * 1000,
        "okrsync_ms_per_entity": okrsync_per_entity * 1000,
        "ratio_naive_okrsync": naive_per_entity / okrsync_per_entity,
        "noop_s": noop,
        "noop_process_s": noop_process,
        "noop_phases": noop_phases,
        "noop_statements": noop_statements,
        "noop_writes": noop_writes,
        "noop_s_per_10k": noop / n_entities * 10_000,
        "rewrite_graph_s": rewrite,
        "initial_transform_s": full_transform,
        "rewrite_total_s": rewrite_total,
        "ratio_noop_rewrite": noop / rewrite_total,
        "ratio_noop_graph_rewrite_graph": (noop_phases["diff"] + noop_phases["write"]) / rewrite,
        "change_edits": changes,
        "change_s": change,
        "change_process_s": change_process,
        "ratio_change_initial": change / initial,
        "peak_rss_mb": max(r.max_rss_mb for r in initial_runs + noops + one_percent),
    }


TARGETS = {
    "ratio_initial_reference": ("initial sync / reference", "<= 1.5", lambda v: v <= 1.5),
    "ratio_naive_okrsync": ("naive per entity / okrsync", ">= 30", lambda v: v >= 30),
    "ratio_noop_rewrite": ("no-op / forced full rewrite", "<= 0.10", lambda v: v <= 0.10),
    "ratio_change_initial": ("1% change / initial sync", "<= 0.10", lambda v: v <= 0.10),
    "peak_rss_mb": ("peak RSS (MB)", "<= 400", lambda v: v <= 400),
}


def table(results: list[dict[str, Any]]) -> str:
    rows = [
        (
            "entities (nodes / relationships)",
            lambda r: f"{r['entities']} ({r['nodes']} / {r['relationships']})",
        ),
        (
            "initial sync, s: cycle (process; write phase)",
            lambda r: (
                f"{r['initial_s']:.2f} ({r['initial_process_s']:.2f}; {r['initial_write_s']:.2f})"
            ),
        ),
        (
            "entities/s, relationships/s",
            lambda r: f"{r['entities_per_s']:.0f}, {r['relationships_per_s']:.0f}",
        ),
        ("reference CREATE load, s", lambda r: f"{r['reference_s']:.2f}"),
        (
            "**initial / reference** (write phase / reference)",
            lambda r: (
                f"**{r['ratio_initial_reference']:.2f}** ({r['ratio_initial_write_reference']:.2f})"
            ),
        ),
        (
            "naive ms/entity vs okrsync ms/entity",
            lambda r: f"{r['naive_ms_per_entity']:.2f} vs {r['okrsync_ms_per_entity']:.3f}",
        ),
        ("**naive / okrsync per entity**", lambda r: f"**{r['ratio_naive_okrsync']:.0f}x**"),
        (
            "no-op cycle, s: cycle (process; fetch / transform / diff / write)",
            lambda r: (
                f"{r['noop_s']:.2f} ({r['noop_process_s']:.2f}; "
                f"{' / '.join(f'{v:.2f}' for v in r['noop_phases'].values())})"
            ),
        ),
        (
            "no-op statements sent, Neo4j counters",
            lambda r: f"{r['noop_statements']}, {r['noop_writes'][0] or 'all 0'}",
        ),
        ("no-op s per 10k entities", lambda r: f"{r['noop_s_per_10k']:.2f}"),
        (
            "forced full rewrite, s (graph part)",
            lambda r: f"{r['rewrite_total_s']:.2f} ({r['rewrite_graph_s']:.2f})",
        ),
        (
            "**no-op / forced rewrite** (graph side only)",
            lambda r: (
                f"**{r['ratio_noop_rewrite']:.3f}** ({r['ratio_noop_graph_rewrite_graph']:.3f})"
            ),
        ),
        (
            "1% change cycle, s: cycle (process; edits)",
            lambda r: f"{r['change_s']:.2f} ({r['change_process_s']:.2f}; {r['change_edits']})",
        ),
        ("**1% change / initial**", lambda r: f"**{r['ratio_change_initial']:.3f}**"),
        ("**peak RSS of okrsync, MB**", lambda r: f"**{r['peak_rss_mb']:.0f}**"),
    ]
    head = "| measure | " + " | ".join(f"{r['entities']} entities" for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    lines += [f"| {name} | " + " | ".join(fmt(r) for r in results) + " |" for name, fmt in rows]
    return "\n".join(lines)


def verdicts(result: dict[str, Any]) -> Iterator[str]:
    for key, (label, goal, ok) in TARGETS.items():
        verdict = "met" if ok(result[key]) else "MISSED"
        yield f"- {label}: {result[key]:.3g} (target {goal}): {verdict}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="entity counts, comma separated (default 1000,10000,100000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median counts")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    uri = os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687")
    auth = (os.environ.get("NEO4J_USERNAME", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""))
    driver = neo4j.GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")
    driver.verify_connectivity()

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    bench = Bench(driver, args.runs, log)
    started = time.monotonic()
    log("warm-up (JVM, page cache, driver): one 1k-entity initial sync")
    with Simulator(300) as sim, tempfile.TemporaryDirectory() as tmp:
        bench.empty_database()
        okrsync_sync(sim, Path(tmp), bench.env)
    results = []
    for size in sizes:
        log(f"size ~{size} entities:")
        results.append(run_size(bench, size, log))
    facts = {**machine(), **neo4j_facts(driver)}
    driver.close()
    report = "\n".join(
        [
            "# okrsync benchmark results",
            "",
            f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `make bench` "
            f"(`python bench/run.py --sizes {args.sizes} --runs {args.runs}`), "
            f"{time.monotonic() - started:.0f} s in all. Each figure is the median of {args.runs} "
            "run(s) after a warm-up. okrsync runs as `okrsync sync` processes against the "
            "simulator (its own process) and the local Neo4j, mirroring only: the check-in "
            "feed and the change journal are off, as the reference writes only the mirror. "
            "okrsync's times are the cycle's own wall clock from its summary (what the daemon "
            "pays each cycle; the ratios use them); the whole process, which adds Python "
            "start-up, imports and connecting, is shown beside them. The reference writes the "
            "same graph (checked: labels, property types and relationship counts at every "
            f"size, every value up to {SAME_VALUES_UP_TO} entities). Peak RSS is the okrsync "
            "process's own VmHWM.",
            "",
            "Machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()),
            "",
            table(results),
            "",
            f"Targets (largest size, {results[-1]['entities']} entities):",
            "",
            *verdicts(results[-1]),
            "",
        ]
    )
    print(report)
    args.out.write_text(report)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(run_tool(main))
