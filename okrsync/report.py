"""`okrsync report`: a static HTML page per period — a progress-over-time chart per objective
and the list of what slipped. Charts are inline SVG drawn by matplotlib: the page needs no
network access, no script and no other file to be viewed."""

from __future__ import annotations

import html
import io
import re
from collections import Counter
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


SVG_METADATA = ("Creator", "Date", "Format", "Type")
SVG_NAMESPACES = re.compile(r' xmlns(?::xlink)?="[^"]*"')


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
        # No metadata block: it names matplotlib's site and the moment of drawing.
        fig.savefig(out, format="svg", metadata=dict.fromkeys(SVG_METADATA))
    finally:
        plt.close(fig)
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prologue: the SVG is inlined in HTML
    # Inline in HTML, <svg> and xlink:href are in their namespaces without declaring them:
    # the page then names no address at all.
    return SVG_NAMESPACES.sub("", svg, count=2)


STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#172B4D}"
    "table{border-collapse:collapse}"
    "td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}"
    "section{margin:1.5em 0}.note{color:#5E6C84}"
    ".status{padding:.1em .5em;border-radius:3px;white-space:nowrap;font-size:.9em}"
    "td.number{text-align:right}"
)
# What the vendor's UI calls each status (ACTION_REQUIRED is shown as "Off track"); an
# unknown one is shown as its enum in words.
STATUS_NAMES = {
    "ON_TRACK": "On track",
    "AT_RISK": "At risk",
    "ACTION_REQUIRED": "Off track",
    "NOT_STARTED": "Not started",
    "SUCCESS": "Success",
    "FINISHED": "Finished",
}
# The journal's field names, as a reader would say them.
FIELD_NAMES = {
    "percentDone": "progress",
    "status": "status",
    "parent": "parent objective",
    "objective": "objective",
    "type": "OKR type",
    "issue": "Jira issue",
}


def _cell(value: Any) -> str:
    """A table cell's text: a value that was absent (a first status) is a dash, not `None`."""
    return "—" if value is None else html.escape(str(value))


def human_day(text: str) -> str:
    """An instant as a day a person reads: 10 Mar 2026."""
    moment = _when(text).astimezone(UTC)
    return f"{moment.day} {moment:%b %Y}"


