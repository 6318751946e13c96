"""The OpenAPI 3 document of the TimeSide REST surface, generated from the AnalysisService descriptors.

Paths and methods come from each method's `google.api.http` rule (and its additional bindings), path
parameters from the template variables, query parameters (GET and DELETE) from the request's other
scalar fields, request and response bodies from the message types: component schemas follow the
proto JSON mapping Envoy applies to `/timeside/` (proto field names, 64-bit integers as strings,
enums by name, well-known types by their JSON form). Server-streaming methods answer a JSON array,
`google.api.HttpBody` is a raw body of the type the server sets. Descriptions are the proto comments
(from the source info of the descriptor set Envoy loads); a field whose comment names its REST form
(``REST: `?start=` ``) is documented under that query name, as the server reads it.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from typing import Any

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor, descriptor_pb2
from google.protobuf.message import DecodeError

from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.rpc.json_schema import PATH_VARIABLE as _VARIABLE
from polyphony.rpc.json_schema import REST_NAME as _REST_NAME
from polyphony.rpc.json_schema import SCALARS as _SCALARS
from polyphony.rpc.json_schema import WELL_KNOWN as _WELL_KNOWN

SERVICE = "AnalysisService"
HTTP_BODY = "google.api.HttpBody"
_FD = descriptor.FieldDescriptor
_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "additionalProperties": True}


def _walk_messages(messages: Any, prefix: str, path: tuple[int, ...], out: dict[tuple[int, ...], str]) -> None:
    for i, message in enumerate(messages):
        name = f"{prefix}.{message.name}"
        out[(*path, i)] = name
        for j, field in enumerate(message.field):
            out[(*path, i, 2, j)] = f"{name}.{field.name}"
        _walk_messages(message.nested_type, name, (*path, i, 3), out)


@cache
def comments() -> dict[str, str]:
    """Leading proto comments by full name (messages, fields, services' methods) of the analysis proto."""
    from polyphony.edge.assets import descriptor_set

    try:
        fds = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set().read_bytes())
    except (OSError, DecodeError):
        return {}  # no descriptor set (or a damaged one): the document goes without descriptions
    out: dict[str, str] = {}
    for file in fds.file:
        if file.name != pb.DESCRIPTOR.name:
            continue
        names: dict[tuple[int, ...], str] = {}
        _walk_messages(file.message_type, file.package, (4,), names)
        for i, service in enumerate(file.service):
            for j, method in enumerate(service.method):
                names[(6, i, 2, j)] = f"{file.package}.{service.name}.{method.name}"
        for location in file.source_code_info.location:
            name = names.get(tuple(location.path))
            text = "\n".join(line.strip() for line in location.leading_comments.strip().splitlines())
            lines = [ln for ln in text.splitlines() if not ln.startswith("buf:lint:")]
            if name is not None and lines:
                out[name] = "\n".join(lines)
    return out


def rest_query_name(field: descriptor.FieldDescriptor) -> str:
    """The name the REST form reads the field under (its comment's ``REST: `?x=` ``, else the field name)."""
    found = _REST_NAME.search(comments().get(field.full_name, ""))
    return found.group(1) if found else field.name


def _schema_name(message: descriptor.Descriptor) -> str:
    return message.full_name.removeprefix("polyphony.api.analysis.v1.").replace(".", "_")


class _Builder:
    def __init__(self) -> None:
        self.components: dict[str, dict[str, Any]] = {}

    def message(self, message: descriptor.Descriptor) -> dict[str, Any]:
        """A schema for the message type: inline for well-known types, a $ref to a component otherwise."""
        if message.full_name in _WELL_KNOWN:
            return dict(_WELL_KNOWN[message.full_name])
        if message.full_name == HTTP_BODY:
            return {"type": "string", "format": "binary"}
        name = _schema_name(message)
        if name not in self.components:
            self.components[name] = {}  # placeholder against recursion
            props = {f.name: _described(self.field(f), f.full_name) for f in message.fields}
            schema: dict[str, Any] = _described({"type": "object", "properties": props}, message.full_name)
            self.components[name] = schema
        return {"$ref": f"#/components/schemas/{name}"}

    def single(self, field: descriptor.FieldDescriptor) -> dict[str, Any]:
        if field.message_type is not None:
            return self.message(field.message_type)
        if field.enum_type is not None:
            return {"type": "string", "enum": [v.name for v in field.enum_type.values]}
        return dict(_SCALARS[field.type])

    def field(self, field: descriptor.FieldDescriptor) -> dict[str, Any]:
        entry = field.message_type
        if entry is not None and entry.GetOptions().map_entry:
            return {"type": "object", "additionalProperties": self.single(entry.fields_by_name["value"])}
        if _is_repeated(field):
            return {"type": "array", "items": self.single(field)}
        return self.single(field)


def _described(schema: dict[str, Any], full_name: str) -> dict[str, Any]:
    text = comments().get(full_name)
    if text and "$ref" not in schema:
        schema["description"] = text
    return schema


def _is_repeated(field: descriptor.FieldDescriptor) -> bool:
    return bool(field.is_repeated)


