"""History: check-ins as a timeline, okrsync's change journal, point-in-time questions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import neo4j
import pytest

from okrsync import queries
from okrsync.graph import Graph
from okrsync.simulator import Org, SimulatorServer
from okrsync.simulator.org import parse_api_time
from okrsync.sync import SyncCycle
from tests.helpers import ORG, Clock, sync_cycle
from tests.spec import DATA

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
T1 = datetime(2026, 3, 10, 12, tzinfo=UTC)


def rows(graph: Graph, name: str, **params: Any) -> list[dict[str, Any]]:
    return [
        {k: queries.plain(v) for k, v in r.items()} for r in queries.run(graph, name, params, ORG)
    ]


def count(graph: Graph, query: str) -> int:
    return int(graph.read(query)[0]["n"])


@pytest.fixture
def history(graph: Graph, tmp_path: Path) -> Any:
    """The fixture org synced at T0, edited, synced again at T1."""
    org = Org.from_export(json.loads((DATA / "fixture_org.json").read_text()))
    server = SimulatorServer(org).start()
    clock = Clock(T0)
    with sync_cycle(server.url, graph, tmp_path / "state", now=clock) as syncer:
        yield from _history(syncer, server, clock)
    server.stop()


def _history(syncer: SyncCycle, server: SimulatorServer, clock: Clock) -> Any:
    first = syncer.run()

    def edit(o: Org) -> None:
        o.set_progress("k1", 10.0)  # 30 -> 10: slipped
        o.set_status("k4", "AT_RISK")  # ON_TRACK -> AT_RISK: slipped
        o.set_progress("o2", 25.0)
        o.rename("o2", "Sales pipeline v2")
        o.move_objective("o3", "o2")  # O-1 -> O-2: reparented
        o.objectives["o1"]["deadline"] = "2026-04-30T23:59:59+0000"  # deadline moved

    server.sim.mutate(edit)
    clock.at = T1
    second = syncer.run()
    yield syncer, server, first, second, clock


def test_checkins_become_a_timeline(history: Any, graph: Graph) -> None:
    """Update nodes, HAS_UPDATE from their entity, PREVIOUS from newer to older."""
    _, _, first, second, _ = history
    assert first.checkins == 6  # the fixture's six latest check-ins
    assert second.checkins == 1  # the AT_RISK check-in of KR-4
    assert count(graph, "MATCH (u:Update) RETURN count(u) AS n") == 7
    assert (
        count(graph, "MATCH (:KeyResult {id: 'k4'})-[:HAS_UPDATE]->(u) RETURN count(u) AS n") == 2
    )
    chain = graph.read(
        "MATCH (n:Update)-[:PREVIOUS]->(o:Update) RETURN n.status AS newer, "
        "o.status AS older, n.entityId AS e"
    )
    assert chain == [{"newer": "AT_RISK", "older": "ON_TRACK", "e": "k4"}]
    curve = rows(graph, "kr_progress_curve", kr="KR-4")
    assert [(r["at"][:10], r["status"]) for r in curve] == [
        ("2026-03-28", "ON_TRACK"),
        ("2026-05-01", "AT_RISK"),
    ]
    assert curve[0]["value"] == 12.0


def test_quiet_cycle_writes_nothing_not_even_history(history: Any, graph: Graph) -> None:
    """The overlap window re-delivers check-ins; none is written again; no SyncRun recorded."""
    syncer, _, _, _, _ = history
    runs = count(graph, "MATCH (r:SyncRun) RETURN count(r) AS n")
    quiet = syncer.run()
    assert quiet.plan.empty and quiet.stats is None and quiet.checkins == 0
    assert count(graph, "MATCH (r:SyncRun) RETURN count(r) AS n") == runs == 2


def test_change_journal(history: Any, graph: Graph) -> None:
    """The first mirror records counts only; the edit cycle records each field change."""
    changes = graph.read(
        "MATCH (r:SyncRun)-[:RECORDED]->(c:Change) OPTIONAL MATCH (c)-[:ABOUT]->(e) "
        "RETURN c.entityId AS id, c.kind AS kind, c.field AS field, c.old AS old, "
        "c.new AS new, e IS NOT NULL AS linked ORDER BY id, field, kind"
    )
    assert changes == [
        {
            "id": "k1",
            "kind": "updated",
            "field": "percentDone",
            "old": 30.0,
            "new": 10.0,
            "linked": True,
        },
        {
            "id": "k4",
            "kind": "updated",
            "field": "currentValue",
            "old": 12.0,
            "new": changes[1]["new"],
            "linked": True,
        },
        {
            "id": "k4",
            "kind": "updated",
            "field": "status",
            "old": "ON_TRACK",
            "new": "AT_RISK",
            "linked": True,
        },
        {
            "id": "k4",
            "kind": "updated",
            "field": "statusUpdatedAt",
            "old": "2026-03-28T09:00:00+00:00",
            "new": "2026-05-01T00:00:00+00:00",
            "linked": True,
        },
        {
            "id": "o1",
            "kind": "updated",
            "field": "deadline",
            "old": "2026-03-31T23:59:59+00:00",
            "new": "2026-04-30T23:59:59+00:00",
            "linked": True,
        },
        {
            "id": "o2",
            "kind": "updated",
            "field": "name",
            "old": "Sales pipeline",
            "new": "Sales pipeline v2",
            "linked": True,
        },
        {
            "id": "o2",
            "kind": "updated",
            "field": "percentDone",
            "old": 20.0,
            "new": 25.0,
            "linked": True,
        },
        {"id": "o3", "kind": "linked", "field": "parent", "old": None, "new": "o2", "linked": True},
        {
            "id": "o3",
            "kind": "unlinked",
            "field": "parent",
            "old": "o1",
            "new": None,
            "linked": True,
        },
    ]
    runs = graph.read(
        "MATCH (r:SyncRun) RETURN r.created AS created, r.updated AS updated, "
        "toString(r.finishedAt) AS at ORDER BY r.finishedAt"
    )
    assert runs == [
        {"created": 19, "updated": 0, "at": "2026-03-01T12:00:00Z"},
        {"created": 0, "updated": 4, "at": "2026-03-10T12:00:00Z"},
    ]


def test_point_in_time_questions(history: Any, graph: Graph) -> None:
    """What slipped, status as of a date, and what was re-scoped."""
    slipped = rows(graph, "slipped", days=7, asOf="2026-03-12T00:00:00Z")
    assert [(r["key"], r["field"], r["old"], r["new"]) for r in slipped] == [
        ("KR-1", "percentDone", 30.0, 10.0),
        ("KR-4", "status", "ON_TRACK", "AT_RISK"),
    ]
    assert rows(graph, "slipped", days=7, asOf="2026-03-25T00:00:00Z") == []
    before = rows(graph, "status_as_of", period="Q1 2026", asOf="2026-03-05T00:00:00Z")
    assert [(r["key"], r["status"], r["percentDone"]) for r in before] == [
        ("O-1", "ON_TRACK", 50.0),
        ("O-2", "AT_RISK", 20.0),
        ("O-3", None, 80.0),  # its first check-in is dated 2026-03-20
    ]
    after = rows(graph, "status_as_of", period="Q1 2026", asOf="2026-03-12T00:00:00Z")
    assert [r["percentDone"] for r in after] == [50.0, 25.0, 80.0]
    rescoped = rows(graph, "rescoped", days=30, asOf="2026-03-12T00:00:00Z")
    assert [(r["key"], r["change"], r["old"], r["new"]) for r in rescoped] == [
        ("O-1", "deadline moved", "2026-03-31T23:59:59+00:00", "2026-04-30T23:59:59+00:00"),
        ("O-2", "renamed", "Sales pipeline", "Sales pipeline v2"),
        ("O-3", "reparented", "O-1", "O-2"),  # parents by key, not raw id
    ]


def test_rescoped_leaves_out_new_objectives_and_shows_moves_to_the_top(
    history: Any, graph: Graph
) -> None:
    """An objective created under a parent was not moved; one moved to the top of the tree
    (its parent link unlinked, none linked) was. Team changes are journalled too."""
    syncer, server, _, _, clock = history

    old_teams: list[str] = []

    def edit(o: Org) -> None:
        old_teams.extend(o.objectives["o2"].get("teamIds") or [])
        o.objectives["o9"] = {**o.objectives["o3"], "id": "o9", "key": "O-9", "name": "New"}
        o.move_objective("o3", None)
        o.set_teams("o2", [])

    server.sim.mutate(edit)
    clock.at = T1 + timedelta(days=1)
    syncer.run()
    rescoped = rows(graph, "rescoped", days=1, asOf="2026-03-12T00:00:00Z")
    assert [(r["key"], r["change"], r["old"], r["new"]) for r in rescoped] == [
        ("O-3", "reparented", "O-2", None),
    ]
    teams = graph.read(
        "MATCH (c:Change {entityId: 'o2', field: 'team'}) RETURN c.kind AS kind, c.old AS old"
    )
    assert old_teams and sorted((t["kind"], t["old"]) for t in teams) == [
        ("unlinked", team) for team in sorted(old_teams)
    ]


def test_rescoped_names_a_deleted_parent_by_the_key_the_journal_recorded(
    history: Any, graph: Graph
) -> None:
    """An objective moved away from a parent deleted in the same cycle: the old parent is
    shown by its key as the journal recorded it, not by its raw id."""
    syncer, server, _, _, clock = history

    def edit(o: Org) -> None:
        o.move_objective("o3", "o4")
        o.delete_objective("o2")

    server.sim.mutate(edit)
    clock.at = T1 + timedelta(days=1)
    syncer.run()
    rescoped = rows(graph, "rescoped", days=1, asOf="2026-03-12T00:00:00Z")
    assert [(r["key"], r["change"], r["old"], r["new"]) for r in rescoped] == [
        ("O-3", "reparented", "O-2", "O-4"),
    ]


NAMED_CHANGES = (
    "MATCH (c:Change {at: $at}) WHERE c.kind IN ['linked', 'unlinked'] "
    "RETURN c.entityId AS id, c.field AS field, c.kind AS kind, c.old AS old, "
    "c.oldKey AS oldKey, c.oldName AS oldName, c.new AS new, c.newKey AS newKey, "
    "c.newName AS newName ORDER BY id, field, kind, old, new"
)


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "reconcile"])
def test_relationship_changes_are_journalled_with_names(
    history: Any, graph: Graph, full: bool
) -> None:
    """Every relationship change names its far end where okrsync knows it: a parent by key
    and name (an objective the cycle did not re-read too), a team, label or period by name
    (a team renamed in the cycle by its name on each side); owners and issues by id alone."""
    syncer, server, _, _, clock = history
    # KR-3 leaves its objective's list first: then its move changes no objective's record.
    server.sim.mutate(lambda o: o.point_without_listing("k3"))
    clock.at = T1 + timedelta(days=1)
    syncer.run()

    def edit(o: Org) -> None:
        o.reparent_key_result("k3", "o4")  # O-3 Platform -> O-4 Hiring
        o.set_teams("k3", ["t1"])
        o.add_label("k3", "l1")
        o.key_results["k3"]["periodAliasId"] = "p2"
        o.key_results["k3"]["ownerAccountId"] = "u9"
        o.key_results["k3"]["issueIds"] = ["10002"]
        o.set_teams("o1", ["t2"])
        o.teams["t1"]["name"] = "Sales & Marketing"

    server.sim.mutate(edit)
    clock.at = T1 + timedelta(days=2)
    syncer.run(full=full)
    at = neo4j.time.DateTime.from_native(clock.at)
    changes = [
        {k: v for k, v in r.items() if v is not None} for r in graph.read(NAMED_CHANGES, at=at)
    ]
    assert changes == [
        {"id": "k3", "field": "issue", "kind": "linked", "new": "10002"},
        {"id": "k3", "field": "label", "kind": "linked", "new": "l1", "newName": "Company"},
        {
            "id": "k3",
            "field": "objective",
            "kind": "linked",
            "new": "o4",
            "newKey": "O-4",
            "newName": "Hiring",
        },
        {
            "id": "k3",
            "field": "objective",
            "kind": "unlinked",
            "old": "o3",
            "oldKey": "O-3",
            "oldName": "Platform",
        },
        {"id": "k3", "field": "owner", "kind": "linked", "new": "u9"},
        {"id": "k3", "field": "owner", "kind": "unlinked", "old": "u3"},
        {"id": "k3", "field": "period", "kind": "linked", "new": "p2", "newName": "Q2 2026"},
        {"id": "k3", "field": "period", "kind": "unlinked", "old": "p1", "oldName": "Q1 2026"},
        {
            "id": "k3",
            "field": "team",
            "kind": "linked",
            "new": "t1",
            "newName": "Sales & Marketing",
        },
        {"id": "o1", "field": "team", "kind": "linked", "new": "t2", "newName": "Eng"},
        {"id": "o1", "field": "team", "kind": "unlinked", "old": "t1", "oldName": "Sales"},
    ]


def test_journal_retention_prunes_old_entries(
    history: Any, graph: Graph, driver: neo4j.Driver, tmp_path: Path
) -> None:
    """A change cycle long after: entries older than the retention are deleted."""
    _, server, _, _, _ = history
    server.sim.mutate(lambda o: o.set_progress("k3", 11.0))
    with sync_cycle(
        server.url,
        graph,
        tmp_path / "state",
        now=Clock(datetime(2026, 6, 1, tzinfo=UTC)),
        journal_retention_days=30,
    ) as syncer:
        syncer.run()
    left = graph.read("MATCH (c:Change) RETURN c.entityId AS id, c.field AS field")
    assert left == [{"id": "k3", "field": "percentDone"}]
    assert count(graph, "MATCH (r:SyncRun) RETURN count(r) AS n") == 1


def test_report_is_a_self_contained_page(history: Any, graph: Graph, tmp_path: Path) -> None:
    """One chart per objective of the period, the slipped list, nothing fetched from anywhere."""
    from okrsync.report import progress_series, render

    page = render(graph, ORG, "Q1 2026", days=7, now=datetime(2026, 3, 12, tzinfo=UTC))
    assert page.count("<section class='objective'>") == 3
    assert page.count("<svg") == 3
    assert "O-2 Sales pipeline v2" in page
    assert (
        "<td>KR-1 Close 10 deals</td><td>progress</td><td>30 %</td><td>10 %</td>"
        "<td>10 Mar 2026</td>"
    ) in page
    assert "<script" not in page
    # Only in-page references (the SVGs' own #ids): nothing to fetch from anywhere.
    assert re.findall(r'(?:src|href)="(?!#)', page) == []
    assert re.findall(r"https?:", page) == []
    series = progress_series(
        {
            "start": "2026-01-01T00:00:00Z",
            "percentDone": 25.0,
            "changes": [{"at": "2026-03-10T12:00:00Z", "old": 20.0, "new": 25.0}],
            "checkins": [],
        },
        datetime(2026, 3, 12, tzinfo=UTC),
    )
    assert [(p[0].date().isoformat(), p[1]) for p in series] == [
        ("2026-01-01", 20.0),
        ("2026-03-10", 25.0),
        ("2026-03-12", 25.0),
    ]
    out = tmp_path / "r.html"
    from okrsync.report import write_report

    assert write_report(graph, ORG, "Q1 2026", out) == 3
    assert out.read_text().startswith("<!doctype html>")


def test_report_page_is_styled_and_says_where_its_history_starts(
    history: Any, graph: Graph
) -> None:
    """Issue 22: the stylesheet is valid CSS (single braces), a first status shows as a dash
    rather than `None`, and the page says the journal starts at okrsync's first sync."""
    from okrsync.report import render

    syncer, server, _, _, clock = history
    server.sim.mutate(lambda o: o.set_status("k3", "AT_RISK"))  # KR-3's first check-in ever
    clock.at = datetime(2026, 3, 11, 12, tzinfo=UTC)
    syncer.run()
    page = render(graph, ORG, "Q1 2026", days=7, now=datetime(2026, 3, 12, tzinfo=UTC))
    (css,) = re.findall(r"<style>(.*?)</style>", page)
    assert "{{" not in css and "}}" not in css
    assert "table{border-collapse:collapse}" in css
    assert "td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}" in css
    assert (
        "<td>KR-3 Cut latency</td><td>status</td><td>—</td><td><span class='status' "
        "style='background:#FFAB00;color:#172B4D'>At risk</span></td>"
    ) in page
    assert "None" not in re.sub(r"<svg.*?</svg>", "", page, flags=re.S)
    assert (
        "<p class='note'>Progress is known from okrsync's first recorded sync, 2026-03-01 12:00 "
        "UTC: before it, each line is flat at the first value okrsync saw.</p>"
    ) in page
    # Q2 starts after the first sync: the journal covers it all, nothing to say.
    later = render(graph, ORG, "Q2 2026", days=7, now=datetime(2026, 3, 12, tzinfo=UTC))
    assert "first recorded sync" not in later


