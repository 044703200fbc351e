"""Immutable typed records for the OKR API's entities, and their parsing from API JSON.

Parsing is strict about what a sync cannot do without (entity ids) and tolerant of everything
else: the vendor's payloads carry nulls and absent fields the spec does not declare, and new
fields appear without notice. Every failure is a MalformedPayload naming the field.
"""

from __future__ import annotations

import json
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


def _where(ctx: str, key: str) -> str:
    return f"{ctx}.{key}"


def require_id(data: JsonObject, key: str, ctx: str) -> str:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # numeric team ids ("2", "7") have been seen as numbers
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"{_where(ctx, key)} is missing or not a non-empty string")
    return value


def opt_str(data: JsonObject, key: str, ctx: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise MalformedPayload(f"{_where(ctx, key)} should be a string, got {type(value).__name__}")


def opt_float(data: JsonObject, key: str, ctx: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedPayload(f"{_where(ctx, key)} should be a number, got {type(value).__name__}")
    return float(value)


def opt_int(data: JsonObject, key: str, ctx: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedPayload(f"{_where(ctx, key)} should be an integer, got {value!r:.40}")
    return value


@lru_cache(maxsize=65536)
def parse_timestamp(text: str) -> datetime:
    """`2021-03-31T23:59:59+0000` (the API's form) or any ISO 8601 form; naive means UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def opt_datetime(data: JsonObject, key: str, ctx: str) -> datetime | None:
    text = opt_str(data, key, ctx)
    if text is None:
        return None
    try:
        return parse_timestamp(text)
    except ValueError:
        raise MalformedPayload(f"{_where(ctx, key)} is not a timestamp: {text!r:.60}") from None


def id_list(data: JsonObject, key: str, ctx: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise MalformedPayload(f"{_where(ctx, key)} should be a list")
    out: list[str] = []
    for raw in value:
        item = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
        if not isinstance(item, str):
            raise MalformedPayload(f"{_where(ctx, key)} holds a non-string id: {item!r:.40}")
        # An empty string refers to nothing: skipped, like a null, rather than failing the sync.
        if item and item not in out:
            out.append(item)
    return tuple(out)


def opt_object(data: JsonObject, key: str, ctx: str) -> JsonObject | None:
    value = data.get(key)
    if value is None or isinstance(value, dict):
        return value
    raise MalformedPayload(f"{_where(ctx, key)} should be an object")


def custom_fields_json(data: JsonObject, ctx: str) -> str | None:
    fields = opt_object(data, "customFields", ctx)
    if not fields:
        return None
    # Canonical JSON so that the same values always compare (and hash) equal.
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# --- entity parsers ------------------------------------------------------------------------


def parse_update(data: Any, ctx: str) -> Update:
    if not isinstance(data, dict):
        raise MalformedPayload(f"{ctx} should be an object")
    return Update(
        id=opt_str(data, "updateId", ctx),
        entity_id=opt_str(data, "entityId", ctx),
        status=opt_str(data, "status", ctx),
        displayed_status=opt_str(data, "displayedStatus", ctx),
        created=opt_datetime(data, "created", ctx),
        value=opt_float(data, "value", ctx),
        description=opt_str(data, "description", ctx),
        start_value=opt_float(data, "startValue", ctx),
        desired_value=opt_float(data, "desiredValue", ctx),
        source=opt_str(data, "source", ctx),
    )


def _latest_update(data: JsonObject, ctx: str) -> Update | None:
    raw = data.get("latestUpdate")
    return None if raw is None else parse_update(raw, f"{ctx}.latestUpdate")


def _require_object(data: Any, ctx: str) -> JsonObject:
    if not isinstance(data, dict):
        raise MalformedPayload(f"{ctx} should be an object, got {type(data).__name__}")
    return data


def _entity_fields(data: JsonObject, ctx: str) -> dict[str, Any]:
    """The fields objectives and key results share, read the same way for both."""
    return {
        "key": opt_str(data, "key", ctx),
        "name": opt_str(data, "name", ctx),
        "description": opt_str(data, "description", ctx),
        "link": opt_str(data, "link", ctx),
        "owner_account_id": opt_str(data, "ownerAccountId", ctx) or None,
        "collaborator_account_ids": id_list(data, "collaboratorAccountIds", ctx),
        "percent_done": opt_float(data, "percentDone", ctx),
        "created": opt_datetime(data, "created", ctx),
        "start_date": opt_datetime(data, "startDate", ctx),
        "deadline": opt_datetime(data, "deadline", ctx),
        "expected_end_date": opt_datetime(data, "expectedEndDate", ctx),
        "label_ids": id_list(data, "labelIds", ctx),
        "team_ids": id_list(data, "teamIds", ctx),
        "period_id": opt_str(data, "periodAliasId", ctx) or None,
        "latest_update": _latest_update(data, ctx),
        "weight": opt_int(data, "weight", ctx),
        "final_grade": opt_float(data, "finalGrade", ctx),
        "custom_fields_json": custom_fields_json(data, ctx),
    }


def parse_objective(data: Any, index: int = 0) -> Objective:
    ctx = f"okrs[{index}]"
    data = _require_object(data, ctx)
    oid = require_id(data, "id", ctx)
    ctx = f"objective {oid}"
    return Objective(
        id=oid,
        **_entity_fields(data, ctx),
        parent_id=opt_str(data, "parentObjectiveId", ctx) or None,
        okr_type_id=opt_str(data, "okrTypeId", ctx),
        okr_type_name=opt_str(data, "okrTypeName", ctx),
        kr_ids=id_list(data, "krIds", ctx),
        child_objective_ids=id_list(data, "childObjectiveIds", ctx),
    )


def parse_key_result(data: Any, index: int = 0) -> KeyResult:
    ctx = f"krs[{index}]"
    data = _require_object(data, ctx)
    kid = require_id(data, "id", ctx)
    ctx = f"key result {kid}"
    unit = opt_object(data, "unit", ctx) or {}
    progress = opt_object(data, "currentProgressDefinition", ctx) or {}
    return KeyResult(
        id=kid,
        **_entity_fields(data, ctx),
        parent_objective_id=opt_str(data, "parentObjectiveId", ctx) or None,
        issue_ids=id_list(data, "issueIds", ctx),
        okr_type_id=opt_str(data, "typeId", ctx),
        okr_type_name=opt_str(data, "typeName", ctx),
        unit_name=opt_str(unit, "name", f"{ctx}.unit"),
        unit_symbol=opt_str(unit, "symbol", f"{ctx}.unit"),
        progress_type=opt_str(progress, "type", f"{ctx}.currentProgressDefinition"),
        start_value=opt_float(progress, "startValue", f"{ctx}.currentProgressDefinition"),
        desired_value=opt_float(progress, "desiredValue", f"{ctx}.currentProgressDefinition"),
        jql=opt_str(progress, "jql", f"{ctx}.currentProgressDefinition"),
    )


def parse_team(data: Any, index: int = 0) -> Team:
    data = _require_object(data, f"teams[{index}]")
    tid = require_id(data, "id", f"teams[{index}]")
    return Team(id=tid, name=opt_str(data, "name", f"team {tid}"))


def parse_period(data: Any, index: int = 0) -> Period:
    data = _require_object(data, f"periods[{index}]")
    pid = require_id(data, "id", f"periods[{index}]")
    ctx = f"period {pid}"
    return Period(
        id=pid,
        name=opt_str(data, "name", ctx),
        start_date=opt_datetime(data, "startDate", ctx),
        deadline=opt_datetime(data, "deadline", ctx),
    )


def parse_label(data: Any, index: int = 0) -> Label:
    data = _require_object(data, f"labels[{index}]")
    lid = require_id(data, "id", f"labels[{index}]")
    return Label(id=lid, name=opt_str(data, "name", f"label {lid}"))


def parse_okr_type(data: Any, index: int = 0) -> OkrType:
    data = _require_object(data, f"okrTypes[{index}]")
    tid = require_id(data, "id", f"okrTypes[{index}]")
    ctx = f"okr type {tid}"
    return OkrType(
        id=tid,
        name=opt_str(data, "name", ctx),
        background_color=opt_str(data, "backgroundColor", ctx),
        text_color=opt_str(data, "textColor", ctx),
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
    return Comment(
        id=opt_str(data, "commentId", ctx),
        update_id=opt_str(data, "updateId", ctx),
        text=opt_str(data, "text", ctx),
        author_account_id=opt_str(data, "authorAccountId", ctx),
        reply_to_id=opt_str(data, "replyToCommentId", ctx),
        created=opt_datetime(data, "created", ctx),
        last_edited=opt_datetime(data, "lastEdited", ctx),
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
    return CommentPage(comments, next_cursor=opt_str(data, "nextCursor", "comments") or None)


@dataclass(frozen=True, slots=True)
class UpdatePage:
    updates: tuple[Update, ...]
    next_cursor: str | None


def parse_update_page(data: Any) -> UpdatePage:
    if not isinstance(data, dict):
        raise MalformedPayload("updates answer should be a JSON object")
    updates = tuple(parse_update(u, f"updates[{i}]") for i, u in enumerate(items(data, "updates")))
    return UpdatePage(updates=updates, next_cursor=opt_str(data, "nextCursor", "updates") or None)
