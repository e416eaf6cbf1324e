"""Nothing but codec.py constructs a msgspec encoder or decoder, or encodes with msgspec."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODEC = ROOT / "contracts_pkg" / "src" / "artifact_contracts" / "codec.py"
# Benchmarks compare against bare msgspec on purpose; this file names the forbidden calls.
EXEMPT = {ROOT / "benchmarks", Path(__file__).resolve()}
FORBIDDEN = {
    ("json", "Encoder"), ("json", "Decoder"), ("msgpack", "Encoder"), ("msgpack", "Decoder"),
    ("json", "encode"), ("json", "decode"), ("msgpack", "encode"), ("msgpack", "decode"),
    ("yaml", "encode"), ("yaml", "decode"), ("toml", "encode"), ("toml", "decode"),
}  # fmt: skip


def python_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*.py"):
        if any(part in {".git", ".venv", "build", "dist", "node_modules"} for part in path.parts):
            continue
        if path == CODEC or any(path == e or e in path.parents for e in EXEMPT):
            continue
        files.append(path)
    return files


def offending_calls(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and (node.value.attr, node.attr) in FORBIDDEN
            and getattr(node.value.value, "id", "") == "msgspec"
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno} msgspec.{node.value.attr}.{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module in {"msgspec.json", "msgspec.msgpack"}:
            names = {a.name for a in node.names}
            if names & {"Encoder", "Decoder", "encode", "decode"}:
                found.append(f"{path.relative_to(root)}:{node.lineno} from {node.module} import {names}")
    return found


def test_codec_is_the_only_encoder() -> None:
    offenders = [hit for path in python_files() for hit in offending_calls(path)]
    assert offenders == []


def test_the_scan_finds_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import msgspec\nenc = msgspec.json.Encoder()\nfrom msgspec.msgpack import Decoder\n")
    assert len(offending_calls(bad, root=tmp_path)) == 2


def test_codec_builds_each_encoder_once() -> None:
    source = CODEC.read_text()
    assert source.count("msgspec.json.Encoder(") == 1
    assert source.count("msgspec.msgpack.Encoder(") == 2  # the wire form and the fingerprint form
