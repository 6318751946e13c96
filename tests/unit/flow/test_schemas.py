"""Server-side validation against the spec's schemas, and the package copy of the schemas."""

from __future__ import annotations

import filecmp
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from polyphony.api.flow.v1 import flow_pb2
from polyphony.core.errors import InvalidArgument
from polyphony.flow import schemas
from polyphony.flow.mapping import to_document, to_message
from polyphony.flow.tags import TagFilter, tag_rows
from tests.unit.flow.spec import SPEC, example, rekey


def test_package_schemas_are_the_spec_copies() -> None:
    for path in (SPEC / "schemas").glob("*.json"):
        assert filecmp.cmp(path, schemas.SCHEMA_DIR / path.name, shallow=False), path.name


@pytest.mark.parametrize("name", ["flow-put.json", "flow-put-multi.json", "flow-put-profile.json"])
def test_put_examples_validate(name: str) -> None:
    schemas.check("flow-put.json", example(name), what="flow")


def test_violations_name_the_field() -> None:
    doc = example("flow-put.json")
    doc["essence_parameters"]["sample_rate"] = -1
    with pytest.raises(InvalidArgument) as err:
        schemas.check("flow-put.json", doc, what="flow")
    assert "sample_rate" in err.value.detail


@pytest.mark.parametrize(
    "name",
    [
        "flow-put.json",
        "flow-put-multi.json",
        "flow-get-200-video-h264.json",
        "flow-get-200-video-raw.json",
        "flow-get-200-multi-container-map.json",
    ],
)
def test_flow_documents_survive_the_proto_round_trip(name: str) -> None:
    doc = example(name)
    assert to_document(to_message(doc, flow_pb2.Flow())) == doc


def test_uuid_check_follows_the_spec_pattern() -> None:
    assert schemas.is_uuid(str(uuid.uuid4()))
    assert not schemas.is_uuid(str(uuid.uuid4()).upper())
    assert not schemas.is_uuid("6101df05-06bb-01b8-8af4-cf7cd33df209")  # version 0


tag_value = st.one_of(st.text(max_size=5), st.lists(st.text(max_size=5), max_size=4))


@given(st.dictionaries(st.text(min_size=1, max_size=5), tag_value, max_size=5))
def test_tag_rows_cover_every_value_once(tags: dict[str, Any]) -> None:
    rows = list(tag_rows(tags))
    assert len(rows) == len(set(rows))
    for name, value in tags.items():
        expected = {value} if isinstance(value, str) else set(value)
        assert {v for n, v in rows if n == name} == expected


def test_tag_filter_parsing() -> None:
    f = TagFilter.parse({"genre": "a,b"}, {"x": "false"})
    assert f.values == (("genre", ("a", "b")),) and f.exists == (("x", False),)
    with pytest.raises(InvalidArgument):
        TagFilter.parse({}, {"x": "maybe"})


def test_rekey_is_consistent() -> None:
    multi = rekey(example("flow-put-multi.json"))
    assert multi["flow_collection"][-1]["id"] == multi["id"]
