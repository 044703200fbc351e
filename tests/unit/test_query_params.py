"""Typed query parameters: each header declares a type, and the type alone turns what a user
typed into the value a query receives (no guessing from the look of the text)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from okrsync import queries
from okrsync.errors import OkrsyncError
from okrsync.params import ParamError, convert, param_type

HEADER = """// @title T
// @description D
// @param issue string required the Jira issue id
// @param days integer 14 how many days
// @param asOf instant null the moment (unset: now)
// @param statuses list<string> ["AT_RISK", "ACTION_REQUIRED"] statuses
MATCH (n) RETURN n
"""


def value(type_name: str, text: Any) -> Any:
    return convert(param_type(type_name), "p", text, "--param p=")


@pytest.mark.parametrize(
    ("type_name", "text", "expected"),
    [
        ("string", "10001", "10001"),  # issue 21: a numeric-looking id stays a string
        ("string", "2026", "2026"),  # a period named 2026
        ("string", "true", "true"),  # a label called true
        ("string", "null", "null"),
        ("string", '["A"]', '["A"]'),
        ("integer", "30", 30),
        ("integer", "-2", -2),
        ("integer", 7, 7),
        ("number", "12.5", 12.5),
        ("number", "30", 30.0),
        ("number", 3, 3.0),
        ("boolean", "true", True),
        ("boolean", "FALSE", False),
        ("boolean", False, False),
        ("list<string>", "AT_RISK,ACTION_REQUIRED", ["AT_RISK", "ACTION_REQUIRED"]),
        ("list<string>", " AT_RISK , ", ["AT_RISK"]),
        ("list<string>", '["A, B", "10001"]', ["A, B", "10001"]),
        ("list<string>", ("A", "B"), ["A", "B"]),
        ("instant", "2026-03-15", datetime(2026, 3, 15, tzinfo=UTC)),
        ("instant", "2026-03-15T00:00:00Z", datetime(2026, 3, 15, tzinfo=UTC)),
        ("instant", "2026-03-15T09:30:00+02:00", datetime(2026, 3, 15, 7, 30, tzinfo=UTC)),
        ("instant", "2026-03-15T09:30", datetime(2026, 3, 15, 9, 30, tzinfo=UTC)),
        ("instant", date(2026, 3, 15), datetime(2026, 3, 15, tzinfo=UTC)),
        ("instant", datetime(2026, 3, 15, 9), datetime(2026, 3, 15, 9, tzinfo=UTC)),
    ],
)
def test_values_are_converted_by_their_type(type_name: str, text: Any, expected: Any) -> None:
    """Command-line text (or a Python value of the type) becomes the type's value, exactly."""
    got = value(type_name, text)
    assert (got, type(got)) == (expected, type(expected))
    if isinstance(got, datetime):
        assert got.utcoffset() is not None and got.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("param", "text", "message"),
    [
        ("days", "abc", "--param days=abc: days takes an integer, e.g. --param days=14"),
        ("days", "1.5", "--param days=1.5: days takes an integer, e.g. --param days=14"),
        (
            "asOf",
            "yesterday",
            "--param asOf=yesterday: asOf takes an instant (a date, midnight UTC, or an ISO 8601 "
            "date-time; no offset means UTC), e.g. --param asOf=2026-03-15",
        ),
        (
            "statuses",
            "[1, 2]",
            "--param statuses=[1, 2]: statuses takes a list of strings (comma-separated, or a "
            "JSON list), e.g. --param statuses=AT_RISK,ACTION_REQUIRED",
        ),
        ("issue", 10001, "--param issue=10001 (int): issue takes a string, e.g. --param issue="),
    ],
)
def test_a_value_that_does_not_fit_is_one_line(param: str, text: Any, message: str) -> None:
    """The parameter, what it takes and an example that fits, in one line."""
    query = queries.parse_header("t", HEADER)
    with pytest.raises(ParamError) as caught:
        queries.bind(query, {"issue": "10001", param: text})
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("type_name", "text"),
    [("number", "nan"), ("number", "x"), ("boolean", "yes"), ("instant", "2026")],
)
def test_more_values_that_do_not_fit(type_name: str, text: str) -> None:
    with pytest.raises(ParamError, match=re.escape(f"--param p={text}: p takes")):
        value(type_name, text)


def test_header_declares_type_default_and_description() -> None:
    """Each @param line gives a name, a type, a default (or `required`) and what it is."""
    query = queries.parse_header("t", HEADER)
    got = [(p.name, p.type.name, p.default, p.description) for p in query.params]
    assert got == [
        ("issue", "string", queries.REQUIRED, "the Jira issue id"),
        ("days", "integer", 14, "how many days"),
        ("asOf", "instant", None, "the moment (unset: now)"),
        ("statuses", "list<string>", ["AT_RISK", "ACTION_REQUIRED"], "statuses"),
    ]
    assert queries.bind(query, {"issue": "10001", "asOf": "2026-03-15"}) == {
        "issue": "10001",
        "days": 14,
        "asOf": datetime(2026, 3, 15, tzinfo=UTC),
        "statuses": ["AT_RISK", "ACTION_REQUIRED"],
    }


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("// @param days 14 no type", "@param days: unknown type '14'"),
        ('// @param days integer "abc" x', 'the default "abc" is not an integer'),
        ("// @param days integer soon x", "the default is neither JSON nor `required`"),
        ("// @param org string required x", "$org is the organisation, set by okrsync"),
    ],
)
def test_a_bad_header_names_the_file_and_the_parameter(line: str, message: str) -> None:
    with pytest.raises(OkrsyncError) as caught:
        queries.parse_header("bad", f"// @title T\n{line}\nRETURN 1\n")
    assert str(caught.value).startswith("cypher/queries/bad.cypher: @param ")
    assert message in str(caught.value)


def test_every_library_parameter_is_typed_and_used() -> None:
    """The library loads (every default fits its type); each $name in a query's text is
    declared, each declared parameter is used, and ids and names are strings."""
    strings = {"issue", "kr", "accountId", "period"}
    for query in queries.library().values():
        body = "\n".join(
            line for line in query.text.splitlines() if not line.lstrip().startswith("//")
        )
        used = set(re.findall(r"\$(\w+)", body)) - {"org"}
        assert used == {p.name for p in query.params}, query.name
        # the one question across organisations reads every organisation, on purpose
        assert ("$org" in body) == (query.name != "person_across_orgs"), query.name
        for p in query.params:
            assert p.name not in strings or p.type.name == "string", (query.name, p.name)
            if p.type.name == "instant":  # a DateTime arrives: no datetime($x) round trip
                assert f"datetime(${p.name})" not in body, query.name


def test_listing_shows_each_parameter_with_its_type() -> None:
    """`okrsync query --list`: a query a line, then each parameter: name=type, default, doc."""
    lines = queries.listing()
    start = lines.index("slipped                  What slipped")
    assert lines[start : start + 4] == [
        "slipped                  What slipped",
        "    days=integer                default 7: how many days back to look",
        "    asOf=instant                optional: the end of the period looked at (unset: now)",
        "    riskStatuses=list<string>   default AT_RISK,ACTION_REQUIRED,DELAYED,MISSED_TARGET,"
        "FAILED: statuses that count as slipping",
    ]
    assert "    issue=string                required: the Jira issue id, e.g. 10001" in lines
    assert '    period=string               default "Q1 2026": the period\'s name' in lines
