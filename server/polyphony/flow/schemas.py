"""Validation of request documents against the TAMS JSON Schemas (copied from the spec, Apache-2.0).

The schemas reference each other by relative file name (`"$ref": "uuid.json"`), so every file is
registered under one base URI and a document is checked against `{"$ref": "<base>/<name>"}`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from polyphony.core.errors import InvalidArgument

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
BASE_URI = "https://schemas.polyphony.invalid/tams/"
UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = json.loads(path.read_text())
        resources.append((BASE_URI + path.name, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for the schema file `name` (for example `flow-put.json`)."""
    return Draft202012Validator({"$ref": BASE_URI + name}, registry=_registry())


def _describe(error: ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where or 'document'}: {error.message}"


def check(name: str, document: Any, *, what: str) -> None:
    """Raise InvalidArgument (400) when `document` does not satisfy the schema `name`."""
    error = best_match(validator(name).iter_errors(document))
    if error is not None:
        field = ".".join(str(p) for p in error.absolute_path) or None
        raise InvalidArgument(f"invalid {what}: {_describe(error)}", field=field)


def is_uuid(value: str) -> bool:
    """True when `value` matches the spec's UUID schema (lower-case RFC 9562, versions 1-5)."""
    return bool(UUID_PATTERN.match(value))


def has_nul(value: Any) -> bool:
    """True when a NUL character stands anywhere in a JSON document (keys included): no database stores it."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False
