"""What the API holds, as a stream of fingerprinted raw records: the cheap first look of a cycle.

An export answer is split into its items without building Python objects for them (msgspec
`Raw` keeps each item as its JSON bytes). Each objective and key result gets a fingerprint of
those bytes; a cycle parses and transforms only the records whose fingerprint differs from the
last committed one. At 100k entities that turns a full parse (seconds, ~1 GB of dicts) into a
split and a hash per record.

The same reader serves the full path (every record parsed), so the two cannot disagree on what
the source holds. `fetch_snapshot` in api.py is built on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
import structlog

from okrsync.errors import MalformedPayload
from okrsync.models import (
    KeyResult,
    Label,
    Objective,
    OkrType,
    Period,
    Snapshot,
    Team,
    parse_key_result,
    parse_label,
    parse_objective,
    parse_okr_type,
    parse_period,
    parse_team,
    require_id,
)
from okrsync.transform import KEY_RESULT, OBJECTIVE

log = structlog.get_logger("okrsync.source")


class RawExport(msgspec.Struct):
    """An ApiExportData answer split into items, each still its JSON text."""

    okrs: list[msgspec.Raw] | None = None
    krs: list[msgspec.Raw] | None = None
    teams: list[msgspec.Raw] | None = None
    periods: list[msgspec.Raw] | None = None
    labels: list[msgspec.Raw] | None = None
    okrTypes: list[msgspec.Raw] | None = None


class _Head(msgspec.Struct):
    """The few fields read from every record, parsed or not."""

    id: Any = None
    parentObjectiveId: Any = None
    krIds: Any = None


_RAW_EXPORT = msgspec.json.Decoder(RawExport)
_HEAD = msgspec.json.Decoder(_Head)
_ANY = msgspec.json.Decoder()


def decode_export(body: bytes | bytearray) -> RawExport:
    """Split an export body; MalformedPayload (ValueError for "not JSON") when it cannot be."""
    try:
        return _RAW_EXPORT.decode(body)
    except msgspec.ValidationError as exc:
        if " - at `" not in str(exc):  # the top level itself
            raise MalformedPayload(f"export answer should be a JSON object: {exc}") from None
        raise MalformedPayload(f"export answer is not the documented shape: {exc}") from None
    except msgspec.DecodeError as exc:
        raise ValueError(str(exc)) from None


def fingerprint(raw: bytes) -> int:
    """64 bits of BLAKE2b over a record's JSON: equal bytes, equal record. Signed, as SQLite
    stores integers."""
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big", signed=True)


@dataclass(frozen=True, slots=True)
class Record:
    """One objective or key result as the API sent it, not yet parsed."""

    label: str
    id: str
    fp: int
    parent: str | None
    raw: bytes  # its own copy: a view would keep the whole 100 MB answer alive
    index: int

    def parse(self) -> Objective | KeyResult:
        data = _ANY.decode(self.raw)
        if self.label == OBJECTIVE:
            return parse_objective(data, self.index)
        return parse_key_result(data, self.index)


def _head(raw: msgspec.Raw, label: str, index: int) -> _Head:
    """id (and parent) of a record; a record without a usable id fails like a full parse."""
    ctx = f"{'okrs' if label == OBJECTIVE else 'krs'}[{index}]"
    try:
        head = _HEAD.decode(raw)
    except msgspec.ValidationError:
        raise MalformedPayload(f"{ctx} should be an object") from None
    head.id = require_id({"id": head.id}, "id", ctx)
    if not isinstance(head.parentObjectiveId, str) or not head.parentObjectiveId:
        head.parentObjectiveId = None
    return head


@dataclass
class Lookups:
    """Teams, periods, labels and OKR types, first answer wins (objectives are asked first)."""

    teams: dict[str, Team] = field(default_factory=dict)
    periods: dict[str, Period] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    okr_types: dict[str, OkrType] = field(default_factory=dict)

    def add(self, export: RawExport) -> None:
        tables: list[tuple[list[msgspec.Raw] | None, dict[str, Any], Callable[[Any, int], Any]]] = [
            (export.teams, self.teams, parse_team),
            (export.periods, self.periods, parse_period),
            (export.labels, self.labels, parse_label),
            (export.okrTypes, self.okr_types, parse_okr_type),
        ]
        for items, table, parse in tables:
            for i, raw in enumerate(items or ()):
                record = parse(_ANY.decode(raw), i)
                table.setdefault(record.id, record)


@dataclass
class SourceStream:
    """Reads the source once per cycle: `records()` yields each entity once, objectives first.

    `objective_ids` is complete before the first key result is yielded (objectives come only
    from the first answer), so a record's parent can be checked as it streams.
    """

    fetch_objectives: Callable[[], RawExport]
    fetch_key_results: Callable[[], RawExport]
    fetch_key_results_by_ids: Callable[[list[str]], Iterator[RawExport]]
    lookups: Lookups = field(default_factory=Lookups)
    objective_ids: set[str] = field(default_factory=set)
    key_result_ids: set[str] = field(default_factory=set)
    unavailable: list[str] = field(default_factory=list)

    def records(self) -> Iterator[Record]:
        # Each answer is read in its own generator: nothing here keeps a reference into an
        # answer once it is done with, so only one export body is in memory at a time.
        wanted: set[str] = set()
        yield from self._first_answer(wanted)
        yield from self._key_results(self.fetch_key_results())
        missing = sorted(wanted - self.key_result_ids)
        if missing:
            for answer in self.fetch_key_results_by_ids(missing):
                yield from self._key_results(answer)
            self.unavailable = sorted(wanted - self.key_result_ids)
            if self.unavailable:
                # The API lists them but will not return them: mirror what exists, say so once.
                log.warning(
                    "api.key_results_unavailable",
                    count=len(self.unavailable),
                    ids=self.unavailable[:20],
                )

    def _first_answer(self, wanted: set[str]) -> Iterator[Record]:
        first = self.fetch_objectives()
        self.lookups.add(first)
        objectives = []
        for i, raw in enumerate(first.okrs or ()):
            head = _head(raw, OBJECTIVE, i)
            if head.id in self.objective_ids:
                continue
            self.objective_ids.add(head.id)
            objectives.append((i, head, raw))
            if isinstance(head.krIds, list):
                wanted.update(k for k in head.krIds if isinstance(k, str) and k)
        # Every objective id is known before the first record leaves: parents can be checked.
        for i, head, raw in objectives:
            data = bytes(raw)
            yield Record(OBJECTIVE, head.id, fingerprint(data), head.parentObjectiveId, data, i)
        yield from self._key_results(first)

    def _key_results(self, answer: RawExport) -> Iterator[Record]:
        self.lookups.add(answer)
        for i, raw in enumerate(answer.krs or ()):
            head = _head(raw, KEY_RESULT, i)
            if head.id in self.key_result_ids:
                continue  # the same record again (first answer wins)
            self.key_result_ids.add(head.id)
            data = bytes(raw)
            yield Record(KEY_RESULT, head.id, fingerprint(data), head.parentObjectiveId, data, i)


def parse_all(stream: SourceStream) -> Snapshot:
    """Every record parsed: the whole Snapshot (tests, the benchmark's reference, repair)."""
    objectives: dict[str, Objective] = {}
    key_results: dict[str, KeyResult] = {}
    for record in stream.records():
        entity = record.parse()
        if isinstance(entity, Objective):
            objectives[entity.id] = entity
        else:
            key_results[entity.id] = entity
    lk = stream.lookups
    return Snapshot(
        objectives=objectives,
        key_results=key_results,
        teams=lk.teams,
        periods=lk.periods,
        labels=lk.labels,
        okr_types=lk.okr_types,
    )
