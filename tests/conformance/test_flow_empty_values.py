"""TAMS answers whose values are empty still carry every field the spec's schemas require.

Proto3's canonical JSON omits empty strings, lists and maps of fields without presence (the `/tams` routes
print with `always_print_primitive_fields: false`), so a required field can vanish exactly when its value is
empty. Each operation below is driven to answer with empty values (an empty `object_id`, `events`,
`referenced_by_flows`, `get_urls`, label, description, tags and lists) and its answer is validated by
schemathesis against the official spec (`specs/tams/api`)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conformance.test_flow_schemathesis import _example, _validating_caller
from tests.harness import RunningServer
from tests.unit.flow.spec import rekey


def _flow_with_empty_values() -> dict[str, Any]:
    doc: dict[str, Any] = rekey(_example("flow-get-200-video-h264.json"))
    for key in ("collected_by", "created", "metadata_updated", "segments_updated", "generation"):
        doc.pop(key, None)
    doc.update(label="", description="", tags={})
    return doc


def test_empty_values_keep_required_fields(server: RunningServer) -> None:
    call = _validating_caller(server)
    json = "application/json"
    # a Flow (and its Source) with an empty label, description and tags
    flow = _flow_with_empty_values()
    put = call("/flows/{flowId}", "PUT", path_parameters={"flowId": flow["id"]}, body=flow, media_type=json)
    assert put.status_code == 201, put.text
    got = call("/flows/{flowId}", "GET", path_parameters={"flowId": flow["id"]}, query={"include_timerange": "true"})
    assert got.status_code == 200 and got.json()["label"] == "" and got.json()["timerange"] == "()"
    assert call("/flows", "GET", query={"source_id": flow["source_id"]}).status_code == 200
    assert call("/sources/{sourceId}", "GET", path_parameters={"sourceId": flow["source_id"]}).status_code == 200
    # a Flow with no Segments: an empty segment list, an empty timerange
    segments = call("/flows/{flowId}/segments", "GET", path_parameters={"flowId": flow["id"]})
    assert segments.status_code == 200 and segments.json() == []
    # an Object with its get_urls filtered away, and one whose referencing Flows are all filtered out
    with httpx.Client(base_url=server.http, timeout=30) as http:
        storage = http.post(f"/tams/flows/{flow['id']}/storage", json={"limit": 1}, headers=server.auth()).json()
        item = storage["media_objects"][0]
        http.put(item["put_url"]["url"], content=b"x", headers={"content-type": item["put_url"]["content-type"]})
    oid = item["object_id"]
    bulk = [{"object_id": oid, "timerange": "[0:0_1:0)"}, {"object_id": "", "timerange": "[1:0_2:0)"}]
    failed = call(
        "/flows/{flowId}/segments", "POST", path_parameters={"flowId": flow["id"]}, body=bulk, media_type=json
    )
    assert failed.status_code == 200 and failed.json()["failed_segments"][0]["object_id"] == "", failed.text
    no_urls = call(
        "/flows/{flowId}/segments", "GET", path_parameters={"flowId": flow["id"]}, query={"accept_get_urls": ""}
    )
    assert no_urls.status_code == 200 and "get_urls" not in no_urls.json()[0]
    unreferenced = call("/objects/{objectId}", "GET", path_parameters={"objectId": oid}, query={"flow_tag.none": "x"})
    assert unreferenced.status_code == 200 and unreferenced.json()["referenced_by_flows"] == [], unreferenced.text
    # a webhook with no events, through its whole life
    hook = {"url": f"http://127.0.0.1:9/{uuid.uuid4()}", "events": []}
    created = call("/service/webhooks", "POST", body=hook, media_type=json)
    assert created.status_code == 201 and created.json()["events"] == [], created.text
    path = {"webhookId": created.json()["id"]}
    assert call("/service/webhooks/{webhookId}", "GET", path_parameters=path).json()["events"] == []
    update = {**hook, "id": path["webhookId"], "status": "disabled"}
    put_hook = call("/service/webhooks/{webhookId}", "PUT", path_parameters=path, body=update, media_type=json)
    assert put_hook.status_code == 201 and put_hook.json()["events"] == []
    assert call("/service/webhooks", "GET", query={"limit": 0}).status_code == 200
    # the lists that document no 400, asked for nothing
    assert call("/service/storage-backends", "GET", query={"limit": 0}).status_code == 200
    assert call("/flow-delete-requests", "GET", query={"limit": 0}).status_code == 200
    assert call("/service", "GET").status_code == 200
