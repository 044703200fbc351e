"""The messy org's catalogue (okrsync/simulator/oddities.py) against openapi.json."""

from __future__ import annotations

from typing import Any

from okrsync.simulator.oddities import (
    DEVIATIONS,
    IDENTITY_FIELD,
    ODD_TYPES,
    OPTIONAL_FIELDS,
    TIME_FIELDS,
    restyle,
)
from tests.spec import ID_FIELDS, spec

SCHEMAS = {
    "objective": "ApiExportObjective",
    "keyResult": "ApiExportKeyResult",
    "update": "ApiExportUpdate",
    "comment": "ApiExportUpdateComment",
    "team": "ApiExportTeam",
    "label": "ApiExportLabel",
    "period": "ApiExportPeriodAlias",
    "okrType": "ApiExportOkrType",
    "customField": "ApiExportCustomField",
}


def properties(schema: str) -> dict[str, Any]:
    found: dict[str, Any] = spec()["components"]["schemas"][schema]["properties"]
    return found


def fields(schema: str, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every property but the ids, and those of the objects it nests, as dotted paths."""
    out = []
    for name, prop in properties(schema).items():
        if name in ID_FIELDS:
            continue
        out.append((prefix + name, prop))
        if "$ref" in prop:
            out += fields(prop["$ref"].rsplit("/", 1)[1], f"{prefix}{name}.")
    return out


def test_optional_fields_are_every_field_of_the_spec_but_the_ids() -> None:
    """Each kind's nullable fields are its schema's properties (nested ones too), ids aside."""
    assert set(OPTIONAL_FIELDS) == set(SCHEMAS)
    for kind, schema in SCHEMAS.items():
        assert sorted(OPTIONAL_FIELDS[kind]) == sorted(name for name, _ in fields(schema))


def test_time_fields_are_every_date_time_of_the_spec() -> None:
    """A timestamp style rewrites each date-time field a kind has, latestUpdate's included."""
    for kind, schema in SCHEMAS.items():
        expected = sorted(n for n, p in fields(schema) if p.get("format") == "date-time")
        assert sorted(TIME_FIELDS.get(kind, ())) == expected


def test_restyle_keeps_the_instant() -> None:
    """Another offset or milliseconds, the same moment, in the vendor's +HHMM form."""
    stored = "2026-01-01T10:00:00+0000"
    assert [restyle(stored, s) for s in ("+0200", "-0500", "+0530", ".000+0000", ".000-0330")] == [
        "2026-01-01T12:00:00+0200",
        "2026-01-01T05:00:00-0500",
        "2026-01-01T15:30:00+0530",
        "2026-01-01T10:00:00.000+0000",
        "2026-01-01T06:30:00.000-0330",
    ]
    assert restyle(None, "+0200") is None


def test_the_deviations_are_the_odd_types_and_the_identities() -> None:
    """DEVIATIONS lists exactly what breaks the spec: odd types on OKRs, unusable ids."""
    odd = {(kind, name) for kind in ("objective", "keyResult") for name in ODD_TYPES}
    assert set(DEVIATIONS) == odd | set(IDENTITY_FIELD.items())
    assert {
        name: serve("x") if name == "deadline" else serve(SAMPLES[name])
        for name, (serve, _) in ODD_TYPES.items()
    } == {
        "weight": 0.5,
        "percentDone": "45",
        "deadline": "TBD",
        "parentObjectiveId": 171,
        "ownerAccountId": 171,
        "description": {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Grow & win"}]}],
        },
    }
    assert ODD_TYPES["percentDone"][0](45.25) == "45.25"


SAMPLES = {
    "weight": 1,
    "percentDone": 45.0,
    "parentObjectiveId": "0001000000000000000000ab",
    "ownerAccountId": "557058:00000000000000ab",
    "description": "<p>Grow &amp; win</p>",
}
