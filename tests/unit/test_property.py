"""Property: any payload the spec's own schemas allow is parsed or rejected as malformed."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

from okrsync.errors import MalformedPayload
from okrsync.models import parse_comment_page, parse_update_page
from okrsync.testing import parse_export
from tests.spec import generation_schema

SETTINGS = settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _parses_or_is_malformed(parse: Any, payload: Any) -> None:
    try:
        parse(payload)
    except MalformedPayload as exc:
        assert str(exc)  # a message a person can read


@SETTINGS
@given(from_schema(generation_schema("ApiExportData")))
def test_export_payloads_from_the_spec(payload: Any) -> None:
    """ApiExportData, nulls admitted: parsed, or MalformedPayload, never another exception."""
    _parses_or_is_malformed(parse_export, payload)


@SETTINGS
@given(from_schema(generation_schema("ApiExportData", nullable=False)))
def test_strict_export_payloads_with_ids_parse(payload: Any) -> None:
    """Without nulls, the only reason to reject is a missing or empty id."""
    try:
        parse_export(payload)
    except MalformedPayload as exc:
        assert ".id is missing" in str(exc) or "is not a timestamp" in str(exc)


@SETTINGS
@given(from_schema(generation_schema("ApiExportBulkUpdate")))
def test_update_pages_from_the_spec(payload: Any) -> None:
    """ApiExportBulkUpdate: parsed, or MalformedPayload."""
    _parses_or_is_malformed(parse_update_page, payload)


@SETTINGS
@given(from_schema(generation_schema("ApiExportBulkUpdateComments")))
def test_comment_pages_from_the_spec(payload: Any) -> None:
    """ApiExportBulkUpdateComments: parsed, or MalformedPayload."""
    _parses_or_is_malformed(parse_comment_page, payload)
