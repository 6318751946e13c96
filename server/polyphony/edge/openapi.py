"""OpenAPI 3 documents of the REST surfaces, generated from the descriptor set Envoy transcodes with.

One document per service (`polyphony openapi media|trigger|analysis`). Paths and methods come from each
method's `google.api.http` rule (and its additional bindings); path parameters from the template
variables; query parameters (rules without a body) from the request's other fields, under the name the
server reads (a field comment's ``REST: `?x=` ``, else the field name; a string map is JSON:API's
`filter[key]=` form, `deepObject`); fields that only gRPC callers set (comment "gRPC callers: ... header")
become the HTTP header REST callers send instead. Request and response bodies are the message schemas in
the JSON mapping the route family uses (`SURFACES`): lowerCamelCase `json_name`s for AURA and Open
Theater, proto field names for TimeSide; 64-bit integers as strings, enums by name, well-known types by
their JSON form, server streams as JSON arrays, `google.api.HttpBody` as raw bytes. Success codes follow
what the servicers set (`x-http-status`), errors the route family's error shape (core/errors.py), and
write routes declare the bearer token they need. Descriptions are the proto comments.

The TimeSide document served at `/timeside/api/schema/` comes from `polyphony.analysis.web.openapi`; TAMS has
its official OpenAPI document (specs/tams/api).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor, descriptor_pb2
from google.protobuf.message import DecodeError

from polyphony.api.common.v1 import options_pb2
from polyphony.rpc.json_schema import PATH_VARIABLE as _VARIABLE
from polyphony.rpc.json_schema import REST_NAME as _REST_NAME
from polyphony.rpc.json_schema import SCALARS as _SCALARS
from polyphony.rpc.json_schema import WELL_KNOWN as _WELL_KNOWN

HTTP_BODY = "google.api.HttpBody"
_FD = descriptor.FieldDescriptor
_GRPC_ONLY = re.compile(r"^gRPC(?: callers| clients)?\b", re.IGNORECASE)
_HEADERS = {"accept": "Accept", "range": "Range", "if_none_match": "If-None-Match"}
_BINARY = {"type": "string", "format": "binary"}

_AURA_ERROR = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "status": {"type": "string"},
                    "title": {"type": "string"},
                    "detail": {"type": "string"},
                    "source": {"type": "object", "properties": {"parameter": {"type": "string"}}},
                },
            },
        }
    },
}
_OPENTHEATER_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
}


@dataclass(frozen=True)
class Surface:
    """One service's REST surface: how its routes print JSON and answer errors."""

    service: str  # full name of the gRPC service
    title: str
    description: str
    proto_names: bool  # the transcoder prints proto field names (TimeSide, TAMS) instead of json_name
    media_type: str  # Content-Type of its JSON answers
    error: dict[str, Any]
    # success statuses a method answers besides the default (from the servicers' `x-http-status`)
    statuses: dict[str, tuple[str, ...]] = field(default_factory=dict)


SURFACES: dict[str, Surface] = {
    "media": Surface(
        service="polyphony.api.media.v1.MediaService",
        title="AURA music-library API (Polyphony)",
        description="AURA 0.2 (JSON:API 1.0) under /aura/, generated from the MediaService descriptors.",
        proto_names=False,
        media_type="application/vnd.api+json",
        error=_AURA_ERROR,
        statuses={"GetTrackAudio": ("200", "206", "304")},
    ),
    "trigger": Surface(
        service="polyphony.api.trigger.v1.TriggerService",
        title="Open Theater API (Polyphony)",
        description="Open Theater provisioning and cue triggers under /opentheater/, generated from the "
        "TriggerService descriptors.",
        proto_names=False,
        media_type="application/json",
        error=_OPENTHEATER_ERROR,
        statuses={"GetAsset": ("200", "206"), "Publish": ("201",), "UploadAsset": ("201", "200")},
    ),
}


def _pool_file(service: str) -> descriptor.FileDescriptor:
    from google.protobuf import descriptor_pool

    from polyphony.api.analysis.v1 import analysis_pb2  # noqa: F401  (registers the files in the pool)
    from polyphony.api.flow.v1 import flow_pb2  # noqa: F401
    from polyphony.api.media.v1 import media_pb2  # noqa: F401
    from polyphony.api.trigger.v1 import trigger_pb2  # noqa: F401

    found: descriptor.ServiceDescriptor = descriptor_pool.Default().FindServiceByName(service)
    return found.file


def _walk_messages(messages: Any, prefix: str, path: tuple[int, ...], out: dict[tuple[int, ...], str]) -> None:
    for i, message in enumerate(messages):
        name = f"{prefix}.{message.name}"
        out[(*path, i)] = name
        for j, fld in enumerate(message.field):
            out[(*path, i, 2, j)] = f"{name}.{fld.name}"
        _walk_messages(message.nested_type, name, (*path, i, 3), out)


