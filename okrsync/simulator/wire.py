"""The API's wire forms the simulator speaks: JSON entities, check-in statuses, timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

Json = dict[str, Any]

STATUSES = (
    "ON_TRACK",
    "AT_RISK",
    "ACTION_REQUIRED",
    "NOT_STARTED",
    "SUCCESS",
    "FINISHED",
    "ASSUMPTIONS_CHANGED",
    "DELAYED",
    "CANCELED",
    "FAILED",
    "UNDEFINED",
    "MISSED_TARGET",
)
DISPLAYED = {s: s.replace("_", " ").title() for s in STATUSES} | {"ACTION_REQUIRED": "Off Track"}


def fmt(moment: datetime) -> str:
    """The API's timestamp form: 2021-03-31T23:59:59+0000."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


@lru_cache(maxsize=65536)
def parse_api_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")


def epoch_ms(text: str | None) -> int | None:
    if text is None:
        return None
    return int(parse_api_time(text).timestamp() * 1000)
