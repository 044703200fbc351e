"""bench/results.md from one run's figures: the table, the targets, the cost curve, the soak."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from reference import METHODS
from soak import Soak

Row = tuple[str, Callable[[dict[str, Any]], str]]


def fastest(r: dict[str, Any]) -> tuple[str, float]:
    """The fastest reference method: the floor the ratios use."""
    name = min(r["references"], key=lambda n: r["references"][n])
    return name, r["references"][name]


def floor_s(r: dict[str, Any]) -> float:
    """Download of the export plus the fastest reference write: the plain load's whole time."""
    return float(r["fetch_s"] + fastest(r)[1])


def derive(r: dict[str, Any]) -> None:
    """The ratios, each on the basis the issue names."""
    r["ratio_initial"] = r["initial_process_s"] / floor_s(r)
    r["ratio_defaults"] = r["defaults_process_s"] / floor_s(r)
    # A re-MERGE-everything cycle downloads and splits the export (the no-op's fetch), parses
    # every record (the first load's transform) and rewrites the graph.
    r["rewrite_total_s"] = (
        r["noop_phases"]["fetch"] + r["initial_transform_s"] + r["rewrite_graph_s"]
    )
    r["ratio_noop"] = r["noop_s"] / r["rewrite_total_s"]
    r["ratio_change"] = r["change_s"] / r["initial_cycle_s"]
    # Every one-shot sync counts, the no-op's too: it holds the state's index beside both answers.
    r["peak_rss_mb"] = max(r["initial_rss_mb"], r["defaults_rss_mb"], r["noop_rss_mb"])


def _phases(p: dict[str, float]) -> str:
    return " / ".join(f"{v:.2f}" for v in p.values())


ROWS: list[Row] = [
    (
        "entities (nodes / relationships)",
        lambda r: f"{r['entities']} ({r['nodes']} / {r['relationships']})",
    ),
    ("download of the export (two GETs), s", lambda r: f"{r['fetch_s']:.2f}"),
    ("reference write, fastest method, s", lambda r: f"{fastest(r)[1]:.2f}"),
    ("reference wrote okrsync's graph: same", lambda r: str(r["reference_same_graph"])),
    (
        "first load, mirror only: process (cycle), s",
        lambda r: f"{r['initial_process_s']:.2f} ({r['initial_cycle_s']:.2f})",
    ),
    ("**mirror only / (download + reference)**", lambda r: f"**{r['ratio_initial']:.2f}**"),
    (
        "first load, defaults (check-ins, journal): process (cycle), s",
        lambda r: f"{r['defaults_process_s']:.2f} ({r['defaults_cycle_s']:.2f})",
    ),
    ("**defaults / (download + reference)**", lambda r: f"**{r['ratio_defaults']:.2f}**"),
    (
        "no-op cycle, s: cycle (process; fetch / transform / diff / write)",
        lambda r: f"{r['noop_s']:.2f} ({r['noop_process_s']:.2f}; {_phases(r['noop_phases'])})",
    ),
    (
        "no-op statements sent, Neo4j counters",
        lambda r: f"{r['noop_statements']}, {r['noop_writes'] or 'all 0'}",
    ),
    (
        "forced full rewrite, s (graph part)",
        lambda r: f"{r['rewrite_total_s']:.2f} ({r['rewrite_graph_s']:.2f})",
    ),
    ("**no-op / forced rewrite**", lambda r: f"**{r['ratio_noop']:.3f}**"),
    (
        "1% change cycle, s: cycle (process; edits)",
        lambda r: f"{r['change_s']:.2f} ({r['change_process_s']:.2f}; {r['change_edits']})",
    ),
    ("**1% change / first load** (cycles)", lambda r: f"**{r['ratio_change']:.3f}**"),
    (
        "**peak RSS of a one-shot sync, MB**: first load mirror only, defaults; no-op",
        lambda r: (
            f"**{r['initial_rss_mb']:.0f}**, **{r['defaults_rss_mb']:.0f}**; "
            f"**{r['noop_rss_mb']:.0f}**"
        ),
    ),
]

TARGETS: list[tuple[str, str, str, Callable[[float], bool]]] = [
    (
        "ratio_initial",
        "first load, mirror only / (download + reference)",
        "<= 1.3",
        lambda v: v <= 1.3,
    ),
    (
        "ratio_defaults",
        "first load, defaults / (download + reference)",
        "<= 1.8",
        lambda v: v <= 1.8,
    ),
    ("noop_statements", "no-op statements sent", "0", lambda v: v == 0),
    ("ratio_noop", "no-op / forced full rewrite", "<= 0.05", lambda v: v <= 0.05),
    ("ratio_change", "1% change / first load", "<= 0.05", lambda v: v <= 0.05),
    ("peak_rss_mb", "peak RSS of a one-shot sync, MB", "<= 300", lambda v: v <= 300),
]


