"""The package's modules import one way: no circle, lazy (function-level) imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import artifact_contracts

PACKAGE = Path(artifact_contracts.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = ["artifact_contracts", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The package modules ``path`` imports, at any depth of its code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            # `from pkg import sub` imports the submodule; `from pkg import name`, the package.
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return found & known


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (a package's own ``__init__`` excluded)."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: _imports(path, set(paths)) - {name} for name, path in paths.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import circle of ``graph`` as a path of module names, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target, [*path, target])):
                return cycle
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def test_the_package_has_no_import_circle() -> None:
    assert find_cycle(import_graph()) is None


@pytest.mark.parametrize(
    ("graph", "cycle"),
    [
        ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
    ],
)
def test_find_cycle(graph: dict[str, set[str]], cycle: list[str] | None) -> None:
    assert find_cycle(graph) == cycle


def test_the_evolution_gate_imports_one_way() -> None:
    graph = import_graph()
    order = ["_rules", "_versions", "_diff", "_gate", "_command"]
    for i, name in enumerate(order):
        later = {f"artifact_contracts.evolution.{n}" for n in order[i + 1 :]}
        assert not graph[f"artifact_contracts.evolution.{name}"] & later, name
