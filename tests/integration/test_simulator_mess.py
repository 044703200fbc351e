"""The messy test org (`Org(mess=True)`, `okrsync simulate --mess`) over real HTTP: each kind of
mess a real export carries is served, exactly where the org's mess_log says, and never by the
default org."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import jsonschema
import pytest

from okrsync.simulator import Org, SimulatorServer
from okrsync.simulator.mess_export import MESS_WINDOW_MS
from okrsync.simulator.oddities import (
    DEVIATIONS,
    ODD_TYPES,
    OPTIONAL_FIELDS,
    TIME_FIELDS,
    TIME_STYLES,
)
from okrsync.simulator.wire import parse_api_time
from tests.spec import validator

ALL = "startDateEpochMilli=0&deadlineEpochMilli=4102444800000"
WINDOW = f"startDateEpochMilli={MESS_WINDOW_MS[0]}&deadlineEpochMilli={MESS_WINDOW_MS[1]}"
OBJ_EXPAND = "KEY_RESULTS,TEAMS,PERIODS,LABELS,TYPES,CUSTOM_FIELDS"
KR_EXPAND = "OBJECTIVES,TEAMS,PERIODS,LABELS,TYPES,CUSTOM_FIELDS"
EXPORT = "/api/v2/api-export"
# Answer key -> the kind of record its array holds.
KINDS = {
    "okrs": "objective",
    "krs": "keyResult",
    "updates": "update",
    "comments": "comment",
    "teams": "team",
    "periods": "period",
    "labels": "label",
    "okrTypes": "okrType",
    "customFields": "customField",
}


@dataclass
class Served:
    """Every answer of the read endpoints at one moment, by the kind of record it holds."""

    answers: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (schema, body)

    def records(self, kind: str) -> list[dict[str, Any]]:
        """Each distinct record of the kind, in the order first served."""
        out: dict[str, dict[str, Any]] = {}
        for _, body in self.answers:
            for key, records in body.items():
                if KINDS.get(key) == kind:
                    out.update((json.dumps(r, sort_keys=True), r) for r in records)
        return list(out.values())


def fetch(http: httpx.Client, path: str) -> dict[str, Any]:
    answer = http.get(f"{EXPORT}/{path}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def feed(http: httpx.Client, name: str) -> list[dict[str, Any]]:
    pages, cursor = [], None
    while True:
        page = fetch(http, f"{name}?pageSize=1000" + (f"&cursor={cursor}" if cursor else ""))
        pages.append(page)
        cursor = page.get("nextCursor")
        if not cursor:
            return pages


def served(server: SimulatorServer) -> Served:
    with httpx.Client(base_url=server.url, headers={"API-Token": "t"}) as http:
        out = Served()
        out.answers.append(
            ("ApiExportData", fetch(http, f"objectives/byDate?{ALL}&expand={OBJ_EXPAND}"))
        )
        out.answers.append(
            ("ApiExportData", fetch(http, f"keyResults/byDate?{ALL}&expand={KR_EXPAND}"))
        )
        out.answers += [("ApiExportBulkUpdate", p) for p in feed(http, "updates")]
        out.answers += [("ApiExportBulkUpdateComments", p) for p in feed(http, "updateComments")]
        return out


def null_forms(view: Served) -> set[tuple[str, str, str]]:
    """(kind, field, "null" or "absent") for every optional field some served record has so."""
    out = set()
    for kind, fields in OPTIONAL_FIELDS.items():
        for record in view.records(kind):
            for name in fields:
                head, dot, tail = name.partition(".")
                holder, key = (record.get(head), tail) if dot else (record, name)
                if not isinstance(holder, dict):
                    continue
                if key not in holder:
                    out.add((kind, name, "absent"))
                elif holder[key] is None:
                    out.add((kind, name, "null"))
    return out


# What the default org serves null or absent: real payloads' nulls, and nothing more.
CLEAN_NULL_FORMS = {
    ("comment", "lastEdited", "absent"),
    ("comment", "replyToCommentId", "absent"),
    ("customField", "description", "absent"),
    ("customField", "maxLength", "absent"),
    ("customField", "multipleUsers", "absent"),
    ("customField", "selectOptions", "absent"),
    ("keyResult", "currentProgressDefinition.jql", "null"),
    ("keyResult", "customFields", "absent"),
    ("keyResult", "description", "null"),
    ("keyResult", "expectedEndDate", "absent"),
    ("keyResult", "finalGrade", "absent"),
    ("keyResult", "latestUpdate", "null"),
    ("keyResult", "latestUpdate.description", "null"),
    ("keyResult", "latestUpdate.desiredValue", "absent"),
    ("keyResult", "latestUpdate.displayedStatus", "absent"),
    ("keyResult", "latestUpdate.source", "absent"),
    ("keyResult", "latestUpdate.startValue", "absent"),
    ("keyResult", "periodAliasId", "null"),
    ("keyResult", "typeId", "absent"),
    ("keyResult", "typeName", "absent"),
    ("keyResult", "unit", "null"),
    ("keyResult", "unit.symbol", "null"),
    ("objective", "customFields", "absent"),
    ("objective", "description", "null"),
    ("objective", "expectedEndDate", "absent"),
    ("objective", "finalGrade", "absent"),
    ("objective", "iconBackgroundColor", "absent"),
    ("objective", "iconTextColor", "absent"),
    ("objective", "latestUpdate", "null"),
    ("objective", "latestUpdate.description", "null"),
    ("objective", "latestUpdate.desiredValue", "absent"),
    ("objective", "latestUpdate.displayedStatus", "absent"),
    ("objective", "latestUpdate.source", "absent"),
    ("objective", "latestUpdate.startValue", "absent"),
    ("objective", "latestUpdate.value", "null"),
    ("objective", "okrTypeId", "absent"),
    ("objective", "okrTypeName", "absent"),
    ("objective", "parentObjectiveId", "null"),
    ("objective", "periodAliasId", "null"),
    ("update", "description", "null"),
    ("update", "desiredValue", "absent"),
    ("update", "startValue", "absent"),
    ("update", "value", "null"),
}
VENDOR_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?([+-]\d{4})")


@pytest.fixture
def messy() -> Iterator[SimulatorServer]:
    with SimulatorServer(Org(mess=True)) as server:
        yield server


@pytest.fixture
def clean() -> Iterator[SimulatorServer]:
    with SimulatorServer(Org()) as server:
        yield server


def logged(org: Org, what: str) -> list[tuple[str, str, str]]:
    """(kind, stored id, detail) of each piece of mess of one sort the org made."""
    return [(m.kind, m.rid, m.detail) for m in org.mess_log if m.what == what]


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in records if isinstance(r.get("id"), str)}


def instant(text: str) -> datetime:
    return datetime.strptime(
        text, "%Y-%m-%dT%H:%M:%S.%f%z" if "." in text else "%Y-%m-%dT%H:%M:%S%z"
    )


class TestNulls:
    def test_every_optional_field_is_served_null_and_absent(self, messy: SimulatorServer) -> None:
        """Of every kind of record, each field but the ids is null on one and absent on another."""
        expected = {
            (kind, name, form)
            for kind, fields in OPTIONAL_FIELDS.items()
            for name in fields
            for form in ("null", "absent")
        }
        assert null_forms(served(messy)) == expected
        assert len(expected) == 2 * sum(len(f) for f in OPTIONAL_FIELDS.values()) == 200

    def test_the_default_org_serves_only_real_payloads_nulls(self, clean: SimulatorServer) -> None:
        """Without the option, the nulls and absences are the ones the org always had."""
        assert null_forms(served(clean)) == CLEAN_NULL_FORMS
        assert clean.org.mess_log == [] and clean.org.overlay.patches == {}


class TestListsAndParents:
    def test_child_lists_disagree_with_parent_pointers(self, messy: SimulatorServer) -> None:
        """A listed child with a null pointer, and a pointing child left off the list, for a key
        result and for an objective each."""
        org, view = messy.org, served(messy)
        okrs, krs = by_id(view.records("objective")), by_id(view.records("keyResult"))
        listed, pointing = (
            logged(org, "listed_without_pointer"),
            logged(org, "pointer_without_listing"),
        )
        assert (
            sorted(k for k, _, _ in listed)
            == sorted(k for k, _, _ in pointing)
            == ["keyResult", "objective"]
        )
        for kind, eid, parent in listed:
            child_list = "krIds" if kind == "keyResult" else "childObjectiveIds"
            assert (okrs if kind == "objective" else krs)[eid]["parentObjectiveId"] is None
            assert eid in okrs[parent][child_list]
            assert org.entity(eid)[0]["parentObjectiveId"] == parent  # stored: still its child
        for kind, eid, parent in pointing:
            child_list = "krIds" if kind == "keyResult" else "childObjectiveIds"
            assert (okrs if kind == "objective" else krs)[eid]["parentObjectiveId"] == parent
            assert eid not in okrs[parent][child_list]

    def test_the_default_org_lists_exactly_what_points_at_it(self, clean: SimulatorServer) -> None:
        """Without the option, every list and every parent pointer agree."""
        view = served(clean)
        okrs, krs = by_id(view.records("objective")), by_id(view.records("keyResult"))
        for oid, okr in okrs.items():
            assert okr["krIds"] == [k for k, kr in krs.items() if kr["parentObjectiveId"] == oid]
            assert okr["childObjectiveIds"] == [
                c for c, child in okrs.items() if child["parentObjectiveId"] == oid
            ]

    def test_a_parent_outside_the_window_is_fetched_by_id(self, messy: SimulatorServer) -> None:
        """The window's export names a parent it does not carry; objectives/byIds serves it."""
        [(_, child, parent)] = logged(messy.org, "parent_outside_window")
        with httpx.Client(base_url=messy.url, headers={"API-Token": "t"}) as http:
            window = by_id(fetch(http, f"objectives/byDate?{WINDOW}&expand={OBJ_EXPAND}")["okrs"])
            assert window[child]["parentObjectiveId"] == parent
            assert parent not in window
            [fetched] = fetch(http, f"objectives/byIds?objectiveIds={parent}")["okrs"]
        assert (fetched["id"], fetched["startDate"], fetched["deadline"]) == (
            parent,
            "2019-01-01T00:00:00+0000",
            "2019-03-31T23:59:59+0000",
        )
        assert fetched["childObjectiveIds"] == [child]

    def test_the_default_org_has_every_parent_in_the_window(self, clean: SimulatorServer) -> None:
        """Without the option, the window's export carries each parent it names."""
        with httpx.Client(base_url=clean.url, headers={"API-Token": "t"}) as http:
            okrs = by_id(fetch(http, f"objectives/byDate?{WINDOW}")["okrs"])
        assert len(okrs) == len(clean.org.objectives)
        assert {o["parentObjectiveId"] for o in okrs.values()} - {None} <= set(okrs)