def test_report_summarises_teams_and_lists_what_moved_by_name(history: Any, graph: Graph) -> None:
    """The page a person would forward: a per-team summary first (objectives, progress,
    statuses in colour, as the vendor's UI names them), then what slipped and what moved,
    each end named, dates as days."""
    from okrsync.report import render

    page = render(graph, ORG, "Q1 2026", days=7, now=datetime(2026, 3, 12, tzinfo=UTC))
    on_track = "<span class='status' style='background:#36B37E;color:#FFFFFF'>On track</span>"
    at_risk = "<span class='status' style='background:#FFAB00;color:#172B4D'>At risk</span>"
    off_track = "<span class='status' style='background:#DE350B;color:#FFFFFF'>Off track</span>"
    # Sales: O-1 (weight 2, 50 %) and O-2 (weight 1, 25 % after the edit): 125 / 3.
    (teams,) = re.findall(r"<table class='teams'>.*?</table>", page, flags=re.S)
    assert teams.split("\n")[1:-1] == [
        f"<tr><td>Eng</td><td class='number'>1</td><td class='number'>80 %</td>"
        f"<td>1 {off_track}</td></tr>",
        f"<tr><td>Sales</td><td class='number'>2</td><td class='number'>41.7 %</td>"
        f"<td>1 {on_track} 1 {at_risk}</td></tr>",
    ]
    (moved,) = re.findall(r"<table class='moves'>.*?</table>", page, flags=re.S)
    assert moved.split("\n")[1:-1] == [
        "<tr><td>O-3 Platform</td><td>parent objective</td><td>O-1 Company growth</td>"
        "<td>O-2 Sales pipeline v2</td><td>10 Mar 2026</td></tr>",
    ]
    order = [page.index(h) for h in ("<h2>Teams", "<h2>What slipped", "<h2>What moved")]
    assert order == sorted(order) and order[0] < page.index("<section class='objective'>")
    assert "<p>50 % done, " + on_track + "</p>" in page
    assert "As of 12 Mar 2026, 00:00 UTC." in page
    quiet = render(graph, ORG, "Q1 2026", days=1, now=datetime(2026, 3, 12, tzinfo=UTC))
    assert "<h2>What moved in the last 1 days</h2>\n<p>Nothing moved.</p>" in quiet


