"""Check-ins and their comments: how an org's history grows, and goes with what it was about."""

from __future__ import annotations

from datetime import datetime, timedelta

from okrsync.simulator.base import OrgBase
from okrsync.simulator.vocabulary import COMMENTS
from okrsync.simulator.wire import DISPLAYED, STATUSES, Json, fmt, parse_api_time


class OrgHistory(OrgBase):
    """Check-ins (one becomes an entity's latestUpdate) and the comments made on them."""

    def _check_in(
        self,
        entity: Json,
        kind: str,
        when: datetime | None = None,
        status: str | None = None,
        value: float | None = None,
    ) -> Json:
        rng = self.rng
        update: Json = {
            "updateId": self.new_id(),
            "entityId": entity["id"],
            "status": status or rng.choice(STATUSES),
            "created": fmt(when or self.clock),
            "description": rng.choice((None, "", "Weekly check-in", "Blocked on vendor")),
            "source": rng.choice(("MANUAL", "MANUAL", "API", "AUTO")),
        }
        update["displayedStatus"] = DISPLAYED[update["status"]]
        if kind == "keyResult":
            progress = entity.get("currentProgressDefinition") or {}
            update["value"] = value if value is not None else round(rng.uniform(0, 100), 1)
            update["startValue"] = progress.get("startValue")
            update["desiredValue"] = progress.get("desiredValue")
        else:
            update["value"] = None
        history = self.updates.setdefault(entity["id"], [])
        history.append(update)
        self._maybe_comment(update)
        self.feed_version += 1
        history.sort(key=lambda u: u["created"])
        entity["latestUpdate"] = {
            k: history[-1][k] for k in ("entityId", "status", "created", "value", "description")
        }
        return update

    def _maybe_comment(self, update: Json) -> None:
        """About a third of check-ins get a comment, some of those a reply to it."""
        rng = self.comment_rng
        if rng.random() >= 0.35:
            return
        # Hours after the check-in, but not after the clock for a past one: history too.
        when = parse_api_time(update["created"])
        late = max(when, self.clock)
        first = self.add_comment(
            update["updateId"], rng.choice(COMMENTS), min(when + timedelta(hours=2), late)
        )
        if rng.random() < 0.4:
            self.add_comment(
                update["updateId"],
                "Agreed, thanks",
                min(when + timedelta(hours=5), late),
                reply_to=first,
            )

    def add_comment(
        self, update_id: str, text: str, when: datetime, reply_to: str | None = None
    ) -> str:
        self._next_comment += 1
        comment: Json = {
            "commentId": f"c{self.seed & 0xFFFF:04x}{self._next_comment:019x}",
            "updateId": update_id,
            "text": text,
            "authorAccountId": self.comment_rng.choice(self.users),
            "created": fmt(when),
        }
        if reply_to is not None:  # absent rather than null, as the vendor's examples show
            comment["replyToCommentId"] = reply_to
        self.comments.setdefault(update_id, []).append(comment)
        self.feed_version += 1
        return str(comment["commentId"])

    def edit_comment(self, comment_id: str, text: str) -> None:
        comment = next(
            c for cs in self.comments.values() for c in cs if c["commentId"] == comment_id
        )
        comment["text"] = text
        comment["lastEdited"] = fmt(self.clock)
        self.feed_version += 1

    def _drop_history(self, eid: str) -> None:
        """An entity's check-ins and their comments go with it."""
        for update in self.updates.pop(eid, []):
            self.comments.pop(update["updateId"], None)
