"""`created_by` / `updated_by` of Flows and Sources default to the authenticated principal (REST and gRPC)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import grpc
import httpx
from google.protobuf import json_format

from polyphony.api.flow.v1 import flow_pb2, flow_pb2_grpc
from tests.e2e import tams_clients
from tests.harness import RunningServer
from tests.unit.flow.spec import assert_valid, audio_flow

# TAMS reads need a token: `http` carries the read token, `anon` none (tests/e2e/tams_clients.py)
http = tams_clients.http
anon = tams_clients.anon
channel = tams_clients.channel


def _basic(server: RunningServer, user: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{user}:{server.write_token}".encode()).decode()}


def _token_name(server: RunningServer) -> str:
    return "token-" + hashlib.sha256(server.write_token.encode()).hexdigest()[:12]


def _get(http: httpx.Client, path: str) -> dict[str, Any]:
    resp = http.get(path)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_flow_and_source_record_who_created_and_updated_them(http: httpx.Client, server: RunningServer) -> None:
    doc = audio_flow()
    doc.pop("created_by", None)
    doc.pop("updated_by", None)
    url = f"/tams/flows/{doc['id']}"
    created = http.put(url, json=doc, headers=server.auth())
    assert created.status_code == 201, created.text
    me = _token_name(server)
    assert created.json()["created_by"] == me and created.json()["updated_by"] == me
    source = _get(http, f"/tams/sources/{doc['source_id']}")
    assert_valid("source.json", source)
    assert source["created_by"] == me and source["updated_by"] == me

    # a change by alice: she updated it, the creator stays
    assert http.put(url, json={**doc, "label": "changed"}, headers=_basic(server, "alice")).status_code == 204
    got = _get(http, url)
    assert got["created_by"] == me and got["updated_by"] == "alice"
    version = got["metadata_version"]
    # the same document again from bob changes nothing, so alice remains the last to update it
    assert http.put(url, json={**doc, "label": "changed"}, headers=_basic(server, "bob")).status_code == 204
    got = _get(http, url)
    assert got["updated_by"] == "alice" and got["metadata_version"] == version
    # a property edit by bob
    assert http.put(f"{url}/description", json="by bob", headers=_basic(server, "bob")).status_code == 204
    assert _get(http, url)["updated_by"] == "bob"
    # values the client sets win
    assert (
        http.put(
            url, json={**doc, "created_by": "ingest-app", "updated_by": "ingest-app"}, headers=server.auth()
        ).status_code
        == 204
    )
    got = _get(http, url)
    assert got["created_by"] == "ingest-app" and got["updated_by"] == "ingest-app"
    assert_valid("flow-get.json", got)
    # a Source edit
    assert (
        http.put(f"/tams/sources/{doc['source_id']}/label", json="src", headers=_basic(server, "carol")).status_code
        == 204
    )
    source = _get(http, f"/tams/sources/{doc['source_id']}")
    assert source["created_by"] == me and source["updated_by"] == "carol"


async def test_grpc_put_flow_records_the_principal(channel: grpc.aio.Channel, server: RunningServer) -> None:
    stub = flow_pb2_grpc.FlowServiceStub(channel)
    doc = audio_flow()
    doc.pop("created_by", None)
    doc.pop("updated_by", None)
    flow = json_format.ParseDict(doc, flow_pb2.Flow())
    got = await stub.PutFlow(flow_pb2.PutFlowRequest(flow_id=doc["id"], flow=flow), metadata=server.grpc_auth())
    assert got.created_by == _token_name(server) and got.updated_by == _token_name(server)
    source = await stub.GetSource(flow_pb2.GetSourceRequest(source_id=doc["source_id"]))
    assert source.created_by == _token_name(server)
