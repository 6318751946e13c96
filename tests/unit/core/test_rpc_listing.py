"""One binding path for list requests: REST query maps bound into the typed request, strict booleans."""

from __future__ import annotations

import pytest

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.core.errors import InvalidArgument
from polyphony.core.query import parse_original_path
from polyphony.rpc.listing import Call, bind


def _call(url: str | None) -> Call:
    return Call({}, None if url is None else parse_original_path(url))


def test_rest_query_maps_are_bound_and_the_last_value_wins() -> None:
    request = pb.ListFlowsRequest(limit=5, tag={"stale": "x"})
    bound = bind(request, _call("/tams/flows?limit=5&tag.genre=a&tag.genre=b&tag_exists.mood=true&tag.a.b=c"))
    assert dict(bound.tag) == {"genre": "b", "a.b": "c"} and dict(bound.tag_exists) == {"mood": "true"}
    assert bound.limit == 5  # scalars are the transcoder's


def test_native_grpc_requests_come_back_unchanged() -> None:
    request = pb.ListFlowsRequest(tag={"genre": "a"})
    assert dict(bind(request, _call(None)).tag) == {"genre": "a"}


@pytest.mark.parametrize("query", ["reverse_order=yes", "reverse_order=1", "label=a%00b", "tag.x%00=1"])
def test_rest_booleans_are_true_or_false_and_nul_is_refused(query: str) -> None:
    with pytest.raises(InvalidArgument):
        bind(pb.ListFlowsRequest(), _call(f"/tams/flows?{query}"))


def test_a_rest_zero_is_a_value_but_a_grpc_zero_is_absent() -> None:
    assert _call("/tams/flows?limit=0").number("limit", 0) == 0
    assert _call("/tams/flows").number("limit", 0) is None
    assert _call(None).number("limit", 0) is None
    assert _call(None).number("limit", 7) == 7