@cache
def comments() -> dict[str, str]:
    """Leading proto comments by full name (messages, fields, methods) of every file in the descriptor set."""
    from polyphony.edge.assets import descriptor_set

    try:
        fds = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set().read_bytes())
    except (OSError, DecodeError):
        return {}  # no descriptor set (or a damaged one): the documents go without descriptions
    out: dict[str, str] = {}
    for file in fds.file:
        names: dict[tuple[int, ...], str] = {}
        _walk_messages(file.message_type, file.package, (4,), names)
        for i, service in enumerate(file.service):
            names[(6, i)] = f"{file.package}.{service.name}"
            for j, method in enumerate(service.method):
                names[(6, i, 2, j)] = f"{file.package}.{service.name}.{method.name}"
        for location in file.source_code_info.location:
            name = names.get(tuple(location.path))
            text = "\n".join(line.strip() for line in location.leading_comments.strip().splitlines())
            lines = [ln for ln in text.splitlines() if not ln.startswith("buf:lint:")]
            if name is not None and lines:
                out[name] = "\n".join(lines)
    return out


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


class _Builder:
    def __init__(self, surface: Surface, package: str) -> None:
        self.surface = surface
        self.package = package
        self.components: dict[str, dict[str, Any]] = {}

    def name(self, fld: descriptor.FieldDescriptor) -> str:
        return fld.name if self.surface.proto_names else fld.json_name

    def _schema_name(self, message: descriptor.Descriptor) -> str:
        return message.full_name.removeprefix(self.package + ".").replace(".", "_")

    def message(self, message: descriptor.Descriptor) -> dict[str, Any]:
        """A schema for the message type: inline for well-known types, a $ref to a component otherwise."""
        if message.full_name in _WELL_KNOWN:
            return dict(_WELL_KNOWN[message.full_name])
        if message.full_name == HTTP_BODY:
            return dict(_BINARY)
        name = self._schema_name(message)
        if name not in self.components:
            self.components[name] = {}  # placeholder against recursion
            props = {self.name(f): _described(self.field(f), f.full_name) for f in message.fields}
            self.components[name] = _described({"type": "object", "properties": props}, message.full_name)
        return {"$ref": f"#/components/schemas/{name}"}

    def single(self, fld: descriptor.FieldDescriptor) -> dict[str, Any]:
        if fld.message_type is not None:
            return self.message(fld.message_type)
        if fld.enum_type is not None:
            return {"type": "string", "enum": [v.name for v in fld.enum_type.values]}
        return dict(_SCALARS[fld.type])

    def field(self, fld: descriptor.FieldDescriptor) -> dict[str, Any]:
        entry = fld.message_type
        if entry is not None and entry.GetOptions().map_entry:
            return {"type": "object", "additionalProperties": self.single(entry.fields_by_name["value"])}
        if fld.is_repeated:
            return {"type": "array", "items": self.single(fld)}
        return self.single(fld)


def _described(schema: dict[str, Any], full_name: str) -> dict[str, Any]:
    text = comments().get(full_name)
    if text and "$ref" not in schema:
        schema["description"] = text
    return schema


def _is_map(fld: descriptor.FieldDescriptor) -> bool:
    return fld.message_type is not None and fld.message_type.GetOptions().map_entry


