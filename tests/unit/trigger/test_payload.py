import json
from pathlib import Path

import pytest

from polyphony.core.errors import InvalidArgument, PayloadTooLarge
from polyphony.trigger import payload as p

SPEC_EXAMPLE = Path(__file__).parents[3] / "specs" / "opentheater" / "examples" / "trigger-payload.spec-example.json"


def test_spec_example_is_accepted_and_normalised_for_the_client() -> None:
    doc = p.parse(SPEC_EXAMPLE.read_bytes())
    out = p.normalize(doc, now_ms=1)
    entry = out["styles"]["#text_de"]
    assert entry["classes"] == [] and entry["classList"] == []
    assert entry["inline"] == {"backgroundColor": "yellow", "border": "4px solid red"}
    assert out["transitions"]["#text_de"]["fadeInClass"] == "animate__fadeIn"
    assert out["timestamp"] == 123445667778  # kept from the sender
    assert out["content"] == doc["content"]
    assert "classList" not in doc["styles"]["#text_de"]  # input untouched


def test_normalise_defaults() -> None:
    out = p.normalize({"styles": {"#a_b": {"classList": ["x"]}, "default": {}}, "transitions": {"#a_b": {"k": 1}}}, 42)
    assert out["timestamp"] == 42
    assert out["styles"]["#a_b"] == {"classList": ["x"], "classes": ["x"], "inline": {}}
    assert out["styles"]["default"] == {"classes": [], "classList": [], "inline": {}}
    assert out["transitions"] == {"#a_b": {"k": 1}}  # explicit top-level transitions win


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json", "not valid JSON"),
        (b"", "empty"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"timestamp": 1}', "needs `content` and/or `styles`"),
        (b'{"content": {"text_de": 5}}', "`content.text_de` must be a string"),
        (b'{"content": [], "timestamp": 1}', "`content` must be an object"),
        (b'{"content": {}, "timestamp": "x"}', "`timestamp` must be an integer"),
        (b'{"content": {}, "timestamp": NaN}', "not valid JSON"),
        (b'{"styles": {"#a_b": {"inline": []}}}', "inline` must be an object"),
        (b'{"styles": {"#a_b": {"classes": "big"}}}', "must be a list of class names"),
        (b'{"styles": {"#a_b": 3}}', "must be an object"),
        (b'{"content": {}, "transitions": {"x": 1}}', "transition objects"),
        (b'{"content": {}, "timestamp": 1e17}', "beyond"),
        (b'{"content": {}, "id": 9007199254740993}', "beyond"),
        (b'{"content": {}, "x": [[1, -9007199254740993]]}', "beyond"),
        (b'{"content": {}, "x": ' + b"[" * 16 + b"]" * 16 + b"}", "nests more than 16"),
        (b'{"content": {}, "x": ' + b"[" * 30_000 + b"]" * 30_000 + b"}", "nests more than 16"),
    ],
)
def test_bad_payloads_are_rejected(raw: bytes, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message) as info:
        p.parse(raw)
    assert info.value.field == "payload"


def test_payloads_at_the_limits_are_accepted() -> None:
    deep = {"x": {}}
    for _ in range(p.MAX_DEPTH - 3):  # 16 levels with the payload itself
        deep = {"x": deep}
    doc = p.parse(json.dumps({"content": {}, "deep": deep, "n": 2**53, "m": -(2**53), "timestamp": 2**53}))
    assert doc["n"] == 2**53 and doc["deep"] == deep


def test_oversized_payload() -> None:
    raw = json.dumps({"content": {"text_de": "x" * 100}}).encode()
    with pytest.raises(PayloadTooLarge):
        p.parse(raw, max_bytes=50)


def test_merge_builds_the_late_joiner_state() -> None:
    s = p.merge(p.empty_state(), p.normalize({"content": {"text_de": "a", "text_en": "b"}}, 1))
    s = p.merge(
        s,
        p.normalize(
            {
                "content": {"text_de": "c", "text_en": ""},
                "styles": {
                    "#text_de": {"classes": ["big"], "inline": {"color": "red"}, "transitions": {"fadeInTime": 5}}
                },
            },
            2,
        ),
    )
    s = p.merge(s, p.normalize({"styles": {"#text_de": {"classes": ["blue"], "inline": {"border": "0"}}}}, 3))
    assert s["content"] == {"text_de": "c"}
    assert s["styles"]["#text_de"]["classes"] == ["big", "blue"] == s["styles"]["#text_de"]["classList"]
    assert s["styles"]["#text_de"]["inline"] == {"color": "red", "border": "0"}
    assert s["transitions"] == {"#text_de": {"fadeInTime": 5}}
    assert s["timestamp"] == 3


def test_for_channel_keeps_only_its_keys() -> None:
    doc = p.normalize(
        {
            "content": {"text_de": "a", "text_en": "b"},
            "styles": {"#text_en": {}, "#text_de": {}, "default": {}},
            "contentPreload": {"video_de": "1.mp4", "video_en": "2.mp4"},
        },
        1,
    )
    out = p.for_channel(doc, ("text_de", "video_de"))
    assert out is not None
    assert out["content"] == {"text_de": "a"}
    assert set(out["styles"]) == {"#text_de", "default"}
    assert out["contentPreload"] == {"video_de": "1.mp4"}
    assert out["timestamp"] == 1
    assert p.for_channel(p.normalize({"content": {"text_en": "b"}}, 1), ("text_de",)) is None
