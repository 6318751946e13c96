"""End to end: whole-file downloads stored as encoder Results (`/results/{uuid}/audio/`), the OpenAPI
schema and ReDoc page, and the legacy HTML pages — REST through Envoy and native gRPC."""

from __future__ import annotations

import uuid

import grpc
import httpx
import pytest

from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.api.analysis.v1 import analysis_pb2_grpc
from tests.e2e.test_analysis_tasks import audio, new_item
from tests.harness import RunningServer

API = "/timeside/api"


def _seed() -> int:
    return uuid.uuid4().int % 1_000_000


def _encoder_results(http: httpx.Client, item_uuid: str) -> list[dict[str, object]]:
    rows = http.get(f"{API}/results/", params={"item_uuid": item_uuid}).json()
    return [r for r in rows if str(r["mime_type"]).startswith("audio/")]


def test_full_download_is_stored_as_a_result(http: httpx.Client, server: RunningServer) -> None:
    seed = _seed()
    item = new_item(http, server, audio(1.0, seed=seed))
    assert _encoder_results(http, item["uuid"]) == []
    first = http.get(f"{API}/items/{item['uuid']}/download/flac")
    assert first.status_code == 200 and first.headers["content-type"] == "audio/flac"
    [result] = _encoder_results(http, item["uuid"])
    assert result["mime_type"] == "audio/flac" and result["status"] == 4 and result["reused"] is False
    assert result["file"] == f"{server.http}/timeside/results/{result['uuid']}/audio/"
    assert result["files"] == {"audio": result["file"]}
    preset = http.get(str(result["preset"])).json()
    assert preset["processor"].endswith("/flac_encoder/")
    stored = http.get(f"/timeside/results/{result['uuid']}/audio/")
    assert stored.status_code == 200 and stored.headers["content-type"] == "audio/flac"
    assert stored.content == first.content
    part = http.get(f"/timeside/results/{result['uuid']}/audio/", headers={"range": "bytes=10-29"})
    assert part.status_code == 206 and part.content == first.content[10:30]
    assert part.headers["content-range"] == f"bytes 10-29/{len(first.content)}"
    # A second download reuses the stored result (same row, not re-encoded).
    again = http.get(f"{API}/items/{item['uuid']}/download/flac")
    assert again.content == first.content
    [same] = _encoder_results(http, item["uuid"])
    assert same["uuid"] == result["uuid"] and same["date_modified"] == result["date_modified"]
    # An excerpt is not stored; another format is another result.
    assert http.get(f"{API}/items/{item['uuid']}/download/wav", params={"start": 0.1, "stop": 0.5}).status_code == 200
    assert len(_encoder_results(http, item["uuid"])) == 1
    assert http.get(f"/timeside/items/{item['uuid']}/download/wav").status_code == 200
    assert {r["mime_type"] for r in _encoder_results(http, item["uuid"])} == {"audio/flac", "audio/wav"}
    # Another item with the same audio reuses the stored bytes (content-hash cache).
    twin = new_item(http, server, audio(1.0, seed=seed))
    copy = http.get(f"{API}/items/{twin['uuid']}/download/flac")
    assert copy.content == first.content
    [reused] = _encoder_results(http, twin["uuid"])
    assert reused["reused"] is True and reused["reused_from"] == result["url"]
    # Container formats of an audio result, and audio of an analyzer result, are 404 in the DRF shape.
    for fmt in ("json", "yaml", "hdf5"):
        r = http.get(f"/timeside/results/{result['uuid']}/{fmt}/")
        assert r.status_code == 404 and "detail" in r.json()
    r = http.get(f"{API}/results/{result['uuid']}/visual/")
    assert r.status_code == 404 and "detail" in r.json()
    assert http.get(f"/timeside/results/{uuid.uuid4()}/audio/").status_code == 404
    # Deleting the item removes its results.
    assert http.delete(item["url"], headers=server.auth()).status_code == 204
    assert http.get(f"/timeside/results/{result['uuid']}/audio/").status_code == 404


