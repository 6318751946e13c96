import pytest

from polyphony.core.errors import RangeNotSatisfiable
from polyphony.media.negotiation import (
    ByteRange,
    Offer,
    choose,
    content_disposition,
    etag_matches,
    parse_accept,
    parse_range,
)

FLAC = Offer("audio/flac", 900_000, transcode=False)
OGG = Offer("audio/ogg", 79_000, transcode=True)
MP3 = Offer("audio/mpeg", 48_000, transcode=True)
OFFERS = [FLAC, OGG, MP3]


def pick(accept: str | None) -> tuple[str, int | None] | None:
    chosen = choose(parse_accept(accept), OFFERS)
    return None if chosen is None else (chosen[0].mimetype, chosen[1])


def test_missing_accept_means_audio_star_and_prefers_the_original() -> None:
    assert pick(None) == ("audio/flac", None)
    assert pick("") == ("audio/flac", None)
    assert pick("*/*") == ("audio/flac", None)


def test_explicit_types_and_order() -> None:
    assert pick("audio/ogg, audio/mpeg") == ("audio/ogg", None)
    assert pick("audio/mpeg, audio/ogg") == ("audio/mpeg", None)


def test_q_values_rank_and_zero_excludes() -> None:
    assert pick("audio/flac;q=0.2, audio/mpeg;q=0.8") == ("audio/mpeg", None)
    assert pick("audio/*, audio/flac;q=0") == ("audio/ogg", None)


def test_bitrate_is_a_maximum() -> None:
    assert pick("audio/flac;bitrate=1000000") == ("audio/flac", 1000000)
    assert pick("audio/flac;bitrate=128000") is None  # the original is bigger and FLAC cannot shrink
    assert pick("audio/*;bitrate=128000") == ("audio/ogg", 128000)
    assert pick("audio/*;bitrate=60000") == ("audio/mpeg", 60000)
    assert pick("audio/*;bitrate=1000") is None


def test_nothing_acceptable() -> None:
    assert pick("video/mp4, text/html") is None


def test_ranges() -> None:
    assert parse_range("bytes=0-99", 1000) == ByteRange(0, 100)
    assert parse_range("bytes=900-", 1000) == ByteRange(900, 1000)
    assert parse_range("bytes=-100", 1000) == ByteRange(900, 1000)
    assert parse_range("bytes=990-5000", 1000) == ByteRange(990, 1000)
    assert parse_range("bytes=0-1,5-6", 1000) is None  # multi-range: send the whole file
    assert parse_range("items=0-5", 1000) is None
    assert parse_range("bytes=5-1", 1000) is None
    assert ByteRange(0, 100).content_range(1000) == "bytes 0-99/1000"
    with pytest.raises(RangeNotSatisfiable) as err:
        parse_range("bytes=1000-", 1000)
    assert err.value.headers["content-range"] == "bytes */1000"


def test_validators_and_disposition() -> None:
    assert etag_matches('"a", "b"', '"b"') and etag_matches("*", '"x"') and etag_matches('W/"b"', '"b"')
    assert not etag_matches(None, '"b"') and not etag_matches('"a"', '"b"')
    disposition = content_disposition("Ça va.flac")
    assert 'filename="' in disposition and "filename*=UTF-8''%C3%87a%20va.flac" in disposition
