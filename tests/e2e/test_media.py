"""AURA through Envoy and MediaService over gRPC, on a library imported with `polyphony scan`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import numpy as np
import pytest
import soundfile
from mutagen.flac import FLAC

from polyphony.api.media.v1 import media_pb2, media_pb2_grpc
from tests.harness import RunningServer

AURA = "application/vnd.api+json"
# (file, title, artists, album, track, year, mbid)
SONGS = [
    ("a1.flac", "Blackbird", ["The Fab"], "White", 1, 1968, "rec-1"),
    ("a2.flac", "Julia", ["The Fab"], "White", 2, 1968, None),
    ("b1.flac", "Duet", ["Ann", "Bob"], "Pairs", 1, 2001, "rec-3"),
    ("b2.flac", "Solo", ["Bob"], "Pairs", 2, None, None),
    ("c1.flac", "Single", ["Cleo"], None, None, 2019, None),
]


def _write(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for i, (name, title, artists, album, track, year, mbid) in enumerate(SONGS):
        path = root / name
        tone = 0.3 * np.sin(2 * np.pi * (220 + 40 * i) * np.arange(22050) / 22050)
        soundfile.write(str(path), tone, 22050, format="FLAC", subtype="PCM_16")
        tags = FLAC(path)
        tags["title"], tags["artist"] = title, artists
        if album:
            tags["album"] = album
        if track:
            tags["tracknumber"] = str(track)
        if year:
            tags["date"] = str(year)
        if mbid:
            tags["musicbrainz_trackid"] = mbid
        tags.save()
    (root / "broken.flac").write_bytes(b"fLaC not really")


@pytest.fixture(scope="module")
def library(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("music")
    _write(root)
    env = dict(os.environ, POLYPHONY_DATABASE_URL=server.database_url)
    out = subprocess.run([sys.executable, "-m", "polyphony.cli", "scan", str(root), "--data-dir",
                          str(server.data_dir)], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "5 added" in out.stderr and "1 unreadable" in out.stderr
    yield root


def _titles(doc: dict) -> list[str]:  # type: ignore[type-arg]
    return [r["attributes"]["title"] for r in doc["data"]]


def test_server_info(http: httpx.Client) -> None:
    resp = http.get("/aura/server")
    assert resp.status_code == 200 and resp.headers["content-type"] == AURA
    attrs = resp.json()["data"]["attributes"]
    assert resp.json()["data"]["type"] == "server"
    assert attrs["aura-version"] == "0.2.0" and attrs["server"] == "polyphony"
    assert attrs["auth-required"] is False and "albums" in attrs["features"]


def test_track_list_and_required_attributes(http: httpx.Client, library: Path) -> None:
    doc = http.get("/aura/tracks").json()
    assert sorted(_titles(doc)) == sorted(s[1] for s in SONGS)
    for res in doc["data"]:
        assert res["type"] == "track" and isinstance(res["id"], str)
        attrs = res["attributes"]
        assert isinstance(attrs["title"], str) and isinstance(attrs["artist"], str)
        assert attrs["mimetype"] == "audio/flac" and attrs["framerate"] == 22050 and attrs["channels"] == 1
        assert attrs["framecount"] == 22050 and abs(attrs["duration"] - 1.0) < 1e-6
        assert isinstance(attrs["size"], int) and attrs["size"] > 0


def test_multi_artist_track(http: httpx.Client, library: Path) -> None:
    doc = http.get("/aura/tracks", params={"filter[title]": "Duet", "include": "artists"}).json()
    (track,) = doc["data"]
    assert track["attributes"]["artist"] == "Ann, Bob"
    assert len(track["relationships"]["artists"]["data"]) == 2
    assert sorted(r["attributes"]["name"] for r in doc["included"]) == ["Ann", "Bob"]


def test_single_track_and_404(http: httpx.Client, library: Path) -> None:
    first = http.get("/aura/tracks", params={"filter[title]": "Blackbird"}).json()["data"][0]
    resp = http.get(f"/aura/tracks/{first['id']}")
    assert resp.status_code == 200 and resp.headers["content-type"] == AURA
    assert resp.json()["data"] == first
    missing = http.get("/aura/tracks/99999")
    assert missing.status_code == 404 and missing.headers["content-type"] == AURA
    err = missing.json()["errors"][0]
    assert err["status"] == "404" and err["title"] and err["detail"]
    assert http.get("/aura/tracks/not-a-number").status_code == 404


def test_filters_are_exact_and_anded(http: httpx.Client, library: Path) -> None:
    assert _titles(http.get("/aura/tracks", params={"filter[recording-mbid]": "rec-3"}).json()) == ["Duet"]
    assert _titles(http.get("/aura/tracks", params={"filter[title]": "blackbird"}).json()) == []
    both = http.get("/aura/tracks", params={"filter[album]": "White", "filter[track]": "2"}).json()
    assert _titles(both) == ["Julia"]
    assert http.get("/aura/tracks", params={"filter[unknown-attr]": "x"}).json()["data"] == []
    assert http.get("/aura/tracks", params={"filter[year]": "not-a-year"}).json()["data"] == []


def test_sort_multi_key_and_omits_missing(http: httpx.Client, library: Path) -> None:
    doc = http.get("/aura/tracks", params={"sort": "-year,title"}).json()
    assert _titles(doc) == ["Single", "Duet", "Blackbird", "Julia"]  # "Solo" has no year
    assert http.get("/aura/tracks", params={"sort": "nonsense"}).status_code == 400


def test_pagination_walks_every_track_once(http: httpx.Client, library: Path) -> None:
    seen: list[str] = []
    url: str | None = "/aura/tracks?limit=2&sort=title"
    pages = 0
    while url:
        resp = http.get(url)
        assert resp.status_code == 200
        doc = resp.json()
        assert len(doc["data"]) <= 2
        seen += _titles(doc)
        url = doc.get("links", {}).get("next")
        if url:
            assert url.startswith(http.base_url.scheme + "://") and "limit=2" in url and "sort=title" in url
        pages += 1
    assert seen == sorted(s[1] for s in SONGS) and pages == 3


def test_bad_paging_parameters(http: httpx.Client, library: Path) -> None:
    for params in ({"limit": "-1"}, {"limit": "0"}, {"limit": "abc"}, {"page": "bogus"}):
        resp = http.get("/aura/tracks", params=params)
        assert resp.status_code == 400, params
        assert resp.json()["errors"][0]["status"] == "400"


def test_include_albums_deduplicated(http: httpx.Client, library: Path) -> None:
    doc = http.get("/aura/tracks", params={"filter[album]": "White", "include": "albums"}).json()
    assert len(doc["data"]) == 2
    assert len(doc["included"]) == 1
    album = doc["included"][0]
    assert album["type"] == "album" and album["attributes"]["title"] == "White"
    assert len(album["relationships"]["tracks"]["data"]) == 2


async def test_grpc_list_filter_page_and_get(server: RunningServer, library: Path) -> None:
    async with grpc.aio.insecure_channel(server.grpc_target) as channel:
        stub = media_pb2_grpc.MediaServiceStub(channel)
        first = await stub.ListTracks(media_pb2.ListTracksRequest(limit=3, sort="title"))
        assert [t.attributes.title for t in first.data] == ["Blackbird", "Duet", "Julia"]
        assert first.links.HasField("next")
        second = await stub.ListTracks(media_pb2.ListTracksRequest(limit=3, sort="title", page=first.links.next))
        assert [t.attributes.title for t in second.data] == ["Single", "Solo"]
        assert not second.links.HasField("next")
        filtered = await stub.ListTracks(media_pb2.ListTracksRequest(filter={"artist": "Bob"}))
        assert [t.attributes.title for t in filtered.data] == ["Solo"]
        one = await stub.GetTrack(media_pb2.GetTrackRequest(id=first.data[0].id, include="albums"))
        assert one.data.attributes.recording_mbid == "rec-1"
        assert one.included[0].attributes["title"] == "White"
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.ListTracks(media_pb2.ListTracksRequest(page="garbage"))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
