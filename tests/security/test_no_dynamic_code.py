"""No code path may execute, unpickle or import something that a payload, a config or a
table could name: no pickle/marshal/shelve, no eval/exec/compile, no dynamic imports.

The scan covers every shipped and tooling module (the two distributions, tools/,
benchmarks/). Tests are exempt: they may pickle an exception to prove it pickles. A
dynamic import whose names come from the code itself is allowed only where listed in
REVIEWED, with the reason; an entry that no longer matches anything fails the test, so
the list cannot rot.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("contracts_pkg/src", "engine_app/src", "tools", "benchmarks")

# Modules whose only purpose is turning bytes into code or arbitrary objects.
FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "marshal", "shelve", "jsonpickle"}
# Builtins that run code or import by name.
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__"}
# (module, attribute) calls that import or resolve a name given as a string, or unpickle.
FORBIDDEN_ATTRIBUTES = {
    ("importlib", "import_module"),
    ("importlib", "__import__"),
    ("pkgutil", "resolve_name"),
    ("pydoc", "locate"),
    ("runpy", "run_module"),
    ("runpy", "run_path"),
    ("yaml", "load"),
    ("yaml", "unsafe_load"),
    ("yaml", "full_load"),
    ("pandas", "read_pickle"),
    ("pd", "read_pickle"),
    ("numpy", "load"),
    ("np", "load"),
}
# path -> the forbidden names it may use, and why that is safe.
REVIEWED = {
    "benchmarks/cli.py": (
        {"importlib.import_module"},
        "resolves the suite functions listed in its own constant SECTIONS table, never a name from input",
    ),
}


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def findings(source: str) -> set[str]:
    """The forbidden names a module imports or calls."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                found.add(node.module)
            found |= {
                f"{node.module}.{a.name}"
                for a in node.names
                if (node.module.split(".")[-1], a.name) in FORBIDDEN_ATTRIBUTES
            }
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            parts = name.split(".")
            if name in FORBIDDEN_BUILTINS or (len(parts) >= 2 and (parts[-2], parts[-1]) in FORBIDDEN_ATTRIBUTES):
                found.add(name)
            args = node.args
            attr = args[1].value if name == "getattr" and len(args) >= 2 and isinstance(args[1], ast.Constant) else None
            if attr in FORBIDDEN_BUILTINS:  # getattr(builtins, "eval") and friends
                found.add(f"getattr(..., {attr!r})")
    return found


def scanned_files() -> list[Path]:
    return sorted(path for top in SCANNED for path in (ROOT / top).rglob("*.py"))


def test_the_scan_covers_the_packages() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in scanned_files()}
    assert "contracts_pkg/src/artifact_contracts/codec.py" in names
    assert any(n.startswith("engine_app/src/engine_app/") for n in names)


def test_no_pickle_eval_or_dynamic_import() -> None:
    unexpected: dict[str, set[str]] = {}
    used_reviews: set[str] = set()
    for path in scanned_files():
        rel = path.relative_to(ROOT).as_posix()
        found = findings(path.read_text(encoding="utf-8"))
        allowed = REVIEWED.get(rel, (set(), ""))[0]
        if found & allowed:
            used_reviews.add(rel)
        if found - allowed:
            unexpected[rel] = found - allowed
    assert unexpected == {}
    assert set(REVIEWED) - used_reviews == set(), "a REVIEWED entry matches nothing any more: remove it"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import pickle\npickle.loads(b'')", {"pickle"}),
        ("from pickle import loads", {"pickle"}),
        ("import cloudpickle", {"cloudpickle"}),
        ("import marshal", {"marshal"}),
        ("eval('1')", {"eval"}),
        ("exec(code)", {"exec"}),
        ("compile(src, 'f', 'exec')", {"compile"}),
        ("__import__(name)", {"__import__"}),
        ("import importlib\nimportlib.import_module(row['module'])", {"importlib.import_module"}),
        ("from importlib import import_module", {"importlib.import_module"}),
        ("import pkgutil\npkgutil.resolve_name(cfg.hook)", {"pkgutil.resolve_name"}),
        ("import yaml\nyaml.load(text)", {"yaml.load"}),
        ("import builtins\ngetattr(builtins, 'eval')('1')", {"getattr(..., 'eval')"}),
        ("import re\nre.compile('x')", set()),  # a regex compile is not code
        ("import json\njson.loads(b'{}')", set()),
    ],
)
def test_the_scan_finds_each_kind(source: str, expected: set[str]) -> None:
    assert findings(source) == expected