def time_texts(view: Served) -> list[tuple[str, dict[str, Any], str, str]]:
    """(kind, record, field, text) for every date-time a served record carries as a string."""
    out = []
    for kind, fields in TIME_FIELDS.items():
        for record in view.records(kind):
            for name in fields:
                head, dot, tail = name.partition(".")
                holder = record.get(head) if dot else record
                value = holder.get(tail if dot else name) if isinstance(holder, dict) else None
                if isinstance(value, str):
                    out.append((kind, record, name, value))
    return out


class TestTimestamps:
    def test_other_offsets_and_milliseconds_name_the_stored_instants(
        self, messy: SimulatorServer
    ) -> None:
        """Each restyled record serves all its date-times in its style, at the stored instant."""
        org, view = messy.org, served(messy)
        styles = {}
        for kind, record, _, text in time_texts(view):
            if text == "TBD":  # the odd-typed deadline
                continue
            match = VENDOR_TIME.fullmatch(text)
            assert match, text
            styles.setdefault((kind, _stored_id(kind, record)), set()).add(
                (match.group(1) or "") + match.group(2)
            )
        restyled = logged(org, "time")
        assert len(restyled) == 5 * len(TIME_STYLES)
        checked = 0
        for kind, rid, style in restyled:
            assert styles[(kind, rid)] == {style}
            stored = org.record(kind, rid)
            for name in TIME_FIELDS[kind]:
                head, dot, tail = name.partition(".")
                holder = stored.get(head) if dot else stored
                text = _served_field(view, kind, rid, name)
                if isinstance(holder, dict) and isinstance(holder.get(tail if dot else name), str):
                    assert instant(text) == parse_api_time(holder[tail if dot else name])
                    checked += 1
        assert checked >= 2 * len(restyled)  # each restyled record has two timestamps or more
        restyled_ids = {(kind, rid) for kind, rid, _ in restyled}
        others = set().union(*(s for key, s in styles.items() if key not in restyled_ids))
        assert others == {"+0000"}

    def test_the_default_org_writes_every_timestamp_at_plus_0000(
        self, clean: SimulatorServer
    ) -> None:
        """Without the option: whole seconds, offset +0000, as NOTES.md shows."""
        texts = [text for _, _, _, text in time_texts(served(clean))]
        assert len(texts) > 1000
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", t) for t in texts)


