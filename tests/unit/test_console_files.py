"""The console's static file lookup refuses paths outside the build and serves what is inside."""

from __future__ import annotations

from pathlib import Path

from polyphony.edge.console import CLIENT_ROUTES, ConsoleApp


def test_files_inside_the_build_only(tmp_path: Path) -> None:
    (tmp_path / "dist" / "assets").mkdir(parents=True)
    (tmp_path / "dist" / "assets" / "a-12345678.js").write_text("x")
    (tmp_path / "secret.txt").write_text("no")
    app = ConsoleApp(tmp_path / "dist")
    found = app._file("assets/a-12345678.js")
    assert found is not None and found.content_type.startswith("text/javascript")
    for bad in ["../secret.txt", "assets/../../secret.txt", ".inputs", "", "assets\\a.js"]:
        assert app._file(bad) is None, bad


def test_client_routes() -> None:
    assert CLIENT_ROUTES.match("/library") and CLIENT_ROUTES.match("/show/abc") and CLIENT_ROUTES.match("/docs/tams/")
    assert not CLIENT_ROUTES.match("/aura/tracks") and not CLIENT_ROUTES.match("/show/a/b")


def test_a_rebuild_is_served_without_a_restart(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>one</p>")
    app = ConsoleApp(tmp_path)
    first = app._file("index.html")
    assert first is not None and first.body == b"<p>one</p>"
    (tmp_path / "index.html").write_text("<p>two, longer</p>")
    second = app._file("index.html")
    assert second is not None and second.body == b"<p>two, longer</p>"
    (tmp_path / "index.html").unlink()
    assert app._file("index.html") is None
