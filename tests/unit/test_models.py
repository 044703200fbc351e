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
            (
                {"okrs": [{"id": "o", "percentDone": "50"}]},
                "objective o.percentDone should be a number",
            ),
            (
                {"okrs": [{"id": "o", "deadline": "tomorrow"}]},
                "objective o.deadline is not a timestamp",
            ),
            ({"okrs": [{"id": "o", "krIds": "k1"}]}, "objective o.krIds should be a list"),
            ({"okrs": "nope"}, "okrs should be a list"),
            ({"krs": [{"id": "k", "unit": "kg"}]}, "key result k.unit should be an object"),
            ([], "export answer should be a JSON object"),
        ],
    )
    def test_malformed_payloads_name_the_field(self, payload: object, message: str) -> None:
        """What a sync cannot use is a MalformedPayload that says where."""
        with pytest.raises(MalformedPayload, match=message.replace("[", r"\[").replace("]", r"\]")):
            parse_export(payload)


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