def _stored_id(kind: str, record: dict[str, Any]) -> str:
    key = {"update": "updateId", "comment": "commentId"}.get(kind, "id")
    return str(record[key])


def _served_field(view: Served, kind: str, rid: str, name: str) -> Any:
    [record] = [r for r in view.records(kind) if _stored_id(kind, r) == rid][:1]
    head, dot, tail = name.partition(".")
    holder = record.get(head) if dot else record
    return holder.get(tail if dot else name) if isinstance(holder, dict) else None


def leaves(error: jsonschema.ValidationError) -> Iterator[jsonschema.ValidationError]:
    """The errors under the spec's own branch of each null-admitting anyOf (tests/spec.py)."""
    spec_branch = [e for e in error.context or () if e.relative_schema_path[0] == 0]
    if error.validator != "anyOf" or not spec_branch:
        yield error
        return
    for sub in spec_branch:
        yield from leaves(sub)


def deviations(view: Served) -> set[tuple[str, str]]:
    """(kind, field) of each place a served record breaks the spec (formats checked)."""
    found = set()
    for schema, body in view.answers:
        for error in validator(schema).iter_errors(body):
            for leaf in leaves(error):
                key, _, name = list(leaf.absolute_path)[:3]
                found.add((KINDS[key], name))
    return found


