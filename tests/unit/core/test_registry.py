"""The service registry: one explicit list, and everything that knows the services derives from it."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from polyphony.app import SERVICES
from polyphony.core.errors import ErrorFamily, error_for_status, error_statuses, error_template, render_error_json
from polyphony.core.registry import ServiceSpec, error_families
from polyphony.edge.envoy_config import EdgePlan, lua_string, render
from polyphony.edge.listen import Listen

SERVER = Path(__file__).resolve().parents[3] / "server" / "polyphony"


def test_every_service_package_exports_one_spec_and_is_registered() -> None:
    packages = sorted(p.parent.name for p in SERVER.glob("*/service.py"))
    assert sorted(s.name for s in SERVICES) == packages
    for spec in SERVICES:
        assert isinstance(spec, ServiceSpec)
        assert spec.grpc_service.startswith(f"polyphony.api.{spec.name}.v1.")
        assert spec.migrations.is_dir() and spec.models.__name__ == f"polyphony.{spec.name}.models"
    from polyphony.app import migration_branches

    assert list(migration_branches()) == ["core", *(s.name for s in SERVICES)]
    prefixes = [p for s in SERVICES for p in s.rest_prefixes]
    assert len(prefixes) == len(set(prefixes))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_no_service_and_nothing_in_core_imports_the_composition_root() -> None:
    below = [SERVER / "core", SERVER / "rpc", SERVER / "edge", *(SERVER / s.name for s in SERVICES)]
    offenders = [
        str(path.relative_to(SERVER))
        for folder in below
        for path in folder.rglob("*.py")
        if "polyphony.app" in _imports(path) or "polyphony.runtime" in _imports(path)
    ]
    assert offenders == []


def test_core_imports_no_service() -> None:
    services = {f"polyphony.{s.name}" for s in SERVICES}
    offenders = [
        str(path.relative_to(SERVER))
        for path in (SERVER / "core").rglob("*.py")
        if any(m == s or m.startswith(s + ".") for m in _imports(path) for s in services)
    ]
    assert offenders == []


def test_envoy_routes_come_from_the_registry(tmp_path: Path) -> None:
    config = json.loads(
        render(
            EdgePlan("127.0.0.1", 18000, (Listen(port=19001),), (Listen(port=19100),), 1024, SERVICES), tmp_path
        ).read_text()
    )
    hcm = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    routes = hcm["route_config"]["virtual_hosts"][0]["routes"]
    expected_live = [p for s in SERVICES for p in s.live_prefixes]
    assert [r["match"].get("prefix") for r in routes[: len(expected_live)]] == expected_live
    assert all(r["route"]["cluster"] == "live" for r in routes[: len(expected_live)])
    rest = {
        r["match"]["path_separated_prefix"]: r["typed_per_filter_config"]["envoy.filters.http.grpc_json_transcoder"]
        for r in routes
        if "path_separated_prefix" in r["match"]
    }
    for spec in SERVICES:
        for prefix in spec.rest_prefixes:
            options = rest[prefix]["print_options"]
            assert options["preserve_proto_field_names"] is spec.json_style.preserve_proto_field_names
            assert options["always_print_primitive_fields"] is spec.json_style.always_print_primitive_fields
            assert rest[prefix]["services"] == [s.grpc_service for s in SERVICES]
    assert routes[-1]["match"] == {"prefix": "/"}
    transcoder = next(f for f in hcm["http_filters"] if f["name"] == "envoy.filters.http.grpc_json_transcoder")
    assert transcoder["typed_config"]["services"] == [s.grpc_service for s in SERVICES]


def test_the_lua_tables_come_from_the_registry_and_the_one_renderer(tmp_path: Path) -> None:
    render(EdgePlan("127.0.0.1", 18000, (Listen(port=19001),), (Listen(port=19100),), 1024, SERVICES), tmp_path)
    lua = (tmp_path / "shape.lua").read_text()
    assert "__" not in lua.replace("__index", "")  # every placeholder filled
    for spec in SERVICES:
        for prefix in spec.rest_prefixes:
            assert f"{{{lua_string(prefix)}, {lua_string(spec.error_family.value)}}}" in lua
        assert f"[{lua_string(spec.error_family.value)}] = {lua_string(spec.content_type)}" in lua
    for family in {*(s.error_family for s in SERVICES), ErrorFamily.GENERIC}:
        for status in error_statuses():
            assert f"[{status}] = {lua_string(error_template(family, status))}" in lua


def test_an_error_template_is_the_rendered_error_with_marks() -> None:
    for family in ErrorFamily:
        for status in (400, 404, 413, 429, 503):
            filled = (
                error_template(family, status)
                .replace("\x01", json.dumps("some detail"))
                .replace("\x02", json.dumps("2026-01-01T00:00:00.000Z"))
            )
            direct = render_error_json(family, error_for_status(status, "some detail"), time="2026-01-01T00:00:00.000Z")
            assert filled == direct
    assert json.loads(error_template(ErrorFamily.TAMS, 400).replace("\x01", '""').replace("\x02", '""'))["type"] == (
        "InvalidArgument"
    )
    assert '"type":"TooManyRequests"' in error_template(ErrorFamily.TAMS, 429)


def test_the_interceptor_knows_each_services_error_family() -> None:
    assert error_families(SERVICES) == {s.grpc_service: s.error_family for s in SERVICES}
    assert error_families(SERVICES)["polyphony.api.flow.v1.FlowService"] is ErrorFamily.TAMS
