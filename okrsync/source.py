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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
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
    customFields: list[msgspec.Raw] | None = None


class _Head(msgspec.Struct):
    """The few fields read from every record, parsed or not."""

    id: Any = None
    key: Any = None
    parentObjectiveId: Any = None
    krIds: Any = None
    childObjectiveIds: Any = None


# An item of an answer: a view into its body, or its own copy once the body is gone.
RawItem = msgspec.Raw | bytes

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
    """One objective or key result as the API sent it, not yet parsed.

    `parent` is the objective it hangs under: its own parentObjectiveId, else the objective
    whose krIds / childObjectiveIds list it (`listed`: then the edge comes from another record,
    which the fingerprint must account for)."""

    label: str
    id: str
    fp: int
    parent: str | None
    raw: bytes  # its own copy: a view would keep the whole 100 MB answer alive
    index: int
    listed: bool = False

    def parse(self, problems: list[str] | None = None) -> Objective | KeyResult:
        data = _ANY.decode(self.raw)
        if self.label == OBJECTIVE:
            objective = parse_objective(data, self.index, problems)
            return replace(objective, parent_id=self.parent) if self.listed else objective
        kr = parse_key_result(data, self.index, problems)
        return replace(kr, parent_objective_id=self.parent) if self.listed else kr


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A record whose identity is unusable: it cannot be placed, so it changes nothing. `key`
    (the human key, e.g. OKR-12) is how its last good version is recognised, when it has one."""

    label: str
    index: int
    reason: str
    key: str | None


def _head(raw: RawItem, label: str, index: int) -> _Head:
    """id (and parent) of a record; MalformedPayload when its id is unusable.

    Called for every record of every cycle: the common case costs one decode and two checks.
    """
    try:
        head = _HEAD.decode(raw)
    except msgspec.ValidationError:
        raise MalformedPayload(f"{_ctx(label, index)} should be an object") from None
    if not (isinstance(head.id, str) and head.id):
        head.id = require_id({"id": head.id}, "id", _ctx(label, index))  # numeric, or fails
    head.parentObjectiveId = _parent_id(head.parentObjectiveId)
    return head


def _parent_id(value: Any) -> str | None:
    """A parentObjectiveId as an id: numbers (seen on the wire) as text, anything else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value else None


def _kr_heads(krs: list[msgspec.Raw] | None) -> tuple[set[str | None], set[str]]:
    """The parent ids key results name, and their own usable ids (a cheap decode of each one's
    head)."""
    named: set[str | None] = set()
    ids: set[str] = set()
    for raw in krs or ():
        try:
            head = _HEAD.decode(raw)
        except msgspec.ValidationError:
            continue
        named.add(_parent_id(head.parentObjectiveId))
        if (kr := _usable_id(head.id)) is not None:
            ids.add(kr)
    return named, ids


def _usable_id(value: Any) -> str | None:
    """An id as `require_id` reads it, or None where it would refuse it."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value else None


def _new_key_results(
    krs: list[msgspec.Raw] | None, seen: set[str]
) -> tuple[set[str | None], list[tuple[int, RawItem]]]:
    """The parent ids a second answer's key results name, and those of them not in `seen`,
    each copied out with its index, so the answer's body can go: the key results' answer mostly
    repeats the key results the objectives' answer carried (the simulator's, all of them:
    68 MB at 100k entities). A record whose id is unusable is kept, to be quarantined where it
    streams. One decode of each head."""
    named: set[str | None] = set()
    out: list[tuple[int, RawItem]] = []
    for i, raw in enumerate(krs or ()):
        try:
            head = _HEAD.decode(raw)
        except msgspec.ValidationError:
            out.append((i, bytes(raw)))
            continue
        named.add(_parent_id(head.parentObjectiveId))
        kr = _usable_id(head.id)
        if kr is None or kr not in seen:
            out.append((i, bytes(raw)))
    return named, out


def _ids(value: Any) -> list[str]:
    """The usable ids of a krIds / childObjectiveIds value, whatever it holds."""
    if not isinstance(value, list):
        return []
    out = (str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value)
    return [v for v in out if isinstance(v, str) and v]


def _ctx(label: str, index: int) -> str:
    return f"{'okrs' if label == OBJECTIVE else 'krs'}[{index}]"


@dataclass
class Lookups:
    """Teams, periods, labels and OKR types, first answer wins (objectives are asked first).
    An item without a usable id names nothing: it is skipped and described in `problems`."""

    teams: dict[str, Team] = field(default_factory=dict)
    periods: dict[str, Period] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    okr_types: dict[str, OkrType] = field(default_factory=dict)
    custom_fields: dict[str, str] = field(default_factory=dict)  # id -> name
    problems: list[tuple[str, str]] = field(default_factory=list)

    def fields_digest(self) -> int:
        """A fingerprint of the custom field names: folded into every record's, so renaming a
        field re-derives the properties named after it."""
        if not self.custom_fields:
            return 0
        return fingerprint(repr(sorted(self.custom_fields.items())).encode())

    def add(self, export: RawExport) -> None:
        tables: list[tuple[str, list[msgspec.Raw] | None, dict[str, Any], Callable[..., Any]]] = [
            ("teams", export.teams, self.teams, parse_team),
            ("periods", export.periods, self.periods, parse_period),
            ("labels", export.labels, self.labels, parse_label),
            ("okrTypes", export.okrTypes, self.okr_types, parse_okr_type),
        ]
        for name, items, table, parse in tables:
            for i, raw in enumerate(items or ()):
                try:
                    record = parse(_ANY.decode(raw), i)
                except MalformedPayload as exc:
                    self.problems.append((f"{name}[{i}]", str(exc)))
                    continue
                table.setdefault(record.id, record)
        for raw in export.customFields or ():
            definition = _ANY.decode(raw)
            if not isinstance(definition, dict):
                continue
            fid, title = definition.get("id"), definition.get("name")
            if isinstance(fid, str) and fid and isinstance(title, str) and title:
                self.custom_fields.setdefault(fid, title)


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
        """The value, once: it is not kept here, so the caller decides when it is freed."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        value, self._value = self._value, None
        return cast(T, value)