class TestOddTypesAndIdentities:
    def test_every_spec_deviation_is_a_listed_one(self, messy: SimulatorServer) -> None:
        """Validated against openapi.json, the messy org breaks it exactly where DEVIATIONS says,
        each listed deviation on at least one record, and nowhere else."""
        assert set(deviations(served(messy))) == set(DEVIATIONS)

    def test_the_default_org_breaks_nothing(self, clean: SimulatorServer) -> None:
        """Without the option every answer is valid, date-time formats included."""
        clean.sim.mutate(lambda o: o.evolve(30))
        assert deviations(served(clean)) == set()

    def test_odd_types_are_the_documented_values(self, messy: SimulatorServer) -> None:
        """Each odd type is served as ODD_TYPES documents it, on an objective and a key result."""
        org, view = messy.org, served(messy)
        odd = logged(org, "odd_type")
        assert sorted((k, f) for k, _, f in odd) == sorted(
            (k, f) for k in ("objective", "keyResult") for f in ODD_TYPES
        )
        for kind, eid, name in odd:
            stored = org.entity(eid)[0][name]
            value = by_id(view.records(kind))[eid][name]
            if name == "description":
                words = " ".join(re.sub("<[^>]+>", " ", stored or "").replace("&amp;", "&").split())
                text = {"type": "text", "text": words}
                expected: Any = {
                    "type": "doc",
                    "version": 1,
                    "content": [{"type": "paragraph", "content": [text]}],
                }
            elif name in ("parentObjectiveId", "ownerAccountId"):
                expected = int(stored[-8:], 16)
            elif name == "percentDone":
                expected = f"{stored:g}"
            else:
                expected = {"weight": 0.5, "deadline": "TBD"}[name]
            assert (name, value) == (name, expected)

    def test_unusable_identities(self, messy: SimulatorServer) -> None:
        """An objective served with id null, a key result with an object id, a check-in with
        updateId null: each still carries its other fields."""
        org, view = messy.org, served(messy)
        found = {}
        for kind, rid, form in logged(org, "identity"):
            stored = org.record(kind, rid)
            if kind == "update":
                [served_record] = [
                    u
                    for u in view.records(kind)
                    if u["updateId"] is None
                    and u["entityId"] == stored["entityId"]
                    and u["created"] == stored["created"]
                ]
                found[kind] = served_record["updateId"]
            else:
                [served_record] = [r for r in view.records(kind) if r.get("key") == stored["key"]]
                found[kind] = served_record["id"]
            assert form in ("null", "object")
        assert found == {
            "objective": None,
            "keyResult": {"$oid": logged(org, "identity")[1][1]},
            "update": None,
        }

    def test_a_latest_update_names_another_entity(self, messy: SimulatorServer) -> None:
        """As the vendor's example response: a key result's latestUpdate.entityId is not its id."""
        [(kind, kid, other)] = logged(messy.org, "misattributed")
        served_kr = by_id(served(messy).records(kind))[kid]
        assert served_kr["latestUpdate"]["entityId"] == other != kid


