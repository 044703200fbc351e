"""The vendor's OpenAPI description (a copy of ../shared/okr-api/openapi.json in tests/data),
turned into JSON Schemas the tests validate against and generate from.

NOTES.md: the spec declares nothing nullable, yet real payloads carry nulls in every field but
the entity ids. So each property except the ids also admits null. To catch a simulator that
serves what the spec does not describe, objects admit no properties beyond the spec's.

`format: date-time` is checked, in the vendor's form rather than RFC 3339's: every timestamp in
the spec's examples, in NOTES.md and in the vendor's example response is written
`2021-03-31T23:59:59+0000`, an offset without the colon RFC 3339 requires (Java's `Z` pattern).
A stock checker rejects every one of them, so `vendor_date_time` accepts exactly that form, with
optional milliseconds (Java's `.SSS`), and still refuses impossible dates and times.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from rfc3339_validator import validate_rfc3339

DATA = Path(__file__).resolve().parent / "data"
ID_FIELDS = frozenset({"id", "updateId", "entityId", "commentId"})
VENDOR_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?[+-]\d{4}")


@cache
def spec() -> dict[str, Any]:
    return json.loads((DATA / "openapi.json").read_text())


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    schema = copy.deepcopy(schema)
    props = schema.get("properties")
    if isinstance(props, dict):
        for name, prop in props.items():
            if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
                prop["items"] = (
                    _nullable(prop["items"]) if "properties" in prop["items"] else prop["items"]
                )
            if name not in ID_FIELDS:
                props[name] = {"anyOf": [prop, {"type": "null"}]}
        schema.setdefault("additionalProperties", False)
    return schema


def vendor_date_time(instance: object) -> bool:
    """The API's timestamps: RFC 3339 but for the offset, written +HHMM (no colon)."""
    if not isinstance(instance, str):
        return True  # a format constrains strings only; the type is the schema's to check
    if not VENDOR_DATE_TIME.fullmatch(instance):
        return False
    return bool(validate_rfc3339(f"{instance[:-2]}:{instance[-2:]}"))


def format_checker() -> jsonschema.FormatChecker:
    """jsonschema's checkers, with date-time in the vendor's form."""
    checker = jsonschema.FormatChecker()
    checker.checks("date-time")(vendor_date_time)
    return checker


def validator(name: str) -> jsonschema.Draft202012Validator:
    """Validates answers against components/schemas/<name>, formats included."""
    return jsonschema.Draft202012Validator(validation_schema(name), format_checker=format_checker())


def validation_schema(name: str) -> dict[str, Any]:
    """A schema for components/schemas/<name>, nulls admitted, no undocumented properties."""
    components = {k: _nullable(v) for k, v in spec()["components"]["schemas"].items()}
    return {"$ref": f"#/components/schemas/{name}", "components": {"schemas": components}}


def _inline(schema: Any, components: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inline(components[schema["$ref"].rsplit("/", 1)[1]], components)
        out = {}
        for key, value in schema.items():
            if key in ("examples", "description"):
                continue
            if key == "format" and value != "date-time":
                continue  # int32/int64/double are OpenAPI annotations, not JSON Schema formats
            out[key] = _inline(value, components)
        return out
    if isinstance(schema, list):
        return [_inline(item, components) for item in schema]
    return schema


def generation_schema(name: str, *, nullable: bool = True) -> dict[str, Any]:
    """A self-contained schema (refs inlined) to generate payloads from with hypothesis."""
    components = spec()["components"]["schemas"]
    if nullable:
        components = {k: _nullable(v) for k, v in components.items()}
        for value in components.values():
            value.pop("additionalProperties", None)
    result: dict[str, Any] = _inline(components[name], components)
    return result
