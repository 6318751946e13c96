"""AURA through Envoy and MediaService over gRPC, on a library imported with `polyphony scan`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
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


def png(width: int, height: int) -> bytes:
    """A valid grey PNG of the given size (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _write(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cover.png").write_bytes(png(40, 30))
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
    out = subprocess.run(
        [sys.executable, "-m", "polyphony.cli", "scan", str(root), "--data-dir", str(server.data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
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


def _album_id(http: httpx.Client, title: str) -> str:
    return str(http.get("/aura/albums", params={"filter[title]": title}).json()["data"][0]["id"])


def test_albums_link_tracks_artists_and_cover(http: httpx.Client, library: Path) -> None:
    resp = http.get("/aura/albums", params={"sort": "title", "include": "tracks,images"})
    assert resp.status_code == 200 and resp.headers["content-type"] == AURA
    doc = resp.json()
    assert [a["attributes"]["title"] for a in doc["data"]] == ["Pairs", "White"]
    pairs = doc["data"][0]
    assert pairs["type"] == "album" and pairs["attributes"]["artist"]
    assert len(pairs["relationships"]["tracks"]["data"]) == 2
    assert {r["type"] for r in doc["included"]} == {"track", "image"}
    image = next(r for r in doc["included"] if r["type"] == "image")
    assert image["attributes"] == {
        "role": "cover",
        "mimetype": "image/png",
        "width": 40,
        "height": 30,
        "size": len(png(40, 30)),
    }
    single = http.get(f"/aura/albums/{pairs['id']}", params={"include": "artists"}).json()
    assert sorted(r["attributes"]["name"] for r in single["included"]) == ["Ann", "Bob"]
    assert http.get("/aura/albums/424242").status_code == 404


def test_artists_have_tracks_and_albums(http: httpx.Client, library: Path) -> None:
    doc = http.get("/aura/artists", params={"filter[name]": "Bob", "include": "albums"}).json()
    (bob,) = doc["data"]
    assert bob["type"] == "artist" and bob["attributes"] == {"name": "Bob"}
    assert len(bob["relationships"]["tracks"]["data"]) == 2
    assert [r["attributes"]["title"] for r in doc["included"]] == ["Pairs"]
    names = [a["attributes"]["name"] for a in http.get("/aura/artists", params={"sort": "-name"}).json()["data"]]
    assert names == sorted(names, reverse=True) and "Cleo" in names


def test_images_metadata_file_and_no_collection(http: httpx.Client, library: Path) -> None:
    album = http.get(f"/aura/albums/{_album_id(http, 'White')}").json()["data"]
    image_id = album["relationships"]["images"]["data"][0]["id"]
    meta = http.get(f"/aura/images/{image_id}").json()["data"]
    assert meta["type"] == "image" and meta["relationships"]["albums"]["data"][0]["id"] == album["id"]
    file = http.get(f"/aura/images/{image_id}/file")
    assert file.status_code == 200 and file.headers["content-type"] == "image/png"
    assert file.content == png(40, 30)
    collection = http.get("/aura/images")
    assert collection.status_code == 404 and collection.json()["errors"][0]["status"] == "404"
    assert http.get("/aura/images/999999/file").status_code == 404


def _track_id(http: httpx.Client, title: str) -> str:
    return str(http.get("/aura/tracks", params={"filter[title]": title}).json()["data"][0]["id"])


def test_audio_original_headers_range_etag(http: httpx.Client, library: Path) -> None:
    tid = _track_id(http, "Blackbird")
    original = (library / "a1.flac").read_bytes()
    full = http.get(f"/aura/tracks/{tid}/audio")  # no Accept: audio/*
    assert full.status_code == 200 and full.content == original
    assert full.headers["content-type"] == "audio/flac"
    assert full.headers["accept-ranges"] == "bytes" and "a1.flac" in full.headers["content-disposition"]
    assert full.headers["last-modified"].endswith("GMT")
    etag = full.headers["etag"]
    part = http.get(f"/aura/tracks/{tid}/audio", headers={"Range": "bytes=100-199", "Accept": "*/*"})
    assert part.status_code == 206 and part.content == original[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(original)}"
    tail = http.get(f"/aura/tracks/{tid}/audio", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == original[-10:]
    beyond = http.get(f"/aura/tracks/{tid}/audio", headers={"Range": f"bytes={len(original)}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(original)}"
    assert beyond.json()["errors"][0]["status"] == "416"
    cached = http.get(f"/aura/tracks/{tid}/audio", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    forged = http.get(f"/aura/tracks/{tid}/audio", headers={"x-edge-head": "1"})  # only Envoy may mark HEAD
    assert forged.status_code == 200 and forged.content == original
    head = http.head(f"/aura/tracks/{tid}/audio")
    assert head.status_code == 200 and head.content == b"" and head.headers["content-type"] == "audio/flac"
    assert http.get("/aura/tracks/999999/audio").status_code == 404


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("audio/wav", "audio/wav"),
        ("audio/ogg", "audio/ogg"),
        ("audio/mpeg", "audio/mpeg"),
        ("audio/opus", "audio/opus"),
        ("audio/mpeg;q=0.5, audio/flac;q=0.9", "audio/flac"),
    ],
)
def test_audio_negotiation_and_transcoding(http: httpx.Client, library: Path, accept: str, mimetype: str) -> None:
    import io

    resp = http.get(f"/aura/tracks/{_track_id(http, 'Julia')}/audio", headers={"Accept": accept})
    assert resp.status_code == 200 and resp.headers["content-type"] == mimetype
    data, rate = soundfile.read(io.BytesIO(resp.content))
    assert rate in (22050, 48000)
    assert abs(len(data) / rate - 1.0) < 0.1  # one second of audio, whatever the codec's padding


def test_audio_bitrate_cap_is_a_maximum(http: httpx.Client, library: Path) -> None:
    tid = _track_id(http, "Julia")
    original_bitrate = http.get(f"/aura/tracks/{tid}").json()["data"]["attributes"]["bitrate"]
    # the original fits under a generous cap: served as is
    ok = http.get(f"/aura/tracks/{tid}/audio", headers={"Accept": f"audio/flac;bitrate={original_bitrate + 1}"})
    assert ok.status_code == 200 and ok.headers["content-type"] == "audio/flac"
    # a cap below the FLAC: lossless cannot, so a lossy type that can is chosen and honours it
    cap = 60000
    assert original_bitrate > cap
    capped = http.get(f"/aura/tracks/{tid}/audio", headers={"Accept": f"audio/*;bitrate={cap}"})
    assert capped.status_code == 200 and capped.headers["content-type"] in ("audio/mpeg", "audio/opus")
    assert len(capped.content) * 8 / 1.0 <= cap * 1.1  # one second of audio
    refused = http.get(f"/aura/tracks/{tid}/audio", headers={"Accept": "audio/flac;bitrate=1000"})
    assert refused.status_code == 406 and refused.headers["content-type"] == AURA
    assert http.get(f"/aura/tracks/{tid}/audio", headers={"Accept": "video/mp4"}).status_code == 406


async def test_grpc_audio_stream_and_albums(server: RunningServer, library: Path) -> None:
    async with grpc.aio.insecure_channel(server.grpc_target) as channel:
        stub = media_pb2_grpc.MediaServiceStub(channel)
        tracks = await stub.ListTracks(media_pb2.ListTracksRequest(filter={"title": "Solo"}))
        tid = tracks.data[0].id
        call = stub.GetTrackAudio(media_pb2.GetTrackAudioRequest(id=tid, range="bytes=0-9"))
        chunks = [m async for m in call]
        assert b"".join(c.data for c in chunks) == (library / "b2.flac").read_bytes()[:10]
        assert chunks[0].content_type == "audio/flac"
        assert dict(await call.initial_metadata())["content-range"].startswith("bytes 0-9/")
        wav = b"".join(
            [m.data async for m in stub.GetTrackAudio(media_pb2.GetTrackAudioRequest(id=tid, accept="audio/wav"))]
        )
        assert wav[:4] == b"RIFF"
        with pytest.raises(grpc.aio.AioRpcError) as err:
            [m async for m in stub.GetTrackAudio(media_pb2.GetTrackAudioRequest(id=tid, accept="text/plain"))]
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        albums = await stub.ListAlbums(media_pb2.ListAlbumsRequest(sort="-title", include="artists"))
        assert [a.attributes.title for a in albums.data] == ["White", "Pairs"]
        artist = await stub.GetArtist(media_pb2.GetArtistRequest(id=albums.data[0].relationships.artists.data[0].id))
        assert artist.data.attributes.name == "The Fab"


async def test_native_grpc_callers_cannot_forge_edge_metadata(server: RunningServer, library: Path) -> None:
    """x-edge-* and the transcoder's x-envoy-original-* facts are the edge's to set: a native gRPC caller that
    sends them is not believed (no HEAD-style empty stream, no REST query string taking over its request)."""
    forged = (
        ("x-edge-head", "1"),
        ("x-edge-host", "evil.example"),
        ("x-envoy-original-path", "/aura/tracks?filter[title]=nothing-matches-this"),
        ("x-envoy-original-method", "GET"),
        ("x-edge-key", "0" * 64),
    )
    async with grpc.aio.insecure_channel(server.grpc_target) as channel:
        stub = media_pb2_grpc.MediaServiceStub(channel)
        tracks = await stub.ListTracks(media_pb2.ListTracksRequest(filter={"title": "Solo"}), metadata=forged)
        assert [t.attributes.title for t in tracks.data] == ["Solo"]
        call = stub.GetTrackAudio(media_pb2.GetTrackAudioRequest(id=tracks.data[0].id), metadata=forged)
        data = b"".join([m.data async for m in call])
        assert data == (library / "b2.flac").read_bytes()


def test_rescan_skips_unchanged_keeps_moved_ids_and_drops_removed(
    server: RunningServer, http: httpx.Client, tmp_path: Path
) -> None:
    root = tmp_path / "lib2"
    root.mkdir()
    for i, title in enumerate(["Moves", "Stays", "Goes"]):
        path = root / f"{title}.flac"
        soundfile.write(str(path), 0.2 * np.sin(np.arange(8000) * (0.05 + i * 0.01)), 8000, format="FLAC")
        tags = FLAC(path)
        tags["title"], tags["artist"] = title, "Rescan Band"
        tags.save()
    env = dict(os.environ, POLYPHONY_DATABASE_URL=server.database_url)

    def scan() -> str:
        out = subprocess.run(
            [sys.executable, "-m", "polyphony.cli", "scan", str(root)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        return out.stderr

    assert "3 added" in scan()
    before = {
        r["attributes"]["title"]: r["id"]
        for r in http.get("/aura/tracks", params={"filter[artist]": "Rescan Band"}).json()["data"]
    }
    (root / "sub").mkdir()
    (root / "Moves.flac").rename(root / "sub" / "Moved.flac")
    (root / "Goes.flac").unlink()
    report = scan()
    assert "1 moved" in report and "1 unchanged" in report and "1 removed" in report

    def listed() -> dict[str, str]:
        return {
            r["attributes"]["title"]: r["id"]
            for r in http.get("/aura/tracks", params={"filter[artist]": "Rescan Band"}).json()["data"]
        }

    # another process changed the library: each server process notices within a second (response cache)
    deadline = time.monotonic() + 5
    while listed() != {"Moves": before["Moves"], "Stays": before["Stays"]} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert listed() == {"Moves": before["Moves"], "Stays": before["Stays"]}


async def test_grpc_scan_streams_progress_within_library_folders(server: RunningServer, tmp_path: Path) -> None:
    folder = server.data_dir / "library" / "grpc-scan"
    folder.mkdir(parents=True)
    for i in range(3):
        path = folder / f"{i}.flac"
        soundfile.write(str(path), 0.1 * np.sin(np.arange(4000) * (0.1 + i / 50)), 8000, format="FLAC")
        tags = FLAC(path)
        tags["title"], tags["artist"] = f"Streamed {i}", "Scan Streamer"
        tags.save()
    (folder / "junk.mp3").write_bytes(b"no")
    async with grpc.aio.insecure_channel(server.grpc_target) as channel:
        stub = media_pb2_grpc.MediaServiceStub(channel)
        frames = [
            f
            async for f in stub.ScanLibrary(
                media_pb2.ScanLibraryRequest(paths=[str(folder)]), metadata=server.grpc_auth()
            )
        ]
        assert [f.done for f in frames[:-1]] == [1, 2, 3, 4] and all(f.total == 4 for f in frames[:-1])
        summary = frames[-1].summary
        assert (summary.added, summary.removed, len(summary.failed)) == (3, 0, 1)
        listed = await stub.ListTracks(media_pb2.ListTracksRequest(filter={"artist": "Scan Streamer"}))
        assert len(listed.data) == 3
        with pytest.raises(grpc.aio.AioRpcError) as err:
            [
                f
                async for f in stub.ScanLibrary(
                    media_pb2.ScanLibraryRequest(paths=[str(tmp_path)]), metadata=server.grpc_auth()
                )
            ]
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.aio.AioRpcError) as err:
            [f async for f in stub.ScanLibrary(media_pb2.ScanLibraryRequest(paths=[str(folder)]))]
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_m4a_and_aac_tracks_scan_and_serve(server: RunningServer, http: httpx.Client, tmp_path: Path) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    from tests.unit.media.test_tags import write_aac

    root = tmp_path / "aac"
    root.mkdir()
    write_aac(root / "Tagged.m4a", 44100, "mp4")
    tags = MP4(root / "Tagged.m4a")
    tags["\xa9nam"], tags["\xa9ART"], tags["\xa9alb"] = ["Apple Tune"], ["Mp4 Band"], ["Containers"]
    tags["trkn"] = [(2, 5)]
    tags["covr"] = [MP4Cover(png(32, 24), imageformat=MP4Cover.FORMAT_PNG)]
    tags.save()
    write_aac(root / "Adts Stream.aac", 44100, "adts")
    env = dict(os.environ, POLYPHONY_DATABASE_URL=server.database_url)
    out = subprocess.run(
        [sys.executable, "-m", "polyphony.cli", "scan", str(root)], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0 and "2 added" in out.stderr, out.stderr

    doc = http.get("/aura/tracks", params={"filter[artist]": "Mp4 Band", "include": "images"}).json()
    [track] = doc["data"]
    attrs = track["attributes"]
    assert (attrs["title"], attrs["album"], attrs["track"], attrs["tracktotal"]) == ("Apple Tune", "Containers", 2, 5)
    assert attrs["mimetype"] == "audio/mp4" and attrs["framerate"] == 44100 and attrs["channels"] == 2
    assert "bitdepth" not in attrs and abs(attrs["duration"] - 2.0) < 0.1
    [image] = doc["included"]
    assert image["attributes"]["mimetype"] == "image/png" and image["attributes"]["width"] == 32
    assert http.get(f"/aura/images/{image['id']}/file").content == png(32, 24)

    original = (root / "Tagged.m4a").read_bytes()
    part = http.get(f"/aura/tracks/{track['id']}/audio", headers={"Accept": "*/*", "Range": "bytes=0-1023"})
    assert part.status_code == 206 and part.content == original[:1024]
    assert part.headers["content-type"] == "audio/mp4"
    # AAC is served as stored; asking only for a type it cannot be turned into is a 406 in AURA's shape
    refused = http.get(f"/aura/tracks/{track['id']}/audio", headers={"Accept": "audio/flac"})
    assert refused.status_code == 406 and refused.json()["errors"][0]["status"] == "406"

    [raw] = http.get("/aura/tracks", params={"filter[title]": "Adts Stream"}).json()["data"]
    assert raw["attributes"]["mimetype"] == "audio/aac"
    async with grpc.aio.insecure_channel(server.grpc_target) as channel:
        stub = media_pb2_grpc.MediaServiceStub(channel)
        got = await stub.GetTrack(media_pb2.GetTrackRequest(id=raw["id"]))
        assert got.data.attributes.mimetype == "audio/aac" and got.data.attributes.framerate == 44100
        chunks = [c async for c in stub.GetTrackAudio(media_pb2.GetTrackAudioRequest(id=raw["id"]))]
        assert b"".join(c.data for c in chunks) == (root / "Adts Stream.aac").read_bytes()
