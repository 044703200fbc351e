"""What the API holds, as a stream of fingerprinted raw records: the cheap first look of a cycle.

An export answer is split into its items without building Python objects for them (msgspec
`Raw` keeps each item as its JSON bytes). Each objective and key result gets a fingerprint of
those bytes; a cycle parses and transforms only the records whose fingerprint differs from the
last committed one. At 100k entities that turns a full parse (seconds, ~1 GB of dicts) into a
split and a hash per record.

The same reader serves the full path (every record parsed), so the two cannot disagree on what
the source holds (okrsync.testing reads a whole snapshot through it).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

import msgspec
import structlog

from okrsync.errors import MalformedPayload
from okrsync.models import (
    KeyResult,
    Label,
    Objective,
    OkrType,
    Period,
    Team,
    parse_key_result,
    parse_label,
    parse_objective,
    parse_okr_type,
    parse_period,
    parse_team,
    require_id,
)
from okrsync.schema import KEY_RESULT, OBJECTIVE

log = structlog.get_logger("okrsync.source")
T = TypeVar("T")


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
    """id (and parent) of a record; a record without a usable id fails like a full parse.

    Called for every record of every cycle: the common case costs one decode and two checks.
    """
    try:
        head = _HEAD.decode(raw)
    except msgspec.ValidationError:
        raise MalformedPayload(f"{_ctx(label, index)} should be an object") from None
    if not (isinstance(head.id, str) and head.id):
        head.id = require_id({"id": head.id}, "id", _ctx(label, index))  # numeric, or fails
    if not (isinstance(head.parentObjectiveId, str) and head.parentObjectiveId):
        head.parentObjectiveId = None
    return head


def _ctx(label: str, index: int) -> str:
    return f"{'okrs' if label == OBJECTIVE else 'krs'}[{index}]"


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


class _Background(Generic[T]):
    """One call on a daemon thread; `result()` waits for it and raises what it raised.

    Not a ThreadPoolExecutor: its threads are joined at exit, so a run that fails elsewhere
    (Neo4j down) would wait for an export still on its way. A daemon thread is dropped."""

    def __init__(self, call: Callable[[], T]) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(call,), name="okrsync-fetch", daemon=True
        )
        self._thread.start()

    def _run(self, call: Callable[[], T]) -> None:
        try:
            self._value = call()
        except BaseException as exc:  # handed to the caller's thread
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return cast(T, self._value)


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
    _first: _Background[RawExport] | None = None

    def start(self) -> None:
        """Ask for the first answer now: the server builds it (~0.7 s at 100k entities) while
        the caller loads its state and counts the graph."""
        if self._first is None:
            self._first = _Background(self.fetch_objectives)

    def records(self, prefetch: bool = True) -> Iterator[Record]:
        """Every record once. With `prefetch`, the key results' answer is asked for once the
        objectives' has fully arrived (still one request at a time, as the vendor asks) and
        travels while the objectives are read, hiding the server's time to build it (~0.4 s
        at 100k entities) at the cost of holding both answers (~170 MB) for a while. Worth it
        when reading is quick (a steady cycle), not on a first load, where reading the
        objectives takes as long as writing them."""
        # Each answer is read in its own generator: nothing here keeps a reference into an
        # answer once it is done with.
        wanted: set[str] = set()
        self.start()
        assert self._first is not None
        first = self._first.result()
        self._first = None
        pending = _Background(self.fetch_key_results) if prefetch else None
        yield from self._first_answer(first, wanted)
        del first
        second = pending.result() if pending else self.fetch_key_results()
        yield from self._key_results(second)
        del second
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

    def _first_answer(self, first: RawExport, wanted: set[str]) -> Iterator[Record]:
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