async def test_grpc_result_audio(http: httpx.Client, server: RunningServer, channel: grpc.aio.Channel) -> None:
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    item = new_item(http, server, audio(0.5, seed=_seed()))
    chunks = [c async for c in stub.DownloadItem(pb.DownloadItemRequest(uuid=item["uuid"], ext="wav"))]
    encoded = b"".join(c.data for c in chunks)
    assert chunks[0].content_type == "audio/wav" and encoded[:4] == b"RIFF"
    results = [r async for r in stub.ListResults(pb.ListResultsRequest(item_uuid=item["uuid"]))]
    [result] = [r for r in results if r.mime_type == "audio/wav"]
    assert result.files["audio"].endswith(f"/timeside/results/{result.uuid}/audio/")
    got = [c async for c in stub.GetResultData(pb.GetResultDataRequest(uuid=result.uuid, format="audio"))]
    assert got[0].content_type == "audio/wav" and b"".join(c.data for c in got) == encoded
    with pytest.raises(grpc.aio.AioRpcError) as err:
        [c async for c in stub.GetResultData(pb.GetResultDataRequest(uuid=result.uuid, format="json"))]
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def _rest_routes() -> set[tuple[str, str]]:
    """(method, path) of every HTTP binding of AnalysisService, read from the descriptors."""
    from google.api import annotations_pb2

    out: set[tuple[str, str]] = set()
    for method in pb.DESCRIPTOR.services_by_name["AnalysisService"].methods:
        options = method.GetOptions()
        if not options.HasExtension(annotations_pb2.http):
            continue
        rule = options.Extensions[annotations_pb2.http]
        for r in [rule, *rule.additional_bindings]:
            kind = r.WhichOneof("pattern")
            assert kind is not None and kind != "custom"
            out.add((kind, getattr(r, kind)))
    return out