def table(results: list[dict[str, Any]], rows: list[Row]) -> str:
    head = "| measure | " + " | ".join(f"{r['entities']} entities" for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    lines += [f"| {name} | " + " | ".join(fmt(r) for r in results) + " |" for name, fmt in rows]
    return "\n".join(lines)


def verdicts(r: dict[str, Any]) -> Iterator[str]:
    for key, label, goal, ok in TARGETS:
        yield f"- {label}: {r[key]:.3g} (target {goal}): {'met' if ok(r[key]) else 'MISSED'}"


def references(results: list[dict[str, Any]]) -> str:
    lines = [
        "| method | " + " | ".join(f"{r['entities']} entities" for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for method in METHODS:
        cells = [
            f"{r['references'][method.name]:.2f}" if method.name in r["references"] else "—"
            for r in results
        ]
        lines.append(f"| {method.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def slope(points: list[tuple[float, float]]) -> float:
    """The least-squares slope of log y against log x: 1 is linear, 2 quadratic."""
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


CURVE = (
    ("first load, s (process)", "initial_process_s"),
    ("no-op, s (process)", "noop_process_s"),
    ("peak RSS, MB", "initial_rss_mb"),
)


def cost_curve(points: list[dict[str, Any]]) -> str:
    lines = [
        "| entities | " + " | ".join(name for name, _ in CURVE) + " |",
        "|---|" + "---|" * len(CURVE),
    ]
    for p in points:
        lines.append(f"| {p['entities']} | " + " | ".join(f"{p[k]:.2f}" for _, k in CURVE) + " |")
    for a, b in itertools.pairwise(points):
        cells = [f"{slope([(a['entities'], a[k]), (b['entities'], b[k])]):.2f}" for _, k in CURVE]
        lines.append(f"| slope {a['entities']} → {b['entities']} | " + " | ".join(cells) + " |")
    if len(points) > 2:
        cells = [f"**{slope([(p['entities'], p[k]) for p in points]):.2f}**" for _, k in CURVE]
        lines.append("| **slope, all sizes (least squares)** | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def dominates(p: dict[str, Any]) -> str:
    """What the largest size's time and memory go to, from its own phase timings."""
    load, noop = p["initial_phases"], p["noop_phases"]
    return (
        f"At {p['entities']} entities the first load took {p['initial_process_s']:.1f} s "
        f"(cycle {p['initial_cycle_s']:.1f} s): Neo4j's writes {load['write']:.1f} s on the "
        f"writer thread, reading and splitting the export {load['fetch']:.1f} s and parsing "
        f"{load['transform']:.1f} s beside them, so the server's write rate dominates. The "
        f"no-op's {p['noop_s']:.2f} s is {noop['fetch']:.2f} s of download, split and hash; "
        f"its diff {noop['diff']:.2f} s. Peak RSS {p['initial_rss_mb']:.0f} MB on a first load, "
        f"{p['noop_rss_mb']:.0f} MB on a no-op: the moment both export answers are in memory as "
        "bytes (before the first record is written), the no-op's with the state's index beside."
    )


def soak_section(soak: Soak, picture: Path) -> list[str]:
    c10, last = soak.cycles[9], soak.cycles[-1]
    rss_ok = soak.rss_ratio() <= 1.1
    time_ok = soak.time_ratio() <= 1.2
    return [
        f"`okrsync run` against a {soak.entities}-entity organisation that the simulator changes "
        f"{soak.changes} times in all ({soak.churn} changes every 2 s), check-ins, comments and "
        f"the journal on, every 12th cycle a reconcile (the default): {len(soak.cycles)} cycles in "
        f"{soak.wall_s:.0f} s, {soak.failed} failed.",
        "",
        f"![RSS and cycle time per cycle]({picture.name})",
        "",
        f"- RSS after cycle 10: {c10.rss_mb:.0f} MB ({c10.entities} entities); after the last "
        f"cycle: {last.rss_mb:.0f} MB ({last.entities} entities): ratio {soak.rss_ratio():.3f} "
        f"(target <= 1.1): {'met' if rss_ok else 'MISSED'}",
        f"- median cycle time, last 10 % of cycles over cycles 10-20: {soak.time_ratio():.3f} "
        f"(target <= 1.2): {'met' if time_ok else 'MISSED'}",
    ]


def _runs(runs: int) -> str:
    if runs == 1:
        return "Each figure is one run (`--runs 1`), the cost curve's and the soak's too."
    return f"Each figure is the median of {runs} runs; the cost curve's extra sizes one run."


def write_report(
    out: Path,
    runs: int,
    results: dict[str, list[dict[str, Any]]],
    soak: Soak,
    picture: Path,
    facts: dict[str, str],
    command: str,
    seconds: float,
) -> None:
    full = results["sizes"]
    for r in full:
        derive(r)
    curve = sorted(full + results["curve"], key=lambda p: p["entities"])
    text = [
        "# okrsync benchmark results",
        "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `make bench` "
        f"(`{command}`), {seconds:.0f} s in all. {_runs(runs)} Every first load and every "
        "reference load starts from "
        "an empty database with okrsync's constraints in place, emptied by deleting everything "
        "in it (the reference is also measured into a fresh store). okrsync runs as `okrsync sync` "
        "processes against the simulator (its own process); the first-load ratios compare the "
        "whole process (start-up, imports, connecting included) with the export's download "
        "plus the reference's write of the very same graph (checked: labels, property types and "
        "relationship counts at every size, every value up to 20000 entities). The reference "
        "writes the mirror only; the first load with the defaults also pulls the check-in feed "
        "and writes the journal. Peak RSS is the okrsync process's own VmHWM.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()),
        "",
        table(full, ROWS),
        "",
        f"Targets (largest full size, {full[-1]['entities']} entities):",
        "",
        *verdicts(full[-1]),
        "",
        "## The reference, method by method (write only, s)",
        "",
        references(full),
        "",
        "## Cost curve for sizing (first load and no-op mirror only, one run at the sizes above "
        "the table's)",
        "",
        cost_curve(curve),
        "",
        dominates(curve[-1]),
        "",
        "## Soak",
        "",
        *soak_section(soak, picture),
        "",
    ]
    out.write_text("\n".join(text))
