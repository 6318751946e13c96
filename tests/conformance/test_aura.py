"""AURA 0.2 conformance: one test per MUST / SHOULD of the core spec (paraphrased in each docstring),
run through Envoy against a server of its own with a small scanned library."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import numpy as np
import pytest
import soundfile
from mutagen.flac import FLAC

from tests.e2e.test_media import png
from tests.harness import run_server

JSONAPI = "application/vnd.api+json"
JSON_ENDPOINTS = ["/aura/server", "/aura/tracks", "/aura/albums", "/aura/artists"]


@pytest.fixture(scope="module")
def aura(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    data = tmp_path_factory.mktemp("aura-conformance")
    music = data / "music"
    for album, artist, titles in [("Alpha", "Ann", ["One", "Two", "Three"]), ("Beta", "Bob", ["Four", "Five"])]:
        folder = music / artist / album
        folder.mkdir(parents=True)
        (folder / "cover.png").write_bytes(png(16, 16))
        for n, title in enumerate(titles, start=1):
            path = folder / f"{n}.flac"
            soundfile.write(str(path), 0.2 * np.sin(np.arange(16000) * 0.03 * n), 16000, format="FLAC")
            tags = FLAC(path)
            tags.update({"title": title, "artist": artist, "album": album, "tracknumber": str(n)})
            if title != "Five":
                tags["date"] = "2001" if artist == "Ann" else "1999"
            if title == "Two":
                tags["composer"] = "Clara"
            tags.save()
    with run_server(data) as server:
        env = dict(os.environ, POLYPHONY_DATABASE_URL=server.database_url)
        subprocess.run(
            [sys.executable, "-m", "polyphony.cli", "scan", str(music)],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        with httpx.Client(base_url=server.http, timeout=30) as client:
            yield client


def test_api_lives_under_the_aura_prefix(aura: httpx.Client) -> None:
    """SHOULD: the API root appears under /aura/."""
    assert aura.get("/aura/server").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        *JSON_ENDPOINTS,
        "/aura/tracks/1",
        "/aura/albums/1",
        "/aura/artists/1",
        "/aura/tracks/999999",
        "/aura/tracks?limit=abc",
        "/aura/nothing",
    ],
)
def test_every_response_is_jsonapi_with_data_or_errors(aura: httpx.Client, path: str) -> None:
    """MUST: every response is application/vnd.api+json, a JSON object with `data` on success and an
    `errors` array of JSON:API error objects on failure."""
    resp = aura.get(path)
    assert resp.headers["content-type"] == JSONAPI
    doc = resp.json()
    assert isinstance(doc, dict)
    if resp.status_code < 400:
        assert "data" in doc and "errors" not in doc
    else:
        assert "data" not in doc and isinstance(doc["errors"], list) and doc["errors"]
        for error in doc["errors"]:
            assert error["status"] == str(resp.status_code) and error["title"] and error["detail"]


def test_server_resource_has_the_required_attributes(aura: httpx.Client) -> None:
    """MUST: the server resource carries aura-version, server, server-version and auth-required;
    MAY carry features (a string array)."""
    data = aura.get("/aura/server").json()["data"]
    attrs = data["attributes"]
    assert data["type"] == "server" and isinstance(data["id"], str)
    assert isinstance(attrs["aura-version"], str) and isinstance(attrs["server"], str)
    assert isinstance(attrs["server-version"], str) and isinstance(attrs["auth-required"], bool)
    assert all(isinstance(f, str) for f in attrs["features"])


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_attribute_names_use_the_allowed_characters(aura: httpx.Client, path: str) -> None:
    """SHOULD: attribute names only contain [a-zA-Z0-9_-]."""
    doc = aura.get(path).json()
    resources = doc["data"] if isinstance(doc["data"], list) else [doc["data"]]
    for res in resources:
        assert all(re.fullmatch(r"[a-zA-Z0-9_-]+", name) for name in res["attributes"])


def test_included_holds_every_referenced_resource(aura: httpx.Client) -> None:
    """MUST: with `include`, every resource referenced under the named relationships is in `included`."""
    doc = aura.get("/aura/tracks", params={"include": "albums,artists,images"}).json()
    included = {(r["type"], r["id"]) for r in doc["included"]}
    for track in doc["data"]:
        for rel in ("albums", "artists", "images"):
            for ref in track["relationships"][rel]["data"]:
                assert (ref["type"], ref["id"]) in included
    assert len(included) == len(doc["included"])  # each once


def test_filter_is_exact_and_unknown_keys_give_empty_data(aura: httpx.Client) -> None:
    """MUST: filter[key]=value returns only resources whose key exactly matches (no substring, no case
    folding); no match or an unsupported key gives an empty data array."""
    doc = aura.get("/aura/tracks", params={"filter[title]": "One"}).json()
    titles = [t["attributes"]["title"] for t in doc["data"]]
    assert titles == ["One"]
    for params in ({"filter[title]": "one"}, {"filter[title]": "On"}, {"filter[no-such-key]": "x"}):
        assert aura.get("/aura/tracks", params=params).json()["data"] == []
    assert len(aura.get("/aura/albums", params={"filter[artist]": "Bob"}).json()["data"]) == 1


def test_sort_follows_jsonapi_and_omits_resources_without_the_attribute(aura: httpx.Client) -> None:
    """JSON:API sorting (comma list, `-` descending); SHOULD return only resources having the attribute."""
    doc = aura.get("/aura/tracks", params={"sort": "-year,title"}).json()
    assert [t["attributes"]["title"] for t in doc["data"]] == ["One", "Three", "Two", "Four"]
    composers = aura.get("/aura/tracks", params={"sort": "composer"}).json()["data"]
    assert [t["attributes"]["title"] for t in composers] == ["Two"]


def test_pagination_next_link_and_limit(aura: httpx.Client) -> None:
    """MUST: a truncated response has links.next while more remain; the next URL equals the original but
    for `page`; `limit` caps the page size; the last page has no next."""
    first = aura.get("/aura/tracks", params={"limit": "2", "sort": "title"})
    doc = first.json()
    assert len(doc["data"]) == 2
    next_url = doc["links"]["next"]
    original = dict(parse_qsl(urlsplit(str(first.url)).query))
    following = dict(parse_qsl(urlsplit(next_url).query))
    assert {k: v for k, v in following.items() if k != "page"} == original and following["page"]
    assert urlsplit(next_url).path == "/aura/tracks"
    seen = [t["id"] for t in doc["data"]]
    while next_url:
        doc = aura.get(next_url).json()
        assert len(doc["data"]) <= 2
        seen += [t["id"] for t in doc["data"]]
        next_url = (doc.get("links") or {}).get("next")
    assert len(seen) == len(set(seen)) == 5


def test_tracks_are_typed_and_have_title_and_artist(aura: httpx.Client) -> None:
    """MUST: track objects have type "track" and the attributes title and artist."""
    for track in aura.get("/aura/tracks").json()["data"]:
        assert track["type"] == "track"
        assert isinstance(track["attributes"]["title"], str) and isinstance(track["attributes"]["artist"], str)


def test_albums_feature_type_attributes_and_tracks(aura: httpx.Client) -> None:
    """MUST (albums supported): "albums" in features, type "album", title and artist attributes, and a
    `tracks` relationship."""
    assert "albums" in aura.get("/aura/server").json()["data"]["attributes"]["features"]
    for album in aura.get("/aura/albums").json()["data"]:
        assert album["type"] == "album"
        assert album["attributes"]["title"] and album["attributes"]["artist"]
        assert album["relationships"]["tracks"]["data"]


def test_artists_feature_type_name_and_tracks(aura: httpx.Client) -> None:
    """MUST (artists supported): "artists" in features, type "artist", a name, and a `tracks` relationship."""
    assert "artists" in aura.get("/aura/server").json()["data"]["attributes"]["features"]
    for artist in aura.get("/aura/artists").json()["data"]:
        assert artist["type"] == "artist" and artist["attributes"]["name"]
        assert artist["relationships"]["tracks"]["data"]


def test_images_feature_collection_404_relationship_and_file_type(aura: httpx.Client) -> None:
    """MUST (images supported): "images" in features, type "image", at least one relationship, and the
    file's Content-Type is the image's MIME type; SHOULD answer 404 for /aura/images."""
    assert "images" in aura.get("/aura/server").json()["data"]["attributes"]["features"]
    assert aura.get("/aura/images").status_code == 404
    album = aura.get("/aura/albums").json()["data"][0]
    image_id = album["relationships"]["images"]["data"][0]["id"]
    image = aura.get(f"/aura/images/{image_id}").json()["data"]
    assert image["type"] == "image"
    assert any(rel["data"] for rel in image["relationships"].values())
    file = aura.get(f"/aura/images/{image_id}/file")
    assert file.status_code == 200 and file.headers["content-type"] == image["attributes"]["mimetype"]


def test_audio_content_type_disposition_and_ranges(aura: httpx.Client) -> None:
    """MUST: audio has a Content-Type; SHOULD: Content-Disposition with a filename, and range requests."""
    resp = aura.get("/aura/tracks/1/audio")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("audio/")
    assert "filename=" in resp.headers["content-disposition"]
    part = aura.get("/aura/tracks/1/audio", headers={"Range": "bytes=4-11"})
    assert part.status_code == 206 and part.content == resp.content[4:12]


def test_audio_negotiation_missing_accept_q_and_406(aura: httpx.Client) -> None:
    """SHOULD: answer with one of the requested types or 406; a missing Accept means audio/*; a
    `bitrate` parameter is a maximum."""
    assert aura.get("/aura/tracks/1/audio", headers={"Accept": ""}).headers["content-type"].startswith("audio/")
    ogg = aura.get("/aura/tracks/1/audio", headers={"Accept": "audio/ogg, audio/mpeg"})
    assert ogg.headers["content-type"] in ("audio/ogg", "audio/mpeg")
    capped = aura.get("/aura/tracks/1/audio", headers={"Accept": "audio/mpeg;bitrate=64000"})
    assert capped.status_code == 200 and len(capped.content) * 8 <= 64000 * 1.1 + 8 * 1500  # ~1 s, one frame slack
    refused = aura.get("/aura/tracks/1/audio", headers={"Accept": "video/webm"})
    assert refused.status_code == 406 and refused.json()["errors"][0]["status"] == "406"


def test_expired_or_foreign_page_tokens(aura: httpx.Client) -> None:
    """MAY: 410 for an expired token (unit-tested with a clock in tests/unit/core); a token from another
    query or a forged one is a 400, never a 500."""
    token = dict(parse_qsl(urlsplit(aura.get("/aura/tracks?limit=1").json()["links"]["next"]).query))["page"]
    assert aura.get("/aura/tracks", params={"limit": "1", "sort": "title", "page": token}).status_code == 400
    assert aura.get("/aura/tracks", params={"page": token[:-3] + "xyz"}).status_code == 400