def exported_ids(http: httpx.Client) -> set[str]:
    okrs = fetch(http, f"objectives/byDate?{ALL}")["okrs"]
    krs = fetch(http, f"keyResults/byDate?{ALL}")["krs"]
    return {r["id"] for r in okrs + krs if isinstance(r.get("id"), str)}


def feed_by_entity(http: httpx.Client) -> dict[str, list[str]]:
    """Entity id -> the ids of its check-ins in the feed, newest first."""
    out: dict[str, list[str]] = {}
    for page in feed(http, "updates"):
        for update in page["updates"]:
            out.setdefault(update["entityId"], []).append(update["updateId"])
    return out


class TestStepByStep:
    def test_check_ins_arrive_before_their_okr_is_exported(self, messy: SimulatorServer) -> None:
        """The feed serves a check-in on an OKR that neither byDate nor byIds carries yet;
        after the next step (evolve) the export has it, under the same id."""
        org = messy.org
        early = logged(org, "check_in_before_export")
        assert [kind for kind, _, _ in early] == ["keyResult", "objective"]
        with httpx.Client(base_url=messy.url, headers={"API-Token": "t"}) as http:
            ids, updates = exported_ids(http), feed_by_entity(http)
            for kind, eid, update_id in early:
                assert eid not in ids and update_id in updates[eid]
                path = (
                    "objectives/byIds?objectiveIds"
                    if kind == "objective"
                    else "keyResults/byIds?keyResultIds"
                )
                assert fetch(http, f"{path}={eid}")["okrs" if kind == "objective" else "krs"] == []
            messy.sim.mutate(lambda o: o.evolve(3))
            after = exported_ids(http)
        assert {eid for _, eid, _ in early} <= after
        [(_, new, _)] = logged(org, "check_in_before_export")[2:]  # the step's own
        assert new not in after

    def test_an_okr_goes_for_a_step_and_comes_back(self, messy: SimulatorServer) -> None:
        """An exported OKR leaves the export and its check-ins the feed for one step, then
        returns with the same id and the same check-ins."""
        org = messy.org
        with httpx.Client(base_url=messy.url, headers={"API-Token": "t"}) as http:
            before_ids, before_feed = exported_ids(http), feed_by_entity(http)
            messy.sim.mutate(lambda o: o.evolve(3))
            [(_, gone, held_krs)] = logged(org, "deleted_for_a_step")
            held = {gone, *filter(None, held_krs.split(","))}
            assert gone in before_ids and before_feed[gone]
            during_ids, during_feed = exported_ids(http), feed_by_entity(http)
            assert held.isdisjoint(during_ids) and held.isdisjoint(during_feed)
            assert fetch(http, f"updates?entityId={gone}")["updates"] == []
            messy.sim.mutate(lambda o: o.evolve(3))
            after_ids, after_feed = exported_ids(http), feed_by_entity(http)
        assert held <= after_ids
        assert after_feed[gone][-len(before_feed[gone]) :] == before_feed[gone]

    def test_the_default_org_exports_what_it_has(self, clean: SimulatorServer) -> None:
        """Without the option, churn holds nothing back: the export is the org, and every
        check-in in the feed is on an exported OKR."""
        org = clean.org
        with httpx.Client(base_url=clean.url, headers={"API-Token": "t"}) as http:
            for _ in range(3):
                clean.sim.mutate(lambda o: o.evolve(25))
                ids = exported_ids(http)
                assert ids == set(org.objectives) | set(org.key_results)
                assert set(feed_by_entity(http)) <= ids
        assert org.overlay.hidden == {} and org.mess_log == []

    def test_a_model_based_test_can_inject_each_mess_by_name(self, clean: SimulatorServer) -> None:
        """The org's methods make each mess on a chosen record, through Simulator.mutate."""
        org, sim = clean.org, clean.sim
        oid = next(o for o, r in org.objectives.items() if r["parentObjectiveId"] is None)
        kid = next(k for k, r in org.key_results.items() if r["parentObjectiveId"] == oid)
        sim.mutate(lambda o: o.inject_odd_type(kid, "percentDone"))
        sim.mutate(lambda o: o.inject_null("objective", oid, "name", absent=True))
        sim.mutate(lambda o: o.restyle_times("keyResult", kid, "+0530"))
        sim.mutate(lambda o: o.point_without_listing(kid))
        new_kid = sim.mutate(lambda o: o.create_key_result(oid))
        sim.mutate(lambda o: o.check_in_before_export(new_kid))
        view = served(clean)
        okr, kr = by_id(view.records("objective"))[oid], by_id(view.records("keyResult"))[kid]
        assert "name" not in okr and kid not in okr["krIds"] and new_kid not in okr["krIds"]
        assert kr["percentDone"] == f"{org.key_results[kid]['percentDone']:g}"
        assert kr["created"].endswith("+0530")
        assert new_kid not in by_id(view.records("keyResult"))
        assert new_kid in {u["entityId"] for u in view.records("update")}
        sim.mutate(lambda o: o.clear_mess("keyResult", kid))
        sim.mutate(lambda o: o.release_hidden())
        view = served(clean)
        assert by_id(view.records("keyResult"))[kid] == org.key_results[kid]
        assert new_kid in by_id(view.records("keyResult"))
        with pytest.raises(ValueError, match="'id' is not an optional field of a objective"):
            org.inject_null("objective", oid, "id")
        with pytest.raises(ValueError, match="no odd type for 'name'"):
            org.inject_odd_type(oid, "name")
        with pytest.raises(ValueError, match=f"{oid} has no parent objective"):
            org.list_without_pointer(oid)


