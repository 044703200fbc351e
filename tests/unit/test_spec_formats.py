"""The tests' spec validation checks date-time formats, in the vendor's form (tests/spec.py)."""

from __future__ import annotations

import pytest

from tests.spec import validator


def problems(record: dict[str, object]) -> list[tuple[list[object], str]]:
    return [
        (list(e.absolute_path), e.validator)
        for e in validator("ApiExportObjective").iter_errors(record)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2021-03-31T23:59:59+0000",  # NOTES.md, the spec's examples, the example response
        "2021-03-31T23:59:59+0530",
        "2021-03-31T23:59:59-0500",
        "2021-03-31T23:59:59.000+0000",
        "2024-02-29T12:00:00.123-0330",
    ],
)
def test_the_vendors_timestamps_are_valid(text: str) -> None:
    """+HHMM offsets, with or without milliseconds, on real calendar dates."""
    assert problems({"id": "o1", "created": text, "deadline": text}) == []


@pytest.mark.parametrize(
    "text",
    [
        "2021-02-30T00:00:00+0000",  # no such day
        "2021-03-31T24:00:00+0000",  # no such hour
        "2021-03-31 23:59:59+0000",  # no T
        "2021-03-31T23:59:59",  # no offset
        "2021-03-31T23:59:59+00:00",  # RFC 3339's offset, not the vendor's
        "2021-03-31T23:59:59Z",
        "2021-03-31T23:59:59.5+0000",  # Java writes milliseconds as three digits
        "2021-03-31",
        "TBD",
    ],
)
def test_a_malformed_timestamp_is_rejected(text: str) -> None:
    """A date-time field holding anything else fails validation, at that field."""
    assert problems({"id": "o1", "created": text}) == [(["created"], "anyOf")]


def test_a_non_string_date_time_fails_on_its_type() -> None:
    """A number where a timestamp belongs is a type error, not a format one."""
    assert problems({"id": "o1", "startDate": 1617235199000}) == [(["startDate"], "anyOf")]
