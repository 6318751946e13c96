"""The trigger package's modules import each other without a circle (counting imports made only for
type checking and inside functions: a circle hidden there is still a circle)."""

import ast
from pathlib import Path

import polyphony.trigger

PACKAGE = "polyphony.trigger"
ROOT = Path(next(iter(polyphony.trigger.__path__)))


def _imports(path: Path) -> set[str]:
    """The `polyphony.trigger.*` modules a file imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == PACKAGE:
                found.update(f"{PACKAGE}.{a.name}" for a in node.names)
            elif node.module.startswith(PACKAGE + "."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith(PACKAGE + "."))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {f"{PACKAGE}.{p.stem}": p for p in ROOT.glob("*.py") if p.stem != "__init__"}
    return {name: _imports(path) & modules.keys() for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_no_import_circle_in_trigger() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_the_relay_protocol_is_a_leaf() -> None:
    graph = _graph()
    assert graph[f"{PACKAGE}.relay_protocol"] <= {f"{PACKAGE}.bus", f"{PACKAGE}.payload"}
    assert f"{PACKAGE}.cues" not in graph[f"{PACKAGE}.relays"]
