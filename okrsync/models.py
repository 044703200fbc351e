"""Immutable typed records for the OKR API's entities, and their parsing from API JSON.

Parsing is strict about what a sync cannot do without (entity ids: a MalformedPayload naming
the field) and tolerant of everything else: the vendor's payloads carry nulls and absent fields
the spec does not declare, values whose type drifts from the spec, and new fields without
notice. A value that converts without guessing is converted; any other is left out of the
record and described in the problems list its parser was given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from okrsync.errors import MalformedPayload

JsonObject = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Update:
    """A check-in: the status and value an objective or key result was given at a moment."""

    id: str | None
    entity_id: str | None
    status: str | None
    displayed_status: str | None
    created: datetime | None
    value: float | None
    description: str | None
    start_value: float | None
    desired_value: float | None
    source: str | None


@dataclass(frozen=True, slots=True)
class Objective:
    id: str
    key: str | None
    name: str | None
    description: str | None
    link: str | None
    parent_id: str | None
    okr_type_id: str | None
    okr_type_name: str | None
    owner_account_id: str | None
    collaborator_account_ids: tuple[str, ...]
    percent_done: float | None
    created: datetime | None
    start_date: datetime | None
    deadline: datetime | None
    expected_end_date: datetime | None
    label_ids: tuple[str, ...]
    team_ids: tuple[str, ...]
    kr_ids: tuple[str, ...]
    child_objective_ids: tuple[str, ...]
    latest_update: Update | None
    period_id: str | None
    weight: int | None
    final_grade: float | None
    custom_fields_json: str | None


@dataclass(frozen=True, slots=True)
class KeyResult:
    id: str
    key: str | None
    name: str | None
    description: str | None
    link: str | None
    parent_objective_id: str | None
    issue_ids: tuple[str, ...]
    okr_type_id: str | None
    okr_type_name: str | None
    owner_account_id: str | None
    collaborator_account_ids: tuple[str, ...]
    percent_done: float | None
    created: datetime | None
    start_date: datetime | None
    deadline: datetime | None
    expected_end_date: datetime | None
    label_ids: tuple[str, ...]
    team_ids: tuple[str, ...]
    period_id: str | None
    latest_update: Update | None
    unit_name: str | None
    unit_symbol: str | None
    progress_type: str | None
    start_value: float | None
    desired_value: float | None
    jql: str | None
    weight: int | None
    final_grade: float | None
    custom_fields_json: str | None


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str | None


@dataclass(frozen=True, slots=True)
class Period:
    id: str
    name: str | None
    start_date: datetime | None
    deadline: datetime | None


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    name: str | None


@dataclass(frozen=True, slots=True)
class OkrType:
    id: str
    name: str | None
    background_color: str | None
    text_color: str | None


# --- field readers: one place that knows how a value may look on the wire -------------------
#
# Real payloads drift from the spec's types. A value that converts without guessing (an integer
# sent as a float and back when exact, a numeric string, an id sent as a number) is converted;
# anything else is left out and noted in the record's `Ctx`, whose owner decides how to tell.
# Only an unusable identity raises: without it a record cannot be placed at all.


class Ctx:
    """Where the fields being read live, and the problems noted on the way (shared by a
    record's nested objects: `sub`)."""

    __slots__ = ("path", "problems")

    def __init__(self, problems: list[str] | None = None, path: str = "") -> None:
        self.path = path
        self.problems: list[str] = [] if problems is None else problems

    def sub(self, name: str) -> Ctx:
        return Ctx(self.problems, f"{self.path}{name}.")

    def drop(self, key: str, why: str) -> None:
        """Leave the field out, and say why."""
        self.problems.append(f"{self.path}{key}: {why}")


def _kind(value: Any) -> str:
    return f"{type(value).__name__} {value!r:.40}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def _number_text(value: str) -> float | None:
    """A number written as text ("45", " 0.5 "); ASCII digits only, no nan or inf."""
    text = value.strip()
    return float(text) if _DECIMAL.fullmatch(text) else None


def require_id(data: JsonObject, key: str, ctx: str) -> str:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # numeric team ids ("2", "7") have been seen as numbers
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"{_where(ctx, key)} is missing or not a non-empty string")
    return value


def _where(ctx: str, key: str) -> str:
    return f"{ctx}.{key}"


def opt_str(data: JsonObject, key: str, ctx: Ctx) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # an id or a name sent as a number: its text is exact
    ctx.drop(key, f"expected a string, got {_kind(value)}")
    return None


