"""Parsing API JSON into typed, immutable models."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from okrsync.errors import MalformedPayload
from okrsync.models import parse_key_result, parse_objective, parse_timestamp
from okrsync.testing import parse_export
from tests.spec import DATA


def example() -> dict:
    return json.loads((DATA / "example-response.json").read_text())


class TestExampleResponse:
    def test_vendor_example_parses_with_its_nulls(self) -> None:
        """The vendor's own example (nulls the spec does not declare) parses field by field."""
        data = parse_export(example())
        (o,) = data.objectives
        assert o.id == "5fda249d289742000406b3e4"
        assert o.key == "O-2"
        assert o.parent_id is None
        assert o.period_id == "602a6a2717378700039f342a"
        assert o.kr_ids == ("605480b190c42b0003385170", "6061e921e2f4470003bc3210")
        assert o.percent_done == pytest.approx(8.333333333333332)
        assert o.deadline == datetime(2021, 3, 31, 23, 59, 59, tzinfo=UTC)
        assert o.latest_update is not None
        assert o.latest_update.status == "ON_TRACK"
        assert o.latest_update.value is None
        assert o.weight == 0
        (k,) = data.key_results
        assert k.description is None
        assert k.issue_ids == ("10003",)
        assert k.unit_name is None and k.unit_symbol is None
        assert (k.progress_type, k.start_value, k.desired_value, k.jql) == (
            "STANDARD",
            0.0,
            22.0,
            None,
        )
        assert k.period_id is None
        assert [t.name for t in data.teams] == ["lets go!"]
        assert [p.name for p in data.periods] == ["Q1 Y2021"]
        assert [lb.name for lb in data.labels] == ["Research"]

    def test_models_are_immutable(self) -> None:
        """A parsed objective cannot be changed in place."""
        o = parse_export(example()).objectives[0]
        with pytest.raises(dataclasses.FrozenInstanceError):
            o.name = "x"  # type: ignore[misc]


class TestTolerance:
    def test_unknown_fields_and_absent_optionals_are_fine(self) -> None:
        """Only the id is required; unknown fields are ignored."""
        o = parse_objective({"id": "o1", "somethingNew": {"x": 1}})
        assert o.id == "o1"
        assert o.name is None and o.kr_ids == () and o.latest_update is None

    def test_custom_fields_are_kept_as_canonical_json(self) -> None:
        """Custom field values survive as JSON with sorted keys."""
        k = parse_key_result({"id": "k1", "customFields": {"b": 2, "a": "x"}})
        assert k.custom_fields_json == '{"a":"x","b":2}'

    def test_numeric_ids_become_strings(self) -> None:
        """Team ids have been seen as numbers; they are ids all the same."""
        data = parse_export(
            {"teams": [{"id": 7, "name": "Eng"}], "okrs": [{"id": "o", "teamIds": [7]}]}
        )
        assert data.teams[0].id == "7"
        assert data.objectives[0].team_ids == ("7",)


class TestStrictness:
    @pytest.mark.parametrize(
        ("payload", "message"),
        [
            ({"okrs": [{"name": "no id"}]}, "okrs[0].id is missing"),
            ({"okrs": [{"id": ""}]}, "okrs[0].id is missing"),
            ({"krs": [{"id": None}]}, "krs[0].id is missing"),
            ({"okrs": "nope"}, "okrs should be a list"),
            ([], "export answer should be a JSON object"),
        ],
    )
    def test_malformed_payloads_name_the_field(self, payload: object, message: str) -> None:
        """What a sync cannot use at all (an answer's shape, a record's identity) is a
        MalformedPayload that says where; the source quarantines such a record."""
        with pytest.raises(MalformedPayload, match=message.replace("[", r"\[").replace("]", r"\]")):
            parse_export(payload)


class TestDriftedTypes:
    """A value whose type drifts from the spec is converted when that needs no guess, else
    left out and described: one odd field never stops the mirror."""

    def test_exact_conversions(self) -> None:
        problems: list[str] = []
        k = parse_key_result(
            {
                "id": 12,
                "percentDone": "45",
                "weight": 2.0,
                "parentObjectiveId": 7,
                "ownerAccountId": 99,
                "finalGrade": " 0.5 ",
                "teamIds": [3, "4"],
            },
            problems=problems,
        )
        assert (k.id, k.percent_done, k.weight, k.parent_objective_id) == ("12", 45.0, 2, "7")
        assert (k.owner_account_id, k.final_grade, k.team_ids) == ("99", 0.5, ("3", "4"))
        assert problems == []

    def test_guesses_are_left_out_and_named(self) -> None:
        problems: list[str] = []
        o = parse_objective(
            {
                "id": "o",
                "name": "kept",
                "weight": 0.5,
                "percentDone": "45%",
                "deadline": "tomorrow",
                "description": {"html": "<p>x</p>"},
                "krIds": "k1",
                "labelIds": ["a", None, {"id": "b"}],
                "latestUpdate": {"status": "ON_TRACK", "value": "n/a"},
                "customFields": ["x"],
            },
            problems=problems,
        )
        assert (o.name, o.weight, o.percent_done, o.deadline, o.description) == (
            "kept",
            None,
            None,
            None,
            None,
        )
        assert o.kr_ids == () and o.label_ids == ("a",) and o.custom_fields_json is None
        assert o.latest_update is not None and o.latest_update.status == "ON_TRACK"
        assert o.latest_update.value is None
        assert problems == [
            "description: expected a string, got dict {'html': '<p>x</p>'}",
            "percentDone: expected a number, got str '45%'",
            "deadline: expected a timestamp, got str 'tomorrow'",
            "labelIds[]: expected an id, got NoneType None",
            "labelIds[]: expected an id, got dict {'id': 'b'}",
            "latestUpdate.value: expected a number, got str 'n/a'",
            "weight: expected an integer, got float 0.5",
            "customFields: expected an object, got list ['x']",
            "krIds: expected a list of ids, got str 'k1'",
        ]

    def test_no_unicode_digits_or_nan(self) -> None:
        problems: list[str] = []
        k = parse_key_result({"id": "k", "weight": "²", "percentDone": "nan"}, problems=problems)
        assert (k.weight, k.percent_done) == (None, None)
        assert len(problems) == 2


class TestTimestamps:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2021-03-31T23:59:59+0000", datetime(2021, 3, 31, 23, 59, 59, tzinfo=UTC)),
            ("2021-03-31T23:59:59Z", datetime(2021, 3, 31, 23, 59, 59, tzinfo=UTC)),
            ("2021-04-01T01:59:59+02:00", datetime(2021, 3, 31, 23, 59, 59, tzinfo=UTC)),
            ("2021-03-31T23:59:59", datetime(2021, 3, 31, 23, 59, 59, tzinfo=UTC)),
        ],
    )
    def test_timestamps_become_aware_datetimes(self, text: str, expected: datetime) -> None:
        """The API's form and ISO forms all become the same aware instant."""
        parsed = parse_timestamp(text)
        assert parsed == expected
        assert parsed.tzinfo is not None


def test_empty_ids_in_lists_are_no_references() -> None:
    """The spec allows "" in id lists (hypothesis found it): skipped, not a failed sync."""
    o = parse_objective({"id": "o", "collaboratorAccountIds": ["", "u1", "u1"], "teamIds": [""]})
    assert o.collaborator_account_ids == ("u1",)
    assert o.team_ids == ()
