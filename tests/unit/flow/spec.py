"""Helpers for the TAMS tests: the copied spec's schemas and examples, and fresh ids for examples."""

from __future__ import annotations

import json
import re
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = Path(__file__).resolve().parents[3] / "specs" / "tams" / "api"
BASE = "https://tams.spec.invalid/schemas/"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@cache
def _registry() -> Registry:
    return Registry().with_resources(
        (BASE + p.name, Resource.from_contents(json.loads(p.read_text()), default_specification=DRAFT202012))
        for p in (SPEC / "schemas").glob("*.json")
    )


def assert_valid(schema: str, document: Any) -> None:
    """Fail with every violation when `document` does not satisfy the spec's schema file `schema`."""
    validator = Draft202012Validator({"$ref": BASE + schema}, registry=_registry())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors


def example(name: str) -> Any:
    return json.loads((SPEC / "examples" / name).read_text())


def rekey(document: Any, mapping: dict[str, str] | None = None) -> Any:
    """The document with every UUID replaced by a fresh one (consistently), so tests never collide."""
    mapping = {} if mapping is None else mapping
    text = json.dumps(document)
    for old in dict.fromkeys(UUID_RE.findall(text)):
        mapping.setdefault(old, str(uuid.uuid4()))
    return json.loads(UUID_RE.sub(lambda m: mapping[m.group(0)], text))


def audio_flow(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = rekey(example("flow-put.json"))
    doc.update(overrides)
    return doc
