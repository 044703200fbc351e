"""The source reader's fetch order: answers asked for ahead of use, errors raised where read."""

from __future__ import annotations

import gc
import json
import threading
import weakref
from collections.abc import Iterator

import pytest

from okrsync.errors import ApiStatusError
from okrsync.source import RawExport, SourceStream, decode_export

OKRS = [
    {"id": "o1", "krIds": ["k1", "k2"]},
    {"id": "o2", "parentObjectiveId": "o1", "krIds": ["k3"]},
]
FIRST_KRS = [{"id": "k1", "parentObjectiveId": "o1"}, {"id": "k2", "parentObjectiveId": "o1"}]
# The key results' answer repeats k1 (first answer wins) and adds one whose objective is absent.
SECOND_KRS = [{"id": "k1", "parentObjectiveId": "o1", "name": "later"}, {"id": "k9"}]


class FakeApi:
    """Export answers from memory, recording which were asked for and on which thread."""

    def __init__(self, fail_key_results: bool = False) -> None:
        self.asked: list[tuple[str, str]] = []
        self.fail_key_results = fail_key_results

    def _answer(self, name: str, payload: dict[str, object]) -> RawExport:
        self.asked.append((name, threading.current_thread().name))
        return decode_export(json.dumps(payload).encode())

    def objectives(self) -> RawExport:
        return self._answer("objectives", {"okrs": OKRS, "krs": FIRST_KRS})

    def key_results(self) -> RawExport:
        if self.fail_key_results:
            self.asked.append(("key_results", threading.current_thread().name))
            raise ApiStatusError(503, "/api/v2/api-export/keyResults/byDate")
        return self._answer("key_results", {"krs": SECOND_KRS})

    def by_ids(self, ids: list[str]) -> Iterator[RawExport]:
        yield self._answer(f"by_ids:{','.join(ids)}", {"krs": [{"id": "k3"}]})

    def stream(self) -> SourceStream:
        return SourceStream(self.objectives, self.key_results, self.by_ids)


@pytest.mark.parametrize("prefetch", [True, False])
def test_records_are_the_same_with_and_without_prefetch(prefetch: bool) -> None:
    """Objectives first, first answer wins, missing key results by id; each answer asked once."""
    api = FakeApi()
    source = api.stream()
    records = [(r.label, r.id, r.parent) for r in source.records(prefetch=prefetch)]
    assert records == [
        ("Objective", "o1", None),
        ("Objective", "o2", "o1"),
        ("KeyResult", "k1", "o1"),
        ("KeyResult", "k2", "o1"),
        ("KeyResult", "k9", None),
        ("KeyResult", "k3", "o2"),  # no parent of its own, but o2's krIds list it
    ]
    assert [name for name, _ in api.asked] == ["objectives", "key_results", "by_ids:k3"]
    # The objectives are always fetched in the background; the key results only with prefetch.
    threads = dict(api.asked)
    assert threads["objectives"] == "okrsync-fetch"
    assert (threads["key_results"] == "okrsync-fetch") is prefetch
    assert source.objective_ids == {"o1", "o2"}


def test_start_asks_for_the_first_answer_once() -> None:
    """start() sends the objectives request ahead; records() uses that answer, not a new one."""
    api = FakeApi()
    source = api.stream()
    source.start()
    source.start()
    assert len(list(source.records())) == 6
    assert [name for name, _ in api.asked].count("objectives") == 1


@pytest.mark.parametrize("prefetch", [True, False])
def test_a_failed_prefetch_is_raised_where_the_records_are_read(prefetch: bool) -> None:
    """The key results' error reaches the reader as itself, before any record: both by-date
    answers are read before the first record leaves (the parents they name come first)."""
    api = FakeApi(fail_key_results=True)
    read: list[str] = []

    def read_all() -> None:
        for record in api.stream().records(prefetch=prefetch):
            read.append(record.id)

    with pytest.raises(ApiStatusError, match="503"):
        read_all()
    assert read == []


