from __future__ import annotations

import pytest

from polyphony.analysis.items.fields import validate_item_fields
from polyphony.core.errors import InvalidArgument


def test_known_fields_are_converted_and_others_ignored() -> None:
    got = validate_item_fields({"title": 12, "is_public": "false", "uuid": "x", "samplerate": 3, "lock": True})
    assert got == {"title": "12", "is_public": False, "lock": True}


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"title": "x" * 513}, "title", "no more than 512"),
        ({"artist": "x" * 257}, "artist", "no more than 256"),
        ({"title": None}, "title", "may not be null"),
        ({"title": ["a"]}, "title", "Not a valid string"),
        ({"source_url": "not a url"}, "source_url", "valid URL"),
        ({"is_public": "maybe"}, "is_public", "valid boolean"),
    ],
)
def test_invalid_values_name_their_field(raw: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message) as err:
        validate_item_fields(raw)
    assert err.value.field == field


def test_blank_url_is_allowed() -> None:
    assert validate_item_fields({"source_url": ""}) == {"source_url": ""}