# Parents outside the window are fetched by id, and theirs, up to this many generations.
MAX_ANCESTRY = 16


@dataclass
class SourceStream:
    """Reads the source once per cycle: `records()` yields each entity once, objectives first.

    `objective_ids` is complete before the first key result is yielded (objectives come only
    from the first answer and the parents it names), so a record's parent can be checked as it
    streams. Alignment is read from both sides: a record's own parentObjectiveId, else the
    objective whose krIds / childObjectiveIds list it (the lowest id, if several do). When both
    sides name a parent and disagree, the record's own pointer wins: it is what the vendor's UI
    edits, the lists are derived from it.
    """

    fetch_objectives: Callable[[], RawExport]
    fetch_key_results: Callable[[], RawExport]
    fetch_key_results_by_ids: Callable[[list[str]], Iterator[RawExport]]
    fetch_objectives_by_ids: Callable[[list[str]], Iterator[RawExport]] | None = None
    lookups: Lookups = field(default_factory=Lookups)
    objective_ids: set[str] = field(default_factory=set)
    key_result_ids: set[str] = field(default_factory=set)
    unavailable: list[str] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    outside_window: list[str] = field(default_factory=list)
    # Given the objectives quarantined, the ids of those they keep in the graph (okrsync.sync):
    # counted as present, so their children stay linked.
    hold: Callable[[list[Quarantined]], set[str]] | None = None
    held_objectives: set[str] = field(default_factory=set)
    # About how many records `records()` yields (known once its first record has left): the
    # objectives, and the most key results any answer or list names. For progress bars.
    expected: int = 0
    _quarantined_fps: set[tuple[str, int]] = field(default_factory=set)
    _listed_kr: dict[str, str] = field(default_factory=dict)
    _listed_child: dict[str, str] = field(default_factory=dict)
    _first: _Background[RawExport] | None = None
    _salt: int = 0

    def start(self) -> None:
        """Ask for the first answer now: the server builds it (~0.7 s at 100k entities) while
        the caller loads its state and counts the graph."""
        if self._first is None:
            self._first = _Background(self.fetch_objectives)

    def records(self, prefetch: bool = True) -> Iterator[Record]:
        """Every record once: objectives (the window's, then the parents any record names
        outside it), then key results. Both by-date answers are read before the first record
        leaves, so the parents they name can be fetched first. With `prefetch`, the key
        results' answer is asked for once the objectives' has fully arrived (still one request
        at a time, as the vendor asks) and travels while the objectives' are scanned."""
        wanted: set[str] = set()
        self.start()
        assert self._first is not None
        first = self._first.result()
        self._first = None
        pending = _Background(self.fetch_key_results) if prefetch else None
        self.lookups.add(first)
        heads: list[_Entry] = []
        self._collect(first.okrs, heads, wanted)
        second = pending.result() if pending else self.fetch_key_results()
        del pending
        self.lookups.add(second)  # every custom field's name known before a record leaves
        self._salt = self.lookups.fields_digest()
        named, carried = _kr_heads(first.krs)
        named.update(h.parentObjectiveId for _, h, _ in heads)
        krs = max(len(wanted), len(first.krs or ()), len(second.krs or ()))
        also_named, more = _new_key_results(second.krs, carried)
        named |= also_named
        del second, carried  # the second body is freed before the first record leaves
        self._fetch_parents(named, heads)
        self.expected = len(heads) + krs
        quarantined = [q for q in self.quarantined if q.label == OBJECTIVE]
        if quarantined and self.hold is not None:
            self.held_objectives = self.hold(quarantined) - self.objective_ids
            self.objective_ids |= self.held_objectives
        yield from self._objectives(heads)
        del heads
        yield from self._key_results(enumerate(first.krs or ()))
        del first
        yield from self._key_results(more)
        del more
        missing = sorted(wanted - self.key_result_ids)
        if missing:
            for answer in self.fetch_key_results_by_ids(missing):
                self.lookups.add(answer)
                yield from self._key_results(enumerate(answer.krs or ()))
            self.unavailable = sorted(wanted - self.key_result_ids)
            if self.unavailable:
                # The API lists them but will not return them: mirror what exists, say so once.
                log.warning(
                    "api.key_results_unavailable",
                    count=len(self.unavailable),
                    ids=self.unavailable[:20],
                )

    def _fetch_parents(self, named: set[str | None], heads: list[_Entry]) -> None:
        """The parents named outside the window, fetched by id, and theirs: the tree is whole."""
        for _ in range(MAX_ANCESTRY):
            outside = sorted(p for p in named - self.objective_ids if p)
            if not outside or self.fetch_objectives_by_ids is None:
                return
            found = len(heads)
            for answer in self.fetch_objectives_by_ids(outside):
                self.lookups.add(answer)
                self._collect(answer.okrs, heads, None)  # their own key results stay out
            if len(heads) == found:
                return
            self.outside_window.extend(h.id for _, h, _ in heads[found:])
            named = {h.parentObjectiveId for _, h, _ in heads[found:]}

    def _collect(
        self, okrs: list[msgspec.Raw] | None, heads: list[_Entry], wanted: set[str] | None
    ) -> None:
        for i, raw in enumerate(okrs or ()):
            head = self._head(raw, OBJECTIVE, i)
            if head is None or head.id in self.objective_ids:
                continue
            self.objective_ids.add(head.id)
            heads.append((i, head, raw))
            for kr in _ids(head.krIds):
                if wanted is not None:
                    wanted.add(kr)
                self._listed_kr[kr] = min(self._listed_kr.get(kr, head.id), head.id)
            for child in _ids(head.childObjectiveIds):
                self._listed_child[child] = min(self._listed_child.get(child, head.id), head.id)
            head.krIds = head.childObjectiveIds = None  # read: 10 MB of lists at 100k entities

    def _objectives(self, heads: list[_Entry]) -> Iterator[Record]:
        for i, head, raw in heads:
            yield self._record(OBJECTIVE, i, head, raw, self._listed_child)

    def _record(
        self, label: str, index: int, head: _Head, raw: RawItem, listing: dict[str, str]
    ) -> Record:
        """A record, its parent its own pointer, else the objective whose list names it."""
        data = bytes(raw)
        parent = head.parentObjectiveId
        listed = parent is None and head.id in listing
        if listed:
            parent = listing[head.id]
        fp = fingerprint(data) ^ self._salt
        return Record(label, head.id, fp, parent, data, index, listed)

    def _key_results(self, krs: Iterable[tuple[int, RawItem]]) -> Iterator[Record]:
        """An answer's key results with their indexes; its lookups were added when it arrived."""
        for i, raw in krs:
            head = self._head(raw, KEY_RESULT, i)
            if head is None or head.id in self.key_result_ids:
                continue  # unusable, or the same record again (first answer wins)
            self.key_result_ids.add(head.id)
            yield self._record(KEY_RESULT, i, head, raw, self._listed_kr)

    def _head(self, raw: RawItem, label: str, index: int) -> _Head | None:
        """A record's head, or None (and the record quarantined) when it cannot be placed."""
        try:
            return _head(raw, label, index)
        except MalformedPayload as exc:
            seen = (label, fingerprint(bytes(raw)))
            if seen in self._quarantined_fps:
                return None  # the same record in a second answer
            self._quarantined_fps.add(seen)
            try:
                key = _HEAD.decode(raw).key
            except msgspec.ValidationError:
                key = None
            usable = key if isinstance(key, str) and key else None
            self.quarantined.append(Quarantined(label, index, str(exc), usable))
            return None


_Entry = tuple[int, _Head, msgspec.Raw]
