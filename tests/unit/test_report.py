"""The report's words for people: statuses, dates, and moves grouped from journal rows."""

from __future__ import annotations

from typing import Any

from okrsync.report import human_day, moves, moves_table, percent, status_chip


def change(kind: str, field: str, far: str, **names: str) -> dict[str, Any]:
    side = "old" if kind == "unlinked" else "new"
    row: dict[str, Any] = {"type": "KeyResult", "id": "k1", "key": "KR-1", "name": "Ship"}
    row.update(field=field, kind=kind, at="2026-03-10T12:00:00Z")
    row.update(dict.fromkeys(("old", "oldKey", "oldName", "new", "newKey", "newName")))
    row[side] = far
    row.update({side + k.capitalize(): v for k, v in names.items()})
    return row


def test_one_move_per_entity_field_and_run_each_end_named_where_known() -> None:
    """Teams left and got in one run are one move; a person without a name shows by id."""
    rows = [
        change("unlinked", "owner", "u3"),
        change("linked", "owner", "u9"),
        change("unlinked", "team", "t1", name="Sales"),
        change("linked", "team", "t2", name="Eng"),
        change("linked", "team", "t3"),
        change("linked", "objective", "o4", key="O-4", name="Hiring"),
    ]
    assert [(m["field"], m["from"], m["to"]) for m in moves(rows)] == [
        ("owner", ["u3"], ["u9"]),
        ("team", ["Sales"], ["Eng", "t3"]),
        ("objective", [], ["O-4 Hiring"]),
    ]
    assert moves_table(rows)[3] == (
        "<tr><td>KR-1 Ship</td><td>objective</td><td>—</td><td>O-4 Hiring</td>"
        "<td>10 Mar 2026</td></tr>"
    )
    assert moves_table([]) == ["<p>Nothing moved.</p>"]


def test_statuses_dates_and_progress_in_words() -> None:
    """The vendor's UI names, an unknown status in words, a day without its time."""
    assert status_chip("ACTION_REQUIRED") == (
        "<span class='status' style='background:#DE350B;color:#FFFFFF'>Off track</span>"
    )
    assert status_chip("MISSED_TARGET") == (
        "<span class='status' style='background:#A5ABB6;color:#FFFFFF'>Missed target</span>"
    )
    assert status_chip(None) == "—"
    assert human_day("2026-03-05T23:59:59+00:00") == "5 Mar 2026"
    assert (percent(30.0), percent(12.5), percent(None)) == ("30 %", "12.5 %", "—")