@contextmanager
def commenting_org(
    graph: Graph, tmp_path: Path, objectives: int, seed: int
) -> Iterator[tuple[Org, SimulatorServer, SyncCycle]]:
    """A generated org served by a simulator, and a cycle mirroring check-ins and comments."""
    org = Org(objectives=objectives, seed=seed)
    with (
        SimulatorServer(org) as server,
        sync_cycle(server.url, graph, tmp_path / "state", comments=True) as syncer,
    ):
        yield org, server, syncer


def test_comments_on_checkins_become_a_thread(graph: Graph, tmp_path: Path) -> None:
    """comments = true: every comment a Comment under its Update, replies linked; later cycles
    ask only for new ones, and a reconcile re-reads them all, picking up edits."""
    with commenting_org(graph, tmp_path, objectives=30, seed=5) as (org, server, syncer):
        expected = {
            (c["commentId"], c["updateId"], c["text"], c["authorAccountId"])
            for c in org.all_comments_newest_first()
        }
        replies = {
            (c["commentId"], c["replyToCommentId"])
            for c in org.all_comments_newest_first()
            if "replyToCommentId" in c
        }
        assert len(expected) > 10 and replies  # the seed gives comments and threads

        first = syncer.run()
        assert first.comments == len(expected)
        held = graph.read(
            "MATCH (u:Update)-[:HAS_COMMENT]->(c:Comment) "
            "RETURN c.id AS id, u.id AS update, c.text AS text, c.authorAccountId AS author, "
            "valueType(c.created) AS created"
        )
        assert {(r["id"], r["update"], r["text"], r["author"]) for r in held} == expected
        assert {r["created"] for r in held} == {"ZONED DATETIME NOT NULL"}
        threads = graph.read(
            "MATCH (c:Comment)-[:REPLY_TO]->(p:Comment) RETURN c.id AS c, p.id AS p"
        )
        assert {(r["c"], r["p"]) for r in threads} == replies

        assert syncer.run().comments == 0  # nothing new: nothing written

        update_id, (old, *_) = next(iter(org.comments.items()))
        old_id, old_text = old["commentId"], old["text"]
        newest = parse_api_time(org.all_comments_newest_first()[0]["created"])
        new_id = server.sim.mutate(
            lambda o: o.add_comment(update_id, "A late word", newest + timedelta(days=1))
        )
        server.sim.mutate(lambda o: o.edit_comment(old_id, "Edited text"))

        def text_of(comment_id: str) -> str:
            found = graph.read("MATCH (c:Comment {id: $id}) RETURN c.text AS t", id=comment_id)
            return str(found[0]["t"]) if found else ""

        assert syncer.run().comments == 1  # the new one; the edit is not in the window
        assert text_of(new_id) == "A late word"
        assert text_of(old_id) == old_text  # an edit keeps `created`: incremental misses it
        full = syncer.run(full=True)
        assert full.comments == len(expected) + 1
        assert text_of(old["commentId"]) == "Edited text"
        assert count(graph, "MATCH (c:Comment) RETURN count(c) AS n") == len(expected) + 1