def _query_parameters(b: _Builder, request: descriptor.Descriptor, skip: set[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for fld in request.fields:
        if fld.name in skip:
            continue
        text = comments().get(fld.full_name, "")
        if _GRPC_ONLY.match(text):
            header = _HEADERS.get(fld.name)
            if header is not None and "header" in text.lower():
                out.append({"name": header, "in": "header", "required": False, "schema": {"type": "string"}})
            continue
        if _is_map(fld):  # JSON:API `filter[key]=value`
            param: dict[str, Any] = {
                "name": fld.name,
                "in": "query",
                "required": False,
                "style": "deepObject",
                "explode": True,
                "schema": b.field(fld),
            }
        elif fld.type == _FD.TYPE_MESSAGE:
            continue
        else:
            found = _REST_NAME.search(text)
            param = {"name": found.group(1) if found else fld.name, "in": "query", "required": False}
            param["schema"] = b.field(fld)
        if text:
            param["description"] = text
        out.append(param)
    return out


def _access(method: descriptor.MethodDescriptor) -> int:
    access: int = method.GetOptions().Extensions[options_pb2.access]  # type: ignore[index]
    return access


def _statuses(surface: Surface, method: descriptor.MethodDescriptor, verb: str) -> tuple[str, ...]:
    if method.name in surface.statuses:
        return surface.statuses[method.name]
    if method.name.startswith("Create") and verb == "post":
        return ("201",)
    if method.name.startswith("Delete") and verb == "delete":
        return ("204",)
    return ("200",)


def _request_body(b: _Builder, method: descriptor.MethodDescriptor, body: str) -> dict[str, Any]:
    request = method.input_type
    target = request if body == "*" else request.fields_by_name[body].message_type
    if request.full_name == HTTP_BODY or (target is not None and target.full_name == HTTP_BODY):
        if method.client_streaming:
            content: dict[str, Any] = {"*/*": {"schema": dict(_BINARY)}}
        else:  # a raw JSON body the server parses itself (e.g. a trigger payload)
            content = {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}
    elif body == "*":
        content = {"application/json": {"schema": b.message(request)}}
    else:
        content = {"application/json": {"schema": b.field(request.fields_by_name[body])}}
    text = comments().get(f"{request.full_name}.{body}") if body != "*" else None
    out: dict[str, Any] = {"required": True, "content": content}
    if text:
        out["description"] = text
    return out


def _operation(
    b: _Builder, method: descriptor.MethodDescriptor, verb: str, template: str, body: str, operation_id: str
) -> dict[str, Any]:
    surface = b.surface
    request, response = method.input_type, method.output_type
    path_fields = [v.split(".")[0] for v in _VARIABLE.findall(template)]
    parameters: list[dict[str, Any]] = []
    for name in path_fields:
        fld = request.fields_by_name.get(name)
        schema = b.single(fld) if fld is not None and fld.type != _FD.TYPE_MESSAGE else {"type": "string"}
        param = {"name": name, "in": "path", "required": True, "schema": schema}
        if fld is not None and fld.full_name in comments():
            param["description"] = comments()[fld.full_name]
        parameters.append(param)
    if not body and request.full_name != HTTP_BODY:
        parameters += _query_parameters(b, request, set(path_fields))
    op: dict[str, Any] = {
        "operationId": operation_id,
        "tags": [method.containing_service.name],
        "summary": re.sub(r"(?<!^)(?=[A-Z])", " ", method.name),
    }
    if method.full_name in comments():
        op["description"] = comments()[method.full_name]
    if parameters:
        op["parameters"] = parameters
    if body:
        op["requestBody"] = _request_body(b, method, body)
    responses: dict[str, Any] = {}
    for status in _statuses(surface, method, verb):
        if status == "304":
            responses[status] = {"description": "Not modified (If-None-Match)."}
        elif response.full_name == HTTP_BODY:
            responses[status] = {
                "description": "Partial content (Range)."
                if status == "206"
                else "The bytes, of the type the server sets.",
                "content": {"*/*": {"schema": dict(_BINARY)}},
            }
        elif status == "204" and not response.fields:
            responses[status] = {"description": "No content."}
        else:
            schema = b.message(response)
            if method.server_streaming:
                schema = {"type": "array", "items": schema}
            responses[status] = {"description": "OK", "content": {surface.media_type: {"schema": schema}}}
    error = {"content": {surface.media_type: {"schema": {"$ref": "#/components/schemas/Error"}}}}
    responses["400"] = {"description": "Invalid input.", **error}
    access = _access(method)
    if access in (options_pb2.ACCESS_WRITE, options_pb2.ACCESS_UNSPECIFIED):
        op["security"] = [{"bearerAuth": []}]
        responses["401"] = {"description": "No or an unknown token.", **error}
        responses["403"] = {"description": "The token may not do this.", **error}
    responses["404"] = {"description": "Not found.", **error}
    op["responses"] = responses
    return op


@cache
def _document(name: str) -> str:
    surface = SURFACES[name]
    file = _pool_file(surface.service)
    service = file.services_by_name[surface.service.rsplit(".", 1)[1]]
    b = _Builder(surface, file.package)
    paths: dict[str, dict[str, Any]] = {}
    for method in service.methods:
        options = method.GetOptions()
        if not options.HasExtension(annotations_pb2.http):
            continue
        for n, (verb, template, body) in enumerate(_rules(options.Extensions[annotations_pb2.http])):
            path = _VARIABLE.sub(lambda m: "{" + m.group(1).split(".")[0] + "}", template)
            op_id = method.name if n == 0 else f"{method.name}{n + 1}"
            paths.setdefault(path, {})[verb] = _operation(b, method, verb, template, body, op_id)
    b.components["Error"] = surface.error
    description = surface.description
    if service.full_name in comments():
        description += "\n\n" + comments()[service.full_name]
    doc = {
        "openapi": "3.0.3",
        "info": {"title": surface.title, "version": file.package.rsplit(".", 1)[1], "description": description},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(b.components.items())),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "tags": [{"name": service.name}],
    }
    return json.dumps(doc, separators=(",", ":"))


def document(name: str, base: str = "") -> dict[str, Any]:
    """The OpenAPI document of service `name` (a key of SURFACES, or `analysis` for TimeSide's), with
    `base` (e.g. `http://127.0.0.1:8080`) as its server URL."""
    if name == "analysis":
        from polyphony.analysis.web import openapi as timeside

        doc: dict[str, Any] = json.loads(timeside.schema_document(base))
        return doc
    if name not in SURFACES:
        raise KeyError(f"no generated OpenAPI document for {name!r} (one of: {', '.join(names())})")
    doc = json.loads(_document(name))
    doc["servers"] = [{"url": base or "/"}]
    return doc


def names() -> list[str]:
    return [*SURFACES, "analysis"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("openapi", help="print the OpenAPI 3 document of a REST surface (JSON)")
    p.add_argument("service", choices=names(), help="media (AURA), trigger (Open Theater), analysis (TimeSide)")
    p.add_argument("--server-url", default="", help="the `servers` URL to put in it, e.g. http://127.0.0.1:8080")


def run(args: argparse.Namespace) -> int:
    json.dump(document(args.service, args.server_url), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0
