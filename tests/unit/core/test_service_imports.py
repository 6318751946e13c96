"""Services never import each other: what two services share lives in a library package below them
(`polyphony.audio`, `polyphony.core`, ...). Checked over every module of each service's sources, including
imports inside functions, so a hidden import cannot slip through."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import polyphony.analysis

SERVICES = ("media", "flow", "analysis", "trigger")
SERVER = Path(polyphony.analysis.__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name `path` imports (`import a.b`, `from a.b import c` -> a.b and a.b.c)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def foreign_imports(service: str) -> list[str]:
    others = [f"polyphony.{s}" for s in SERVICES if s != service]
    bad = []
    for path in sorted((SERVER / service).rglob("*.py")):
        for name in sorted(imported_modules(path)):
            if any(name == o or name.startswith(o + ".") for o in others):
                bad.append(f"{path.relative_to(SERVER)} imports {name}")
    return bad


@pytest.mark.parametrize("service", SERVICES)
def test_service_imports_no_other_service(service: str) -> None:
    assert (SERVER / service).is_dir()
    assert foreign_imports(service) == []


def test_relative_imports_are_not_used_to_cross_services() -> None:
    """The check above reads absolute imports; relative ones could reach a sibling service unseen."""
    for service in SERVICES:
        for path in (SERVER / service).rglob("*.py"):
            tree = ast.parse(path.read_text())
            levels = [n.level for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
            assert all(level == 0 for level in levels), path


def test_the_check_sees_an_import_across_services(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f():\n    from polyphony.media.library import TrackFile\n    import polyphony.flow.segments\n"
    )
    assert {"polyphony.media.library", "polyphony.flow.segments"} <= imported_modules(probe)