def test_parents_outside_the_window_are_fetched_by_id_with_theirs() -> None:
    """A parent named outside the window (by an objective or a key result) is fetched by id,
    and its own parent too: the tree is whole. Their key results are not followed."""
    asked: list[list[str]] = []
    outside = {
        "p1": {"id": "p1", "parentObjectiveId": "p0", "krIds": ["kx"]},
        "p0": {"id": "p0"},
        "p9": {"id": "p9"},
    }

    def by_ids(ids: list[str]) -> Iterator[RawExport]:
        asked.append(ids)
        yield decode_export(json.dumps({"okrs": [outside[i] for i in ids]}).encode())

    def first() -> RawExport:
        return decode_export(
            json.dumps({"okrs": [{"id": "o1", "parentObjectiveId": "p1"}]}).encode()
        )

    def second() -> RawExport:
        return decode_export(
            json.dumps({"krs": [{"id": "k1", "parentObjectiveId": "p9"}]}).encode()
        )

    source = SourceStream(first, second, lambda ids: iter(()), by_ids)
    records = [(r.label, r.id, r.parent) for r in source.records()]
    assert records == [
        ("Objective", "o1", "p1"),
        ("Objective", "p1", "p0"),
        ("Objective", "p9", None),
        ("Objective", "p0", None),
        ("KeyResult", "k1", "p9"),
    ]
    assert asked == [["p1", "p9"], ["p0"]]
    assert source.outside_window == ["p1", "p9", "p0"]


def test_unusable_identities_are_quarantined_with_their_key() -> None:
    """A record whose id is unusable is not yielded; its key (when it has one) is kept."""
    okrs = [{"id": "o1", "childObjectiveIds": ["o2"]}, {"id": "o2"}, {"id": None, "key": "O-3"}]
    krs = [{"id": {"x": 1}, "key": "KR-1"}, {"id": ""}]

    def first() -> RawExport:
        return decode_export(json.dumps({"okrs": okrs, "krs": krs}).encode())

    source = SourceStream(first, lambda: decode_export(b"{}"), lambda ids: iter(()))
    records = [(r.label, r.id, r.parent, r.listed) for r in source.records()]
    assert records == [("Objective", "o1", None, False), ("Objective", "o2", "o1", True)]
    assert [(q.label, q.index, q.key) for q in source.quarantined] == [
        ("Objective", 2, "O-3"),
        ("KeyResult", 0, "KR-1"),
        ("KeyResult", 1, None),
    ]


def test_each_answers_lookups_are_added_once() -> None:
    """Both by-date answers' lookup arrays are parsed once per cycle, before the first record
    leaves: an unusable item is described once, and the first answer's name wins."""
    team = {"id": "t1", "name": "Sales"}

    def first() -> RawExport:
        payload = {"okrs": OKRS, "krs": FIRST_KRS, "teams": [team, {"name": "no id"}]}
        return decode_export(json.dumps(payload).encode())

    def second() -> RawExport:
        payload = {"krs": SECOND_KRS, "teams": [{"id": ""}, {**team, "name": "Renamed"}]}
        return decode_export(json.dumps(payload).encode())

    def by_ids(ids: list[str]) -> Iterator[RawExport]:
        yield decode_export(json.dumps({"krs": [{"id": "k3"}], "labels": [{}]}).encode())

    source = SourceStream(first, second, by_ids)
    assert len(list(source.records())) == 6
    assert [where for where, _ in source.lookups.problems] == ["teams[1]", "teams[0]", "labels[0]"]
    assert {i: t.name for i, t in source.lookups.teams.items()} == {"t1": "Sales"}


class Body(bytearray):
    """An answer's body that can be watched for being freed (bytes cannot be weakly referenced)."""


def test_the_second_answer_is_freed_before_the_first_record_leaves() -> None:
    """The key results' answer mostly repeats the objectives' key results: what it adds is
    copied out and its body freed, so a first load never holds both bodies while it writes.
    What it adds still streams, with its own index; an unusable one is still quarantined."""
    second_krs = [*SECOND_KRS, {"id": "k1"}, {"id": None, "key": "KR-7"}, {"id": 12}]
    body = Body(json.dumps({"krs": second_krs}).encode())
    watched = weakref.ref(body)
    answers = [body]

    def second() -> RawExport:
        return decode_export(answers.pop())

    del body
    source = SourceStream(FakeApi().objectives, second, FakeApi().by_ids)
    records = source.records()
    first = next(records)
    gc.collect()
    assert watched() is None
    rest = [(r.label, r.id, r.index, r.parse().name if r.id == "k1" else None) for r in records]
    assert (first.label, first.id) == ("Objective", "o1")
    assert rest == [
        ("Objective", "o2", 1, None),
        ("KeyResult", "k1", 0, None),  # the objectives' answer's k1: first answer wins
        ("KeyResult", "k2", 1, None),
        ("KeyResult", "k9", 1, None),  # krs[1] of the second answer
        ("KeyResult", "12", 4, None),
        ("KeyResult", "k3", 0, None),
    ]
    assert [(q.label, q.index, q.key) for q in source.quarantined] == [("KeyResult", 3, "KR-7")]
