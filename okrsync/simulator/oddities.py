"""The messy org's catalogue: which fields may be null, the timestamp styles, the odd types.

Every value here is a function of the stored one, so a record keeps its mess through later edits
(`percentDone: "45"` follows the progress) and the same org always serves the same bytes.
Only what `DEVIATIONS` lists breaks the vendor's spec; the rest is what the spec allows and real
payloads do (NOTES.md: any field but the ids may be null or absent).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta, timezone
from typing import Any, Final

from okrsync.simulator.wire import Json, parse_api_time


class Absent:
    """The served record leaves the field out (ABSENT is the one instance)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = Absent()
# The stored value -> the served one, or ABSENT.
Transform = Callable[[Any], Any]

# What a record of each kind may carry null or leave out: every property of its schema in
# openapi.json but the ids (tests/spec.py ID_FIELDS); a dot reaches into a nested object.
_UPDATE = (
    "status",
    "displayedStatus",
    "created",
    "value",
    "description",
    "startValue",
    "desiredValue",
    "source",
)
_ENTITY = (
    "key",
    "name",
    "link",
    "description",
    "parentObjectiveId",
    "ownerAccountId",
    "collaboratorAccountIds",
    "percentDone",
    "created",
    "startDate",
    "deadline",
    "expectedEndDate",
    "labelIds",
    "teamIds",
    "periodAliasId",
    "latestUpdate",
    "weight",
    "finalGrade",
    "customFields",
    *(f"latestUpdate.{name}" for name in _UPDATE),
)
OPTIONAL_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "objective": (
        *_ENTITY,
        "okrTypeId",
        "okrTypeName",
        "krIds",
        "childObjectiveIds",
        "iconBackgroundColor",
        "iconTextColor",
    ),
    "keyResult": (
        *_ENTITY,
        "issueIds",
        "typeId",
        "typeName",
        "unit",
        "currentProgressDefinition",
        "unit.name",
        "unit.symbol",
        "currentProgressDefinition.type",
        "currentProgressDefinition.startValue",
        "currentProgressDefinition.desiredValue",
        "currentProgressDefinition.jql",
    ),
    "update": _UPDATE,
    "comment": ("text", "authorAccountId", "replyToCommentId", "created", "lastEdited"),
    "team": ("name",),
    "label": ("name",),
    "period": ("name", "startDate", "deadline"),
    "okrType": ("name", "backgroundColor", "textColor"),
    "customField": (
        "name",
        "type",
        "applicableGoalTypes",
        "description",
        "selectOptions",
        "multipleUsers",
        "maxLength",
        "displayOrder",
    ),
}

# The date-time fields of each kind, which a timestamp style rewrites.
TIME_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "objective": ("created", "startDate", "deadline", "expectedEndDate", "latestUpdate.created"),
    "keyResult": ("created", "startDate", "deadline", "expectedEndDate", "latestUpdate.created"),
    "update": ("created",),
    "comment": ("created", "lastEdited"),
    "period": ("startDate", "deadline"),
}

# The same instant in the vendor's form (+HHMM, no colon) at another offset and/or with Java's
# milliseconds (.SSS). Stored instants are whole seconds, so the milliseconds read .000 and every
# style names exactly the stored instant: the feeds' order and laterThan stay true.
TIME_STYLES: Final[dict[str, tuple[int, bool]]] = {
    "+0200": (120, False),
    "-0500": (-300, False),
    "+0530": (330, False),
    ".000+0000": (0, True),
    ".000-0330": (-210, True),
}


def restyle(text: Any, style: str) -> Any:
    """A stored +0000 timestamp written in `style`; anything else is served as it is."""
    if not isinstance(text, str):
        return text
    minutes, millis = TIME_STYLES[style]
    local = parse_api_time(text).astimezone(timezone(timedelta(minutes=minutes)))
    return local.strftime("%Y-%m-%dT%H:%M:%S") + (".000" if millis else "") + local.strftime("%z")


def _number_of(text: Any) -> Any:
    """An id as the number its last eight hex digits spell (the org's counter, for its ids)."""
    return int(text[-8:], 16) if isinstance(text, str) else 0


def _as_string(number: Any) -> Any:
    return f"{number:g}" if isinstance(number, int | float) else str(number)


def _as_document(html: Any) -> Json:
    """A description as an Atlassian document: an object where the spec says string."""
    text = re.sub(r"<[^>]+>", " ", html or "").replace("&amp;", "&").split()
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": " ".join(text)}]}
    return {"type": "doc", "version": 1, "content": [paragraph]}


# Field -> (served value, what is wrong with it); for objectives and key results alike.
ODD_TYPES: Final[dict[str, tuple[Transform, str]]] = {
    "weight": (lambda _: 0.5, "0.5, a fraction where the spec says integer"),
    "percentDone": (_as_string, 'the stored number as a string ("45")'),
    "deadline": (lambda _: "TBD", "text that is no date where the spec says date-time"),
    "parentObjectiveId": (_number_of, "an integer where the spec says string"),
    "ownerAccountId": (_number_of, "an integer where the spec says string"),
    "description": (_as_document, "an object (Atlassian document) where the spec says string"),
}

# The field that names a record of each kind, and how a record's identity can be unusable.
IDENTITY_FIELD: Final = {"objective": "id", "keyResult": "id", "update": "updateId"}
UNUSABLE_IDS: Final[dict[str, tuple[Transform, str]]] = {
    "null": (lambda _: None, "null"),
    "object": (lambda stored: {"$oid": stored}, 'an object ({"$oid": ...}), not a string'),
}

# Every way the messy org breaks openapi.json (what validation against it must report, and
# nothing else): (record kind, field) -> why.
DEVIATIONS: Final[dict[tuple[str, str], str]] = {
    **{
        (kind, field): why
        for kind in ("objective", "keyResult")
        for field, (_, why) in ODD_TYPES.items()
    },
    **dict.fromkeys(IDENTITY_FIELD.items(), "an unusable identity: null or an object"),
}