def test_openapi_schema_and_docs(http: httpx.Client, server: RunningServer) -> None:
    from openapi_spec_validator import validate

    r = http.get(f"{API}/schema/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    doc = r.json()
    validate(doc)
    assert doc["openapi"].startswith("3.") and doc["servers"] == [{"url": server.http}]
    routes = _rest_routes()
    assert len(routes) > 60
    for verb, path in routes:
        assert verb in doc["paths"][path], (verb, path)
    # The rows of API.md §4, by their REST paths here.
    for path, verb in [
        ("/timeside/api/items/{uuid}", "patch"),
        ("/timeside/api/items/{uuid}/download/{ext}", "get"),
        ("/timeside/api/results/{uuid}/visual", "get"),
        ("/timeside/results/{uuid}/{format}", "get"),
        ("/timeside/api/schema", "get"),
        ("/timeside/api/docs", "get"),
        ("/timeside/player", "get"),
        ("/timeside/items/{uuid}", "get"),
        ("/timeside/items/{uuid}/export", "get"),
        ("/timeside/api/tasks", "post"),
        ("/timeside/api-token-auth", "post"),
    ]:
        assert verb in doc["paths"][path], (verb, path)
    download = doc["paths"]["/timeside/api/items/{uuid}/download/{ext}"]["get"]
    assert {(p["name"], p["in"]) for p in download["parameters"]} == {
        ("uuid", "path"),
        ("ext", "path"),
        ("start", "query"),
        ("stop", "query"),
    }
    assert "Range header" in download["description"]
    listing = doc["paths"]["/timeside/api/results"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listing["schema"] == {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}
    result = doc["components"]["schemas"]["Result"]["properties"]
    assert result["mime_type"]["type"] == "string" and "encoder results" in result["mime_type"]["description"]
    assert result["files"] == {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": result["files"]["description"],
    }
    assert doc["paths"]["/timeside/api/presets"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    # Every $ref resolves.
    refs = {part.split('"')[0] for part in r.text.split('"$ref":"#/components/schemas/')[1:]}
    refs |= {part.split('"')[0] for part in r.text.split('"$ref": "#/components/schemas/')[1:]}
    assert refs and refs <= set(doc["components"]["schemas"])
    docs = http.get(f"{API}/docs/")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert f'spec-url="{server.http}/timeside/api/schema/"' in docs.text and "<rapi-doc" in docs.text
    # the renderer is the console's vendored copy on this server, nothing from a CDN
    script = docs.text.split('<script src="', 1)[1].split('"', 1)[0]
    assert script == f"{server.http}/console/vendor/rapidoc-min.js" and "https://" not in docs.text
    assert http.get(script).status_code == 200


async def test_grpc_schema_and_pages(http: httpx.Client, server: RunningServer, channel: grpc.aio.Channel) -> None:
    import json

    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    schema = await stub.GetApiSchema(pb.GetApiSchemaRequest())
    assert schema.content_type == "application/vnd.oai.openapi+json"
    assert "/timeside/api/items" in json.loads(schema.data)["paths"]
    docs = await stub.GetApiDocs(pb.GetApiDocsRequest())
    assert docs.content_type.startswith("text/html") and b"<rapi-doc" in docs.data
    item = new_item(http, server, audio(0.5, seed=_seed()), title="<b>grpc</b> & co")
    full = await stub.GetItem(pb.GetItemRequest(uuid=item["uuid"]))
    assert full.audio_url["ogg"].endswith(f"/timeside/items/{item['uuid']}/download/ogg")
    assert full.waveform_url.endswith(f"/timeside/api/items/{item['uuid']}/waveform/")
    page = await stub.GetItemPage(pb.GetItemPageRequest(uuid=item["uuid"]))
    assert page.content_type.startswith("text/html") and b"&lt;b&gt;grpc&lt;/b&gt; &amp; co" in page.data
    export = await stub.GetItemExportPage(pb.GetItemPageRequest(uuid=item["uuid"]))
    assert f"/timeside/items/{item['uuid']}/download/flac".encode() in export.data
    player = await stub.GetPlayerPage(pb.GetPlayerPageRequest(item=item["uuid"]))
    assert b"<audio" in player.data and b"&lt;b&gt;grpc" in player.data
    for call in (
        stub.GetItemPage(pb.GetItemPageRequest(uuid=str(uuid.uuid4()))),
        stub.GetItemExportPage(pb.GetItemPageRequest(uuid="nope")),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await call
        assert err.value.code() == grpc.StatusCode.NOT_FOUND


EVIL = '<script>alert("x")</script>'


def test_legacy_html_pages(http: httpx.Client, server: RunningServer) -> None:
    r = http.post(
        f"{API}/items/",
        data={"title": EVIL, "description": f"d {EVIL}", "artist": "a\"b'c"},
        files={"source_file": ("a.wav", audio(1.0, seed=_seed()), "audio/wav")},
        headers=server.auth(),
    )
    assert r.status_code == 201, r.text
    item = r.json()
    page = http.get(f"/timeside/items/{item['uuid']}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.text
    assert "a&quot;b&#x27;c" in page.text
    download = f"{server.http}/timeside/items/{item['uuid']}/download/mp3"
    assert f'<audio controls preload="none"><source src="{download}" type="audio/mpeg">' in page.text
    assert '<svg class="waveform"' in page.text and "<polygon points=" in page.text
    assert http.get(download).headers["content-type"] == "audio/mpeg"
    full = http.get(item["url"]).json()
    assert full["audio_url"] == {
        ext: f"{server.http}/timeside/items/{item['uuid']}/download/{ext}" for ext in ("mp3", "ogg", "flac")
    }
    assert full["waveform_url"] == f"{server.http}/timeside/api/items/{item['uuid']}/waveform/"
    assert http.get(full["waveform_url"]).json()["nb_pixels"] > 0
    assert "audio_url" not in http.get(f"{API}/items/").json()[0]
    export = http.get(f"/timeside/items/{item['uuid']}/export/")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/html")
    assert "<script" not in export.text and "&lt;script&gt;" in export.text
    assert f"{server.http}/timeside/items/{item['uuid']}/download/flac" in export.text
    # The mp3 download above is now a result, listed on the export page with its audio URL.
    [result] = _encoder_results(http, item["uuid"])
    assert f"/timeside/results/{result['uuid']}/audio/" in export.text
    player = http.get("/timeside/player/")
    assert player.status_code == 200 and player.headers["content-type"].startswith("text/html")
    assert "<script" not in player.text and f"/timeside/player/?item={item['uuid']}" in player.text
    one = http.get("/timeside/player/", params={"item": item["uuid"]})
    assert one.status_code == 200 and f'<source src="{download}"' in one.text and "&lt;script&gt;" in one.text
    for url in (
        f"/timeside/items/{uuid.uuid4()}/",
        f"/timeside/items/{uuid.uuid4()}/export/",
        "/timeside/items/x/",
        "/timeside/player/?item=" + str(uuid.uuid4()),
    ):
        missing = http.get(url)
        assert missing.status_code == 404, url
        assert missing.headers["content-type"].startswith("application/json")
        assert missing.json() == {"detail": "No Item matches the given query."}
