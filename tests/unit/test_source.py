"""The source reader's fetch order: answers asked for ahead of use, errors raised where read."""

from __future__ import annotations

import json
import threading
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
