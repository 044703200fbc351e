"""Pure: what okrsync keeps of the past — check-in rows from the API's update feed, and the
change journal rows of okrsync's own diffs. Nothing here does I/O."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from okrsync.diff import Plan
from okrsync.models import Comment, Update
from okrsync.schema import ENTITY_LABELS, GROUP_NAMES, RELATIONSHIPS
from okrsync.transform import iso

# Re-ask for check-ins this much older than the newest seen: one created while the previous
# pull ran, or with a clock skew, is not lost. Ids already written are skipped.
OVERLAP = timedelta(minutes=10)
# (type, start, end) -> the owning entity's side and its field in the journal.
JOURNALED_RELS = {(r.type, r.start, r.end): (r.owner, r.journal) for r in RELATIONSHIPS}


@dataclass
class CheckinCursor:
    """Where the check-in feed was left: the newest `created` seen and the ids near it."""

    newest_ms: int | None = None
    recent_ids: set[str] = field(default_factory=set)

    def later_than(self) -> int | None:
        if self.newest_ms is None:
            return None
        return self.newest_ms - int(OVERLAP.total_seconds() * 1000)

    def advance(self, seen: Iterable[tuple[str, int]]) -> CheckinCursor:
        """The cursor after a pull that saw these (id, created ms) pairs."""
        pairs = list(seen)
        newest = max(
            [ms for _, ms in pairs] + ([self.newest_ms] if self.newest_ms else []), default=None
        )
        if newest is None:
            return self
        floor = newest - int(OVERLAP.total_seconds() * 1000)
        recent = {i for i, ms in pairs if ms >= floor} | (
            self.recent_ids if self.newest_ms is not None and self.newest_ms >= floor else set()
        )
        return CheckinCursor(newest, recent)

    def to_json(self) -> dict[str, Any]:
        return {"newest_ms": self.newest_ms, "recent_ids": sorted(self.recent_ids)}

    @classmethod
    def from_json(cls, data: Any) -> CheckinCursor:
        if not isinstance(data, dict) or not isinstance(data.get("recent_ids"), list):
            raise ValueError("not a check-in cursor")
        newest = data.get("newest_ms")
        return cls(newest if isinstance(newest, int) else None, set(data["recent_ids"]))


def update_row(u: Update) -> dict[str, Any] | None:
    """A check-in as a row for cypher/history/merge_updates; None when it cannot be placed."""
    if not u.id or not u.entity_id or u.created is None:
        return None
    props = {
        "id": u.id,
        "entityId": u.entity_id,
        "status": u.status,
        "displayedStatus": u.displayed_status,
        "value": u.value,
        "startValue": u.start_value,
        "desiredValue": u.desired_value,
        "description": u.description,
        "source": u.source,
        "created": iso(u.created),
    }
    return {
        "id": u.id,
        "entityId": u.entity_id,
        "props": {k: v for k, v in props.items() if v is not None},
    }


def created_ms(u: Update | Comment) -> int:
    assert u.created is not None
    return int(u.created.timestamp() * 1000)


def comment_row(c: Comment) -> dict[str, Any] | None:
    """A comment as a row for cypher/history/merge_comments; None when it cannot be placed."""
    if not c.id or not c.update_id or c.created is None:
        return None
    props = {
        "id": c.id,
        "updateId": c.update_id,
        "text": c.text,
        "authorAccountId": c.author_account_id,
        "replyToId": c.reply_to_id,
        "created": iso(c.created),
        "lastEdited": iso(c.last_edited),
    }
    return {
        "id": c.id,
        "updateId": c.update_id,
        "replyTo": c.reply_to_id,
        "props": {k: v for k, v in props.items() if v is not None},
    }


def _change_row(
    entity_type: str,
    entity_id: str,
    kind: str,
    at: str | None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    """One (:Change) row; absent values are absent properties."""
    row = {
        "entityType": entity_type,
        "entityId": entity_id,
        "kind": kind,
        "field": field,
        "old": old,
        "new": new,
        "at": at,
        **extra,
    }
    return {k: v for k, v in row.items() if v is not None}


def _node_changes(plan: Plan, at: str | None) -> Iterator[dict[str, Any]]:
    for c in plan.nodes:
        if c.label not in ENTITY_LABELS:
            continue
        if c.kind == "updated":
            for field_name, (old, new) in c.fields.items():
                if field_name in GROUP_NAMES:  # a label that follows the status, not a field
                    continue
                yield _change_row(c.label, c.id, "updated", at, field_name, old, new)
        elif c.kind == "created":
            yield _change_row(
                c.label, c.id, "created", at, key=c.props.get("key"), name=c.props.get("name")
            )
        else:
            remembered = {k: old for k, (old, _) in c.fields.items()}
            yield _change_row(
                c.label,
                c.id,
                "deleted",
                at,
                key=remembered.get("key"),
                name=remembered.get("name"),
            )


def _relationship_changes(plan: Plan, at: str | None) -> Iterator[dict[str, Any]]:
    for kind, rels in (("unlinked", plan.unlinked), ("linked", plan.linked)):
        side = "old" if kind == "unlinked" else "new"
        for r in rels:
            owner, field_name = JOURNALED_RELS[r.type, r.from_label, r.to_label]
            if owner == "start":
                label, entity, far_label, far = r.from_label, r.from_id, r.to_label, r.to_id
            else:
                label, entity, far_label, far = r.to_label, r.to_id, r.from_label, r.from_id
            # oldKey / oldName, newKey / newName: the far end as a person names it.
            names = plan.names.get((kind, far_label, far), {})
            yield _change_row(
                label,
                entity,
                kind,
                at,
                field_name,
                **{side: far},
                **{side + k.capitalize(): v for k, v in names.items()},
            )


def journal(
    plan: Plan, run_id: str, started: datetime, finished: datetime, per_field: bool
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The SyncRun row and its Change rows (objectives and key results only).

    `per_field` False (the first mirror of an org) records the run's counts alone: a hundred
    thousand "created" entries would say nothing a person wants to read.
    """
    at = iso(finished)
    run = {"id": run_id, "startedAt": iso(started), "finishedAt": at, **plan.summary()}
    if not per_field:
        return run, []
    return run, [*_node_changes(plan, at), *_relationship_changes(plan, at)]
