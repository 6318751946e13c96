"""The generated OpenAPI documents (polyphony.edge.openapi): valid OpenAPI 3, one operation per
`google.api.http` binding, schemas in the JSON mapping each route family prints. (They are fuzzed against
the running server in tests/conformance/test_fuzz_openapi.py.)"""

from __future__ import annotations

import json

import pytest
from google.api import annotations_pb2
from openapi_spec_validator import validate

from polyphony.api.media.v1 import media_pb2
from polyphony.api.trigger.v1 import trigger_pb2
from polyphony.cli import main
from polyphony.edge import openapi


@pytest.mark.parametrize("name", openapi.names())
def test_documents_are_valid_openapi(name: str) -> None:
    validate(openapi.document(name, "http://127.0.0.1:8080"))  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "module"), [("media", media_pb2), ("trigger", trigger_pb2)])
def test_every_http_binding_is_an_operation(name: str, module: object) -> None:
    doc = openapi.document(name)
    service = next(iter(module.DESCRIPTOR.services_by_name.values()))  # type: ignore[attr-defined]
    expected = set()
    for method in service.methods:
        options = method.GetOptions()
        if options.HasExtension(annotations_pb2.http):
            for verb, template, _body in openapi._rules(options.Extensions[annotations_pb2.http]):
                expected.add((verb, openapi._VARIABLE.sub(lambda m: "{" + m.group(1) + "}", template)))
    found = {(verb, path) for path, ops in doc["paths"].items() for verb in ops}
    assert found == expected


def test_aura_document_speaks_json_api() -> None:
    doc = openapi.document("media")
    attributes = doc["components"]["schemas"]["ServerAttributes"]["properties"]
    assert {"aura-version", "server-version", "auth-required"} <= set(attributes)  # json_name, not proto names
    tracks = doc["paths"]["/aura/tracks"]["get"]
    params = {p["name"]: p for p in tracks["parameters"]}
    assert params["filter"]["style"] == "deepObject"  # filter[artist]=...
    assert "application/vnd.api+json" in tracks["responses"]["200"]["content"]
    assert "errors" in doc["components"]["schemas"]["Error"]["properties"]
    audio = doc["paths"]["/aura/tracks/{id}/audio"]["get"]
    assert {"200", "206", "304"} <= set(audio["responses"])
    assert {p["name"] for p in audio["parameters"] if p["in"] == "header"} == {"Accept", "Range"}
    assert "security" not in tracks  # reads are open by default


def test_open_theater_writes_need_a_token_and_answer_their_statuses() -> None:
    doc = openapi.document("trigger")
    create = doc["paths"]["/opentheater/projects"]["post"]
    assert create["security"] == [{"bearerAuth": []}]
    assert {"201", "401", "403"} <= set(create["responses"])
    assert "204" in doc["paths"]["/opentheater/projects/{project_uuid}"]["delete"]["responses"]
    upload = doc["paths"]["/opentheater/files/{project_uuid}/{channel_uuid}/{filepath}"]["put"]
    assert {"200", "201"} <= set(upload["responses"]) and "*/*" in upload["requestBody"]["content"]
    assert "projectPath" in json.dumps(doc["components"]["schemas"])  # lowerCamelCase JSON names


def test_cli_prints_a_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi", "trigger", "--server-url", "http://example.invalid"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["servers"] == [{"url": "http://example.invalid"}] and doc["openapi"].startswith("3.")
