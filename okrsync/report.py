"""`okrsync report`: a static HTML page per period — a progress-over-time chart per objective
and the list of what slipped. Charts are inline SVG drawn by matplotlib: the page needs no
network access, no script and no other file to be viewed."""

from __future__ import annotations

import html
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from okrsync import queries
from okrsync.errors import OkrsyncError
from okrsync.graph import Graph, cypher

STATUS_COLOURS = {
    "ON_TRACK": "#36B37E",
    "AT_RISK": "#FFAB00",
    "ACTION_REQUIRED": "#DE350B",
    "SUCCESS": "#0052CC",
    "FINISHED": "#0052CC",
}


def _when(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def progress_series(row: dict[str, Any], now: datetime) -> list[tuple[datetime, float]]:
    """(time, percentDone) points: before the first journalled change, each change, and now."""
    start = _when(row["start"]) if row.get("start") else None
    points: list[tuple[datetime, float]] = []
    for change in row["changes"]:
        at = _when(change["at"])
        if not points and change.get("old") is not None:
            points.append((start or at, float(change["old"])))
        if change.get("new") is not None:
            points.append((at, float(change["new"])))
    current = row.get("percentDone")
    if current is not None:
        if not points and start is not None:
            points.append((start, float(current)))
        points.append((now, float(current)))
    return points


def chart_svg(row: dict[str, Any], now: datetime) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import dates as mdates
    from matplotlib import pyplot as plt

    points = progress_series(row, now)
    fig, ax = plt.subplots(figsize=(6.4, 2.2), dpi=96)
    try:
        if points:
            xs = [float(mdates.date2num(p[0])) for p in points]
            ax.step(xs, [p[1] for p in points], where="post", color="#4C8EDA", linewidth=2)
        for checkin in row["checkins"]:
            colour = STATUS_COLOURS.get(checkin.get("status") or "", "#A5ABB6")
            ax.axvline(
                float(mdates.date2num(_when(checkin["at"]))), color=colour, linewidth=1, alpha=0.7
            )
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_ylim(0, 100)
        ax.set_ylabel("% done")
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg")
    finally:
        plt.close(fig)
    svg = out.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prologue: the SVG is inlined in HTML


STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#172B4D}"
    "table{border-collapse:collapse}"
    "td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}"
    "section{margin:1.5em 0}.note{color:#5E6C84}"
)


def _cell(value: Any) -> str:
    """A table cell's text: a value that was absent (a first status) is a dash, not `None`."""
    return "—" if value is None else html.escape(str(value))


def journal_note(graph: Graph, org: str, period_start: str | None) -> str:
    """Why the lines may start flat: the journal begins at okrsync's first recorded sync, so a
    report right after set-up knows nothing of the progress before it."""
    since = graph.read(cypher("history/journal_start"), org=org)[0]["since"]
    if since is None:
        return (
            "<p class='note'>No change journal for this organisation yet (no sync recorded, "
            "or journal = false): each line is flat at the current progress.</p>"
        )
    if period_start is not None and _when(since) <= _when(period_start):
        return ""
    return (
        "<p class='note'>Progress is known from okrsync's first recorded sync, "
        f"{html.escape(_when(since).strftime('%Y-%m-%d %H:%M UTC'))}: before it, each line is "
        "flat at the first value okrsync saw.</p>"
    )


def slipped_table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["<p>Nothing slipped.</p>"]
    parts = [
        "<table><tr><th>key result</th><th>what</th><th>from</th><th>to</th><th>when</th></tr>"
    ]
    for r in rows:
        parts.append(
            f"<tr><td>{_cell(r['key'] or r['id'])} {html.escape(str(r['name'] or ''))}</td>"
            f"<td>{_cell(r['field'])}</td><td>{_cell(r['old'])}</td>"
            f"<td>{_cell(r['new'])}</td><td>{_cell(str(r['at'])[:16])}</td></tr>"
        )
    parts.append("</table>")
    return parts


def render(graph: Graph, org: str, period: str, days: int = 7, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    objectives = graph.read(cypher("history/report_series"), period=period, org=org)
    if not objectives:
        raise OkrsyncError(f"no objectives of organisation {org!r} in a period named {period!r}")
    slipped = queries.run(graph, "slipped", {"days": days, "asOf": now}, org)
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>OKRs {e(period)}</title><style>{STYLE}</style>",
        f"</head><body><h1>OKRs — {e(period)}</h1>",
        f"<p>As of {e(now.strftime('%Y-%m-%d %H:%M UTC'))}. Lines mark check-ins, coloured by "
        "status.</p>",
        journal_note(graph, org, objectives[0]["start"]),
        f"<h2>What slipped in the last {days} days</h2>",
        *slipped_table(slipped),
        "<h2>Progress over time</h2>",
    ]
    for row in objectives:
        status = row.get("status") or "no check-in"
        done = row.get("percentDone")
        progress = "no progress recorded" if done is None else f"{e(str(done))} % done"
        parts.append(
            f"<section class='objective'><h3>{e(row['key'] or '')} {e(row['name'] or '')}"
            f"</h3><p>{progress}, {e(status)}</p>"
            f"{chart_svg(row, now)}</section>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    graph: Graph, org: str, period: str, out: Path, days: int = 7, now: datetime | None = None
) -> int:
    page = render(graph, org, period, days, now)
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise OkrsyncError(f"cannot write {out}: {exc.strerror}") from None
    return page.count("<section class='objective'>")