def test_checkins_and_comments_made_between_cycles_all_arrive(graph: Graph, tmp_path: Path) -> None:
    """A living org (status changes, new OKRs with check-ins, comments): after each cycle every
    check-in and comment the API serves is in the graph, each comment under its check-in."""
    with commenting_org(graph, tmp_path, objectives=40, seed=11) as (org, server, syncer):
        for changes in (0, 30, 30):
            server.sim.mutate(lambda o, n=changes: o.evolve(n) if n else None)
            syncer.run()
            served = {u["updateId"] for history in org.updates.values() for u in history}
            held = {r["id"] for r in graph.read("MATCH (u:Update) RETURN u.id AS id")}
            assert served - held == set()
            comments = {(c["commentId"], c["updateId"]) for c in org.all_comments_newest_first()}
            hung = graph.read(
                "MATCH (u:Update)-[:HAS_COMMENT]->(c:Comment) RETURN c.id AS c, u.id AS u"
            )
            assert comments - {(r["c"], r["u"]) for r in hung} == set()
        assert len(served) > 50 and len(comments) > 10  # the org did exercise both feeds


def test_a_first_pull_creates_each_checkin_once_and_merges_into_held_ones(
    graph: Graph, tmp_path: Path
) -> None:
    """Into a graph holding none of the org's check-ins the feed is CREATEd: an id the feed
    serves twice is written once, as its newest delivery. With the state gone but the
    check-ins still held, the same whole pull MERGEs: nothing doubled, nothing refused."""
    org = Org.from_export(json.loads((DATA / "fixture_org.json").read_text()))
    # o3's check-in (2026-03-20) served again, newer, as k1's: a vendor bug seen as data.
    (o3,) = org.updates["o3"]
    org.updates["k1"].append({**o3, "entityId": "k1", "created": "2026-03-30T09:00:00+0000"})
    with SimulatorServer(org) as server:
        with sync_cycle(server.url, graph, tmp_path / "a", now=Clock(T0)) as syncer:
            assert syncer.run().checkins == 6
        hung = "MATCH (e)-[:HAS_UPDATE]->(u:Update) RETURN e.id AS e, u.id AS u ORDER BY u"
        first = graph.read(hung)
        assert len(first) == 6 and {"e": "k1", "u": o3["updateId"]} in first
        assert graph.read(
            "MATCH (u:Update {id: $id}) RETURN u.entityId AS e, toString(u.created) AS at",
            id=o3["updateId"],
        ) == [{"e": "k1", "at": "2026-03-30T09:00:00Z"}]
        with sync_cycle(server.url, graph, tmp_path / "b", now=Clock(T0)) as fresh:
            assert fresh.run().checkins == 6
        assert count(graph, "MATCH (u:Update) RETURN count(u) AS n") == 6