def human_moment(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def status_chip(status: str | None) -> str:
    """A status in its colour, named as the vendor's UI names it; a dash when there is none."""
    if status is None:
        return "—"
    name = STATUS_NAMES.get(status) or status.replace("_", " ").capitalize()
    background = STATUS_COLOURS.get(status, "#A5ABB6")
    text = "#172B4D" if status == "AT_RISK" else "#FFFFFF"  # dark on yellow stays readable
    return (
        f"<span class='status' style='background:{background};color:{text}'>"
        f"{html.escape(name)}</span>"
    )


def percent(value: Any) -> str:
    return "—" if value is None else f"{float(value):g} %"


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


def _entity(key: Any, name: Any, fallback: Any = None) -> str:
    """An objective or key result as a person names it: its key and name, else its id."""
    text = " ".join(str(part) for part in (key, name) if part)
    return html.escape(text) if text else _cell(fallback)


def slipped_table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["<p>Nothing slipped.</p>"]
    parts = [
        "<table><tr><th>key result</th><th>what</th><th>from</th><th>to</th><th>when</th></tr>"
    ]
    for r in rows:
        shown = status_chip if r["field"] == "status" else percent
        parts.append(
            f"<tr><td>{_entity(r['key'], r['name'], r['id'])}</td>"
            f"<td>{_cell(FIELD_NAMES.get(r['field'], r['field']))}</td>"
            f"<td>{shown(r['old'])}</td><td>{shown(r['new'])}</td>"
            f"<td>{human_day(r['at'])}</td></tr>"
        )
    parts.append("</table>")
    return parts


def teams_table(rows: list[dict[str, Any]]) -> list[str]:
    """Per team: how many objectives, their progress, and how many are at each status."""
    parts = [
        "<table class='teams'><tr><th>team</th><th>objectives</th><th>progress</th>"
        "<th>statuses</th></tr>"
    ]
    for r in rows:
        counts = Counter(r["statuses"])
        chips = [_status_count(counts[s], s) for s in sorted(counts, key=_status_order)]
        parts.append(
            f"<tr><td>{_cell(r['team'] or 'No team')}</td>"
            f"<td class='number'>{r['objectives']}</td>"
            f"<td class='number'>{percent(r['progress'])}</td>"
            f"<td>{' '.join(chips)}</td></tr>"
        )
    parts.append("</table>")
    return parts


def _status_count(count: int, status: str | None) -> str:
    return f"{count} {status_chip(status)}" if status else f"{count} without check-in"


def _status_order(status: str | None) -> tuple[int, str]:
    """Known statuses in the UI's order, then others by name, then no check-in at all."""
    order = list(STATUS_NAMES)
    if status is None:
        return len(order) + 1, ""
    return (order.index(status), "") if status in order else (len(order), status)


def _end(key: Any, name: Any, node_id: Any) -> str:
    """A far end of a move: a parent by key and name, a team by name, a person by id."""
    return " ".join(str(part) for part in (key, name) if part) or str(node_id)


def moves(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Journal rows of relationship changes as moves: one per entity, field and run, with what
    it left and what it got, by name where the journal recorded one."""
    grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in rows:
        move = grouped.setdefault(
            (r["at"], r["id"], r["field"]),
            {
                "entity": _entity(r["key"], r["name"], r["id"]),
                "field": r["field"],
                "at": r["at"],
                "from": [],
                "to": [],
            },
        )
        if r["kind"] == "unlinked":
            move["from"].append(_end(r["oldKey"], r["oldName"], r["old"]))
        else:
            move["to"].append(_end(r["newKey"], r["newName"], r["new"]))
    return list(grouped.values())


def moves_table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["<p>Nothing moved.</p>"]
    parts = [
        "<table class='moves'><tr><th>objective or key result</th><th>what</th><th>from</th>"
        "<th>to</th><th>when</th></tr>"
    ]
    for m in moves(rows):
        parts.append(
            f"<tr><td>{m['entity']}</td><td>{_cell(FIELD_NAMES.get(m['field'], m['field']))}"
            f"</td><td>{_cell(', '.join(m['from']) or None)}</td>"
            f"<td>{_cell(', '.join(m['to']) or None)}</td><td>{human_day(m['at'])}</td></tr>"
        )
    parts.append("</table>")
    return parts


def render(graph: Graph, org: str, period: str, days: int = 7, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    objectives = graph.read(cypher("history/report_series"), period=period, org=org)
    if not objectives:
        raise OkrsyncError(f"no objectives of organisation {org!r} in a period named {period!r}")
    slipped = queries.run(graph, "slipped", {"days": days, "asOf": now}, org)
    window = {"period": period, "org": org, "days": days, "asOf": now}
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>OKRs {e(period)}</title><style>{STYLE}</style>",
        f"</head><body><h1>OKRs — {e(period)}</h1>",
        f"<p>As of {e(human_moment(now))}. Lines mark check-ins, coloured by status.</p>",
        journal_note(graph, org, objectives[0]["start"]),
        "<h2>Teams</h2>",
        *teams_table(graph.read(cypher("history/report_teams"), period=period, org=org)),
        f"<h2>What slipped in the last {days} days</h2>",
        *slipped_table(slipped),
        f"<h2>What moved in the last {days} days</h2>",
        *moves_table(graph.read(cypher("history/report_moves"), **window)),
        "<h2>Progress over time</h2>",
    ]
    parts.extend(objective_section(row, now) for row in objectives)
    parts.append("</body></html>")
    return "\n".join(parts)


def objective_section(row: dict[str, Any], now: datetime) -> str:
    done = row.get("percentDone")
    progress = "no progress recorded" if done is None else f"{percent(done)} done"
    status = status_chip(row.get("status")) if row.get("status") else "no check-in"
    return (
        f"<section class='objective'><h3>{_entity(row['key'], row['name'])}</h3>"
        f"<p>{progress}, {status}</p>{chart_svg(row, now)}</section>"
    )


def write_report(
    graph: Graph, org: str, period: str, out: Path, days: int = 7, now: datetime | None = None
) -> int:
    page = render(graph, org, period, days, now)
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise OkrsyncError(f"cannot write {out}: {exc.strerror}") from None
    return page.count("<section class='objective'>")
