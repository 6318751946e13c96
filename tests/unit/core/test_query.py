import pytest

from polyphony.core import edge_key
from polyphony.core.errors import InvalidArgument
from polyphony.core.query import original_request, parse_int, parse_original_path, split_csv


def test_bracketed_filters_are_decoded() -> None:
    req = parse_original_path("/aura/tracks?filter%5Bartist%5D=A%20B&filter[recording-mbid]=x&limit=2")
    assert req.path == "/aura/tracks"
    assert req.bracketed("filter") == {"artist": "A B", "recording-mbid": "x"}
    assert req.get("limit") == "2"


def test_dotted_tags_keep_repeats() -> None:
    req = parse_original_path("/tams/flows?tag.genre=a&tag.genre=b&tag_exists.x=true")
    assert req.dotted("tag") == {"genre": ["a", "b"]}
    assert req.dotted("tag_exists") == {"x": ["true"]}


def test_empty_bracket_key_is_rejected() -> None:
    with pytest.raises(InvalidArgument):
        parse_original_path("/aura/tracks?filter[]=x").bracketed("filter")


def test_original_request_from_metadata() -> None:
    edge_key.configure(edge_key.derive("s3cret"))
    md = (("user-agent", "x"), ("x-envoy-original-path", "/aura/tracks?sort=-year"))
    req = original_request((*md, ("x-edge-key", edge_key.derive("s3cret"))))
    assert req is not None and req.get("sort") == "-year"
    assert original_request((("user-agent", "grpc"),)) is None
    # without this server's edge key the REST facts are a native caller's claim, not believed
    assert original_request(md) is None
    assert original_request((*md, ("x-edge-key", edge_key.derive("other")))) is None


def test_plus_and_blank_values() -> None:
    req = parse_original_path("/x?a=&b=1+2")
    assert req.get("a") == "" and req.get("b") == "1 2"


@pytest.mark.parametrize("raw", ["abc", "1.5", ""])
def test_parse_int_rejects_non_integers(raw: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        parse_int(raw, field="limit")
    assert err.value.field == "limit"


def test_parse_int_bounds() -> None:
    assert parse_int("5", field="limit", minimum=1, maximum=10) == 5
    with pytest.raises(InvalidArgument):
        parse_int("0", field="limit", minimum=1)
    with pytest.raises(InvalidArgument):
        parse_int("11", field="limit", maximum=10)


def test_split_csv() -> None:
    assert split_csv(" a, b,,c ") == ["a", "b", "c"]