def opt_float(data: JsonObject, key: str, ctx: Ctx) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if _is_number(value):
        return float(value)
    number = _number_text(value) if isinstance(value, str) else None
    if number is None:
        ctx.drop(key, f"expected a number, got {_kind(value)}")
    return number


def opt_int(data: JsonObject, key: str, ctx: Ctx) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = _number_text(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    ctx.drop(key, f"expected an integer, got {_kind(data.get(key))}")
    return None


@lru_cache(maxsize=65536)
def parse_timestamp(text: str) -> datetime:
    """`2021-03-31T23:59:59+0000` (the API's form) or any ISO 8601 form; naive means UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def opt_datetime(data: JsonObject, key: str, ctx: Ctx) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return parse_timestamp(value)
        except ValueError:
            pass
    ctx.drop(key, f"expected a timestamp, got {_kind(value)}")
    return None


def id_list(data: JsonObject, key: str, ctx: Ctx) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        ctx.drop(key, f"expected a list of ids, got {_kind(value)}")
        return ()
    out: list[str] = []
    for raw in value:
        item = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
        if not isinstance(item, str):
            ctx.drop(f"{key}[]", f"expected an id, got {_kind(raw)}")
            continue
        # An empty string refers to nothing: skipped, like a null, rather than failing the sync.
        if item and item not in out:
            out.append(item)
    return tuple(out)


def opt_object(data: JsonObject, key: str, ctx: Ctx) -> JsonObject | None:
    value = data.get(key)
    if value is None or isinstance(value, dict):
        return value
    ctx.drop(key, f"expected an object, got {_kind(value)}")
    return None


def custom_fields_json(data: JsonObject, ctx: Ctx) -> str | None:
    fields = opt_object(data, "customFields", ctx)
    if not fields:
        return None
    # Canonical JSON so that the same values always compare (and hash) equal.
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# --- entity parsers ------------------------------------------------------------------------


def parse_update(data: Any, ctx: str, problems: list[str] | None = None) -> Update:
    if not isinstance(data, dict):
        raise MalformedPayload(f"{ctx} should be an object")
    return _update(data, Ctx(problems))


def _update(data: JsonObject, c: Ctx) -> Update:
    return Update(
        id=opt_str(data, "updateId", c),
        entity_id=opt_str(data, "entityId", c),
        status=opt_str(data, "status", c),
        displayed_status=opt_str(data, "displayedStatus", c),
        created=opt_datetime(data, "created", c),
        value=opt_float(data, "value", c),
        description=opt_str(data, "description", c),
        start_value=opt_float(data, "startValue", c),
        desired_value=opt_float(data, "desiredValue", c),
        source=opt_str(data, "source", c),
    )


def _require_object(data: Any, ctx: str) -> JsonObject:
    if not isinstance(data, dict):
        raise MalformedPayload(f"{ctx} should be an object, got {type(data).__name__}")
    return data


def _entity_fields(data: JsonObject, c: Ctx) -> dict[str, Any]:
    """The fields objectives and key results share, read the same way for both."""
    latest = opt_object(data, "latestUpdate", c)
    return {
        "key": opt_str(data, "key", c),
        "name": opt_str(data, "name", c),
        "description": opt_str(data, "description", c),
        "link": opt_str(data, "link", c),
        "owner_account_id": opt_str(data, "ownerAccountId", c) or None,
        "collaborator_account_ids": id_list(data, "collaboratorAccountIds", c),
        "percent_done": opt_float(data, "percentDone", c),
        "created": opt_datetime(data, "created", c),
        "start_date": opt_datetime(data, "startDate", c),
        "deadline": opt_datetime(data, "deadline", c),
        "expected_end_date": opt_datetime(data, "expectedEndDate", c),
        "label_ids": id_list(data, "labelIds", c),
        "team_ids": id_list(data, "teamIds", c),
        "period_id": opt_str(data, "periodAliasId", c) or None,
        "latest_update": None if latest is None else _update(latest, c.sub("latestUpdate")),
        "weight": opt_int(data, "weight", c),
        "final_grade": opt_float(data, "finalGrade", c),
        "custom_fields_json": custom_fields_json(data, c),
    }


def parse_objective(data: Any, index: int = 0, problems: list[str] | None = None) -> Objective:
    """An objective; fields that cannot be read are left out and described in `problems`."""
    data = _require_object(data, f"okrs[{index}]")
    c = Ctx(problems)
    return Objective(
        id=require_id(data, "id", f"okrs[{index}]"),
        **_entity_fields(data, c),
        parent_id=opt_str(data, "parentObjectiveId", c) or None,
        okr_type_id=opt_str(data, "okrTypeId", c),
        okr_type_name=opt_str(data, "okrTypeName", c),
        kr_ids=id_list(data, "krIds", c),
        child_objective_ids=id_list(data, "childObjectiveIds", c),
    )


def parse_key_result(data: Any, index: int = 0, problems: list[str] | None = None) -> KeyResult:
    """A key result; fields that cannot be read are left out and described in `problems`."""
    data = _require_object(data, f"krs[{index}]")
    c = Ctx(problems)
    unit = opt_object(data, "unit", c) or {}
    progress = opt_object(data, "currentProgressDefinition", c) or {}
    u, p = c.sub("unit"), c.sub("currentProgressDefinition")
    return KeyResult(
        id=require_id(data, "id", f"krs[{index}]"),
        **_entity_fields(data, c),
        parent_objective_id=opt_str(data, "parentObjectiveId", c) or None,
        issue_ids=id_list(data, "issueIds", c),
        okr_type_id=opt_str(data, "typeId", c),
        okr_type_name=opt_str(data, "typeName", c),
        unit_name=opt_str(unit, "name", u),
        unit_symbol=opt_str(unit, "symbol", u),
        progress_type=opt_str(progress, "type", p),
        start_value=opt_float(progress, "startValue", p),
        desired_value=opt_float(progress, "desiredValue", p),
        jql=opt_str(progress, "jql", p),
    )


def parse_team(data: Any, index: int = 0) -> Team:
    data = _require_object(data, f"teams[{index}]")
    return Team(id=require_id(data, "id", f"teams[{index}]"), name=opt_str(data, "name", Ctx()))


def parse_period(data: Any, index: int = 0) -> Period:
    data = _require_object(data, f"periods[{index}]")
    c = Ctx()
    return Period(
        id=require_id(data, "id", f"periods[{index}]"),
        name=opt_str(data, "name", c),
        start_date=opt_datetime(data, "startDate", c),
        deadline=opt_datetime(data, "deadline", c),
    )


def parse_label(data: Any, index: int = 0) -> Label:
    data = _require_object(data, f"labels[{index}]")
    return Label(id=require_id(data, "id", f"labels[{index}]"), name=opt_str(data, "name", Ctx()))


def parse_okr_type(data: Any, index: int = 0) -> OkrType:
    data = _require_object(data, f"okrTypes[{index}]")
    c = Ctx()
    return OkrType(
        id=require_id(data, "id", f"okrTypes[{index}]"),
        name=opt_str(data, "name", c),
        background_color=opt_str(data, "backgroundColor", c),
        text_color=opt_str(data, "textColor", c),
    )


def items(data: JsonObject, key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedPayload(f"{key} should be a list, got {type(value).__name__}")
    return value


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment on a check-in (the API's updateComments feed); replies name their parent."""

    id: str | None
    update_id: str | None
    text: str | None
    author_account_id: str | None
    reply_to_id: str | None
    created: datetime | None
    last_edited: datetime | None


def parse_comment(data: Any, ctx: str) -> Comment:
    if not isinstance(data, dict):
        raise MalformedPayload(f"{ctx} should be an object")
    c = Ctx()
    return Comment(
        id=opt_str(data, "commentId", c),
        update_id=opt_str(data, "updateId", c),
        text=opt_str(data, "text", c),
        author_account_id=opt_str(data, "authorAccountId", c),
        reply_to_id=opt_str(data, "replyToCommentId", c),
        created=opt_datetime(data, "created", c),
        last_edited=opt_datetime(data, "lastEdited", c),
    )


@dataclass(frozen=True, slots=True)
class CommentPage:
    comments: tuple[Comment, ...]
    next_cursor: str | None


def parse_comment_page(data: Any) -> CommentPage:
    if not isinstance(data, dict):
        raise MalformedPayload("updateComments answer should be a JSON object")
    comments = tuple(
        parse_comment(c, f"comments[{i}]") for i, c in enumerate(items(data, "comments"))
    )
    return CommentPage(comments, next_cursor=opt_str(data, "nextCursor", Ctx()) or None)


@dataclass(frozen=True, slots=True)
class UpdatePage:
    updates: tuple[Update, ...]
    next_cursor: str | None


def parse_update_page(data: Any) -> UpdatePage:
    if not isinstance(data, dict):
        raise MalformedPayload("updates answer should be a JSON object")
    updates = tuple(parse_update(u, f"updates[{i}]") for i, u in enumerate(items(data, "updates")))
    return UpdatePage(updates=updates, next_cursor=opt_str(data, "nextCursor", Ctx()) or None)
