"""The web console at `/` through Envoy: browsers get the app (and it for every client route), other
clients a JSON index of the APIs; the built files under /console/; gRPC-web on the same port."""

from __future__ import annotations

import struct

import httpx
import pytest

from polyphony.api.media.v1 import media_pb2
from polyphony.edge import assets

pytestmark = pytest.mark.skipif(
    not (assets.console_dist() / "index.html").exists(), reason="console not built (scripts/setup builds it)"
)

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_root_is_a_json_index_for_api_clients(http: httpx.Client) -> None:
    resp = http.get("/")
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    doc = resp.json()
    assert {a["base"] for a in doc["apis"]} == {"/aura/", "/tams/", "/timeside/api/", "/opentheater/"}
    assert all(a["docs"].startswith("/docs/") for a in doc["apis"])


@pytest.mark.parametrize(
    "path", ["/", "/library", "/library?artist=X", "/show/09a7506a-d399-4d42-983f-47a12e028586", "/docs/tams"]
)
def test_browsers_get_the_app_on_every_client_route(http: httpx.Client, path: str) -> None:
    resp = http.get(path, headers=HTML)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    assert '<div id="app">' in resp.text and "/console/assets/" in resp.text


def test_api_routes_stay_apis_for_browsers(http: httpx.Client) -> None:
    resp = http.get("/aura/server", headers=HTML)
    assert resp.status_code == 200 and resp.json()["data"]["type"] == "server"
    assert http.get("/library").status_code == 404  # not a browser: no app, the API's 404


def test_console_files_are_served_with_caching(http: httpx.Client) -> None:
    page = http.get("/", headers=HTML).text
    script = page.split('src="', 1)[1].split('"', 1)[0]
    resp = http.get(script)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/javascript")
    assert "immutable" in resp.headers["cache-control"]
    again = http.get(script, headers={"if-none-match": resp.headers["etag"]})
    assert again.status_code == 304
    assert http.get("/console/vendor/rapidoc-min.js").status_code == 200
    assert http.get("/console/specs/tams/api/TimeAddressableMediaStore.yaml").text.count("\nopenapi: 3")
    missing = http.get("/console/nope.js")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    assert http.post("/console/vendor/rapidoc-min.js").status_code == 405


def test_grpc_web_reaches_the_services(http: httpx.Client) -> None:
    resp = http.post(
        "/polyphony.api.media.v1.MediaService/GetServer",
        content=b"\x00" + struct.pack(">I", 0),
        headers={"content-type": "application/grpc-web+proto", "x-grpc-web": "1"},
    )
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/grpc-web")
    flag, length = resp.content[0], struct.unpack(">I", resp.content[1:5])[0]
    assert flag == 0
    server = media_pb2.GetServerResponse.FromString(resp.content[5 : 5 + length])
    assert server.data.attributes.server == "polyphony"
    trailer = resp.content[5 + length :]
    assert trailer[0] == 0x80 and b"grpc-status:0" in trailer.replace(b" ", b"")


@pytest.mark.parametrize(("name", "path"), [("aura", "/aura/tracks"), ("opentheater", "/opentheater/projectList.json")])
def test_generated_openapi_documents_are_served(http: httpx.Client, name: str, path: str) -> None:
    resp = http.get(f"/console/openapi/{name}.json")
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    doc = resp.json()
    assert doc["openapi"].startswith("3.") and path in doc["paths"]
    index = http.get("/").json()
    assert f"/console/openapi/{name}.json" in {a["openapi"] for a in index["apis"]}