def _rules(rule: http_pb2.HttpRule) -> list[tuple[str, str, str]]:
    """(HTTP method, path template, body) of a rule and its additional bindings."""
    out: list[tuple[str, str, str]] = []
    kind = rule.WhichOneof("pattern")
    if kind == "custom":
        out.append((rule.custom.kind.lower(), rule.custom.path, rule.body))
    elif kind is not None:
        out.append((kind, getattr(rule, kind), rule.body))
    for extra in rule.additional_bindings:
        out.extend(_rules(extra))
    return out


def _status(method: descriptor.MethodDescriptor, verb: str) -> str:
    if method.name.startswith("Create") and verb == "post":
        return "201"
    if method.name.startswith("Delete") and verb == "delete":
        return "204"
    return "200"


def _operation(
    b: _Builder, method: descriptor.MethodDescriptor, verb: str, template: str, body: str, operation_id: str
) -> dict[str, Any]:
    request, response = method.input_type, method.output_type
    path_fields = [v.split(".")[0] for v in _VARIABLE.findall(template)]
    parameters: list[dict[str, Any]] = []
    for name in path_fields:
        f = request.fields_by_name.get(name)
        schema = b.single(f) if f is not None and f.type != _FD.TYPE_MESSAGE else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    if not body and request.full_name != HTTP_BODY:
        for f in request.fields:
            if f.name in path_fields or f.type == _FD.TYPE_MESSAGE:
                continue
            param = {"name": rest_query_name(f), "in": "query", "required": False, "schema": b.field(f)}
            if f.full_name in comments():
                param["description"] = comments()[f.full_name]
            parameters.append(param)
    op: dict[str, Any] = {
        "operationId": operation_id,
        "tags": ["timeside"],
        "summary": re.sub(r"(?<!^)(?=[A-Z])", " ", method.name),
    }
    if method.full_name in comments():
        op["description"] = comments()[method.full_name]
    if parameters:
        op["parameters"] = parameters
    if body:
        if request.full_name == HTTP_BODY or method.client_streaming:
            if request.full_name == HTTP_BODY:
                content: dict[str, Any] = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
            else:
                content = {"application/json": {"schema": b.message(request)}}
        elif body == "*":
            content = {"application/json": {"schema": b.message(request)}}
        else:
            target = request.fields_by_name[body]
            content = {"application/json": {"schema": b.field(target)}}
        op["requestBody"] = {"required": True, "content": content}
    status = _status(method, verb)
    if response.full_name == HTTP_BODY:
        answer: dict[str, Any] = {
            "description": "A body of the type the server sets.",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    elif status == "204" and not response.fields:
        answer = {"description": "No content."}
    else:
        schema = b.message(response)
        if method.server_streaming:
            schema = {"type": "array", "items": schema}
        answer = {"description": "OK", "content": {"application/json": {"schema": schema}}}
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    op["responses"] = {
        status: answer,
        "400": {"description": "Invalid input.", **error},
        "404": {"description": "Not found.", **error},
    }
    return op


@cache
def _document() -> str:
    service = pb.DESCRIPTOR.services_by_name[SERVICE]
    b = _Builder()
    paths: dict[str, dict[str, Any]] = {}
    for method in service.methods:
        options = method.GetOptions()
        if not options.HasExtension(annotations_pb2.http):
            continue
        for n, (verb, template, body) in enumerate(_rules(options.Extensions[annotations_pb2.http])):
            path = _VARIABLE.sub(lambda m: "{" + m.group(1).split(".")[0] + "}", template)
            op_id = method.name if n == 0 else f"{method.name}{n + 1}"
            paths.setdefault(path, {})[verb] = _operation(b, method, verb, template, body, op_id)
    b.components["Error"] = _ERROR
    doc = {
        "openapi": "3.0.3",
        "info": {
            "title": "TimeSide API (Polyphony)",
            "version": "1.0.0",
            "description": "The TimeSide server REST API, generated from the AnalysisService descriptors.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(b.components.items())),
            "securitySchemes": {
                "tokenAuth": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Token <key>` from /timeside/api-token-auth/",
                },
                "jwtAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
        },
        "security": [{}, {"tokenAuth": []}, {"jwtAuth": []}],
        "tags": [{"name": "timeside"}],
    }
    return json.dumps(doc, separators=(",", ":"))


def schema_document(base: str) -> bytes:
    """The OpenAPI document (JSON) with `base` as the server URL."""
    doc = json.loads(_document())
    doc["servers"] = [{"url": base or "/"}]
    return json.dumps(doc, indent=1).encode()


# The API-docs renderer (RapiDoc, from npm), vendored into the web console's build at a fixed path: the
# page works offline, nothing loads from a CDN.
RENDERER_JS = "/console/vendor/rapidoc-min.js"


def docs_page(base: str) -> bytes:
    """A page rendering the schema at /timeside/api/schema/ with the console's vendored renderer."""
    spec = html.escape(f"{base}/timeside/api/schema/", quote=True)
    script = html.escape(f"{base}{RENDERER_JS}", quote=True)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>TimeSide API</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<style>body{margin:0;padding:0}</style>\n</head>\n<body>\n"
        f'<rapi-doc spec-url="{spec}" render-style="read" load-fonts="false" show-header="false" '
        'regular-font="system-ui, sans-serif" mono-font="ui-monospace, monospace"></rapi-doc>\n'
        f'<script src="{script}"></script>\n</body>\n</html>\n'
    ).encode()