def test_the_messy_org_needs_objectives_enough_for_its_mess() -> None:
    """Below 40 objectives a messy org is refused with one line saying so."""
    with pytest.raises(ValueError, match="a messy org needs 40 objectives or more"):
        Org(objectives=39, mess=True)


def test_okrsync_simulate_mess_serves_the_messy_org() -> None:
    """`okrsync simulate --mess` serves the messy org of the seed; a too small one exits 2
    with one line."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "okrsync.cli", "simulate", "--port", str(port), "--mess"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}{EXPORT}/objectives/byDate?{ALL}"
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = httpx.get(url, headers={"API-Token": "x"}, timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "simulator did not start"
                time.sleep(0.1)
        with SimulatorServer(Org(mess=True)) as same:
            assert answer.content == get_bytes(same, f"objectives/byDate?{ALL}")
        with SimulatorServer(Org()) as default:
            assert answer.content != get_bytes(default, f"objectives/byDate?{ALL}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    small = subprocess.run(
        [*command, "--objectives", "10"], capture_output=True, text=True, timeout=60
    )
    assert (small.returncode, small.stderr) == (
        1,
        "okrsync: a messy org needs 40 objectives or more\n",
    )


def get_bytes(server: SimulatorServer, path: str) -> bytes:
    return httpx.get(f"{server.url}{EXPORT}/{path}", headers={"API-Token": "t"}).content
